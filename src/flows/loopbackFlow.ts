import type { AuthenticationResult, PublicClientApplication } from "@azure/msal-node";
import type { Protocol } from "../config/authority";
import { oidcAuthorizeUrl } from "../msal/oidcRequests";
import { describeError, LogSink } from "../logging/logger";
import { AbortSignalLike, watchAbort } from "../util/cancellation";
import { errorPage, successPage } from "./pages";

export const SIGN_IN_TIMEOUT_MS = 5 * 60 * 1000;
/** How long to wait for MSAL to close its loopback listener after we ended the attempt. */
const CLOSE_GRACE_MS = 5_000;

export interface LoopbackOptions {
  readonly scopes: string[];
  readonly loginHint?: string;
  /** A claims request (JSON) from a claims challenge: the sign-in must satisfy it. */
  readonly claims?: string;
  readonly openBrowser: (url: string) => Promise<void>;
  readonly signal: AbortSignalLike;
  readonly timeoutMs?: number;
  readonly log: LogSink;
  /** Entra ID (default) or a generic OpenID Provider: decides the prompt and the parameters sent. */
  readonly protocol?: Protocol;
}

/**
 * Entra ID: let the person pick the account, unless the caller named one. An OpenID Provider:
 * OpenID Connect Core (section 11) lets it ignore `offline_access`, so issue no refresh token and
 * make the person sign in again every hour, unless the request asks for consent (oidc-provider
 * does exactly that); `select_account` is optional there and some providers refuse the request.
 * Interactive sign-in is rare (refresh tokens do the rest), so a consent screen each time is the
 * price of a sign-in that lasts.
 */
export function promptFor(protocol: Protocol, loginHint: string | undefined): string | undefined {
  if (protocol === "oidc") {
    return "consent";
  }
  return loginHint ? undefined : "select_account";
}

/**
 * Authorization code with PKCE through MSAL's loopback redirect, with the cancel and time-out that
 * MSAL lacks: ending the attempt answers MSAL's own listener with `access_denied` (or, before the
 * browser was opened, fails `openBrowser`), so MSAL rejects and frees the port.
 */
export async function signInWithLoopback(pca: PublicClientApplication, authority: string, options: LoopbackOptions): Promise<AuthenticationResult> {
  let redirect: { uri: string; state: string } | undefined;
  const watch = watchAbort(options.signal, options.timeoutMs ?? SIGN_IN_TIMEOUT_MS, (reason) => {
    options.log.info(`Sign-in ${reason.reason === "timeout" ? "timed out" : "was cancelled"}; closing the loopback listener.`);
    if (redirect) {
      answerListener(redirect.uri, redirect.state, reason.message).catch((err) => options.log.warn(`Could not close the loopback listener: ${describeError(err)}`));
    }
  });

  const attempt = pca.acquireTokenInteractive({
    scopes: options.scopes,
    authority,
    loginHint: options.loginHint,
    claims: options.claims,
    prompt: promptFor(options.protocol ?? "entra", options.loginHint),
    successTemplate: successPage,
    errorTemplate: errorPage,
    openBrowser: async (url: string) => {
      if (watch.reason) {
        throw watch.reason;
      }
      const params = new URL(url).searchParams;
      redirect = { uri: params.get("redirect_uri") ?? "", state: params.get("state") ?? "" };
      await options.openBrowser(options.protocol === "oidc" ? oidcAuthorizeUrl(url) : url);
    },
  });
  try {
    return await Promise.race([attempt, watch.aborted]);
  } finally {
    watch.dispose();
    if (watch.reason) {
      // Wait until MSAL has given up, so the port is free when we return.
      await Promise.race([attempt.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS))]);
    }
  }
}

/** Posts what a browser would post for a refused sign-in to MSAL's listener (form_post). */
async function answerListener(redirectUri: string, state: string, description: string): Promise<void> {
  const target = new URL(redirectUri);
  // MSAL listens on 127.0.0.1 while the redirect URI says localhost (which may resolve to ::1).
  if (target.hostname === "localhost") {
    target.hostname = "127.0.0.1";
  }
  await fetch(target, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ error: "access_denied", error_description: description, state }).toString(),
    signal: AbortSignal.timeout(CLOSE_GRACE_MS),
  });
}
