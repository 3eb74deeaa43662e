import { LogSink } from "../../src/logging/logger";
import { registerCapture } from "./leakScan";

/** A log that keeps every line, so tests can assert on it and scan it for credentials. */
export class CapturingLog implements LogSink {
  readonly lines: string[] = [];
  constructor() {
    registerCapture(this.lines);
  }
  trace(m: string): void { this.lines.push(`trace ${m}`); }
  debug(m: string): void { this.lines.push(`debug ${m}`); }
  info(m: string): void { this.lines.push(`info ${m}`); }
  warn(m: string): void { this.lines.push(`warn ${m}`); }
  error(m: string): void { this.lines.push(`error ${m}`); }
}
