import type { AuthenticationResult, DeviceCodeRequest, PublicClientApplication } from "@azure/msal-node";
import { LogSink } from "../logging/logger";
import { AbortSignalLike, watchAbort } from "../util/cancellation";
import { SIGN_IN_TIMEOUT_MS } from "./loopbackFlow";

export interface DeviceCodePrompt {
  readonly userCode: string;
  readonly verificationUri: string;
  readonly message: string;
}

export interface DeviceCodeOptions {
  readonly scopes: string[];
  /** A claims request (JSON) from a claims challenge: the sign-in must satisfy it. */
  readonly claims?: string;
  /** Shows the code to the user; polling goes on until sign-in, cancel or time-out. */
  readonly showCode: (prompt: DeviceCodePrompt) => void;
  readonly signal: AbortSignalLike;
  readonly timeoutMs?: number;
  readonly log: LogSink;
}

/** Device code flow: for hosts that a loopback redirect cannot reach (remote, web). */
export async function signInWithDeviceCode(pca: PublicClientApplication, authority: string, options: DeviceCodeOptions): Promise<AuthenticationResult> {
  const timeoutMs = options.timeoutMs ?? SIGN_IN_TIMEOUT_MS;
  const request: DeviceCodeRequest = {
    scopes: options.scopes,
    claims: options.claims,
    authority,
    timeout: Math.ceil(timeoutMs / 1000),
    deviceCodeCallback: (response) =>
      options.showCode({ userCode: response.userCode, verificationUri: response.verificationUri, message: response.message }),
  };
  const watch = watchAbort(options.signal, timeoutMs, (reason) => {
    // MSAL checks this flag between polls of the token endpoint.
    request.cancel = true;
    options.log.info(`Device code sign-in ${reason.reason === "timeout" ? "timed out" : "was cancelled"}.`);
  });
  const attempt = pca.acquireTokenByDeviceCode(request);
  attempt.catch(() => undefined); // settles after a cancel; the race reports the cancel
  try {
    const result = await Promise.race([attempt, watch.aborted]);
    if (!result) {
      throw watch.reason ?? new Error("Device code sign-in ended without a result.");
    }
    return result;
  } finally {
    watch.dispose();
  }
}
