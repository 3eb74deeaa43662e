/** Thrown when the user cancels a sign-in or it runs out of time; callers tell the two apart by `reason`. */
export class SignInAbortedError extends Error {
  constructor(readonly reason: "cancelled" | "timeout", message: string) {
    super(message);
    this.name = "SignInAbortedError";
  }
}

/** The part of vscode.CancellationToken that the flows need. */
export interface AbortSignalLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => unknown): { dispose(): unknown };
}

/** One attempt's end by cancel or time-out, whichever comes first. */
export interface AbortWatch {
  /** Rejects with the SignInAbortedError once the attempt is ended. */
  readonly aborted: Promise<never>;
  readonly reason: SignInAbortedError | undefined;
  dispose(): void;
}

/**
 * Ends an attempt when the user cancels or `timeoutMs` passes; `onAbort` runs once, first, to stop
 * the work (MSAL itself has no cancel for interactive sign-in).
 */
export function watchAbort(signal: AbortSignalLike, timeoutMs: number, onAbort: (reason: SignInAbortedError) => void): AbortWatch {
  let reason: SignInAbortedError | undefined;
  let reject: (err: SignInAbortedError) => void = () => undefined;
  const aborted = new Promise<never>((_, r) => (reject = r));
  aborted.catch(() => undefined); // observed through `reason` when nobody races it
  const abort = (why: SignInAbortedError) => {
    if (!reason) {
      reason = why;
      onAbort(why);
      reject(why);
    }
  };
  const timer = setTimeout(
    () => abort(new SignInAbortedError("timeout", `Sign-in timed out after ${Math.round(timeoutMs / 1000)} seconds. Try again, or sign in with a device code.`)),
    timeoutMs,
  );
  const cancel = () => abort(new SignInAbortedError("cancelled", "Sign-in was cancelled."));
  const subscription = signal.onCancellationRequested(cancel);
  if (signal.isCancellationRequested) {
    cancel();
  }
  return {
    aborted,
    get reason() {
      return reason;
    },
    dispose: () => {
      clearTimeout(timer);
      subscription.dispose();
    },
  };
}
