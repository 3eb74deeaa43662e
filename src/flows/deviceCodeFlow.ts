import type { AuthenticationResult, DeviceCodeRequest, PublicClientApplication } from "@azure/msal-node";
import { LogSink } from "../logging/logger";
import { AbortSignalLike, SignInAbortedError } from "../util/cancellation";
import { SIGN_IN_TIMEOUT_MS } from "./loopbackFlow";

export interface DeviceCodePrompt {
  readonly userCode: string;
  readonly verificationUri: string;
  readonly message: string;
}

export interface DeviceCodeOptions {
  readonly scopes: string[];
  /** Shows the code to the user; resolves or not, polling goes on until sign-in, cancel or time-out. */
  readonly showCode: (prompt: DeviceCodePrompt) => void;
  readonly signal: AbortSignalLike;
  readonly timeoutMs?: number;
  readonly log: LogSink;
}

/** Device code flow: for hosts that a loopback redirect cannot reach (remote, web). */
export async function signInWithDeviceCode(pca: PublicClientApplication, authority: string, options: DeviceCodeOptions): Promise<AuthenticationResult> {
  let aborted: SignInAbortedError | undefined;
  let onAbort: (reason: SignInAbortedError) => void = () => undefined;
  const abortedPromise = new Promise<never>((_, reject) => (onAbort = reject));

  const request: DeviceCodeRequest = {
    scopes: options.scopes,
    authority,
    timeout: Math.ceil((options.timeoutMs ?? SIGN_IN_TIMEOUT_MS) / 1000),
    deviceCodeCallback: (response) =>
      options.showCode({ userCode: response.userCode, verificationUri: response.verificationUri, message: response.message }),
  };
  const abort = (reason: SignInAbortedError) => {
    if (!aborted) {
      aborted = reason;
      // MSAL checks this flag between polls of the token endpoint.
      request.cancel = true;
      options.log.info(`Device code sign-in ${reason.reason === "timeout" ? "timed out" : "was cancelled"}.`);
      onAbort(reason);
    }
  };
  const timeoutMs = options.timeoutMs ?? SIGN_IN_TIMEOUT_MS;
  const timer = setTimeout(() => abort(new SignInAbortedError("timeout", `Sign-in timed out after ${Math.round(timeoutMs / 1000)} seconds.`)), timeoutMs);
  const cancellation = options.signal.onCancellationRequested(() => abort(new SignInAbortedError("cancelled", "Sign-in was cancelled.")));
  if (options.signal.isCancellationRequested) {
    abort(new SignInAbortedError("cancelled", "Sign-in was cancelled."));
  }
  const attempt = pca.acquireTokenByDeviceCode(request);
  attempt.catch(() => undefined); // settled after cancel; the race below reports the cancel
  try {
    const result = await Promise.race([attempt, abortedPromise]);
    if (!result) {
      throw new SignInAbortedError("cancelled", "Sign-in was cancelled.");
    }
    return result;
  } finally {
    clearTimeout(timer);
    cancellation.dispose();
  }
}
