import { redact } from "./redact";

/** The part of vscode.LogOutputChannel the extension writes to. */
export interface LogSink {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Every message goes through `redact`, whoever composed it (our code or MSAL's logger callback). */
export class Logger implements LogSink {
  constructor(private readonly sink: LogSink) {}

  trace(message: string): void { this.sink.trace(redact(message)); }
  debug(message: string): void { this.sink.debug(redact(message)); }
  info(message: string): void { this.sink.info(redact(message)); }
  warn(message: string): void { this.sink.warn(redact(message)); }
  error(message: string): void { this.sink.error(redact(message)); }
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
