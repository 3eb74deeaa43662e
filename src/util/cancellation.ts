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
