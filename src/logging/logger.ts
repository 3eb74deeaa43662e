import { redact } from "./redact";

/** The part of vscode.LogOutputChannel the extension writes to. */
export interface LogSink {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const RECENT_PROBLEMS = 20;

/**
 * Every message goes through `redact`, whoever composed it (our code or MSAL's logger callback).
 * The last warnings and errors are kept for the diagnostics report.
 */
export class Logger implements LogSink {
  private readonly problems: string[] = [];

  constructor(private readonly sink: LogSink) {}

  trace(message: string): void { this.sink.trace(redact(message)); }
  debug(message: string): void { this.sink.debug(redact(message)); }
  info(message: string): void { this.sink.info(redact(message)); }
  warn(message: string): void { this.sink.warn(this.remember("warning", message)); }
  error(message: string): void { this.sink.error(this.remember("error", message)); }

  recentProblems(): string[] {
    return [...this.problems];
  }

  private remember(level: string, message: string): string {
    const clean = redact(message);
    this.problems.push(`${new Date().toISOString()} ${level}: ${clean}`);
    if (this.problems.length > RECENT_PROBLEMS) this.problems.shift();
    return clean;
  }
}

/** For code paths with no log (unit tests that do not look at it). */
export const silentLog: LogSink = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { errorCode?: unknown }).errorCode;
    return typeof code === "string" && code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
