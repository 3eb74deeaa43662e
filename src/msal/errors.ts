import { describeError } from "../logging/logger";
import { redact } from "../logging/redact";

/**
 * Classifies MSAL errors without importing MSAL (its classes are loaded lazily), by the fields every
 * MSAL error carries: `name`, `errorCode`, `subError`, `errorMessage`.
 */
export type ErrorKind = "reauth" | "throttled" | "network" | "server" | "cancelled" | "other";

interface MsalLikeError {
  name?: unknown;
  errorCode?: unknown;
  subError?: unknown;
  message?: unknown;
}

/** Refresh-token rejections: the account must sign in again. They arrive as different classes. */
const REAUTH_CODES = new Set([
  "invalid_grant",
  "interaction_required",
  "login_required",
  "consent_required",
  "no_tokens_found",
  "native_account_unavailable",
  "refresh_token_expired",
  "bad_token",
]);
const NETWORK_CODES = new Set(["network_error", "network_unreachable", "endpoints_resolution_error", "network_request_failed", "ECONNREFUSED", "ETIMEDOUT", "ECONNRESET"]);
const SERVER_CODES = new Set(["token_parsing_error", "server_unavailable", "temporarily_unavailable", "invalid_response", "missing_access_token"]);
const CANCEL_CODES = new Set(["user_cancelled", "access_denied", "authorization_declined"]);

export function classifyError(err: unknown): ErrorKind {
  const e = (typeof err === "object" && err !== null ? err : {}) as MsalLikeError;
  const code = typeof e.errorCode === "string" ? e.errorCode : typeof (e as { code?: unknown }).code === "string" ? String((e as { code: string }).code) : "";
  const sub = typeof e.subError === "string" ? e.subError : "";
  if (e.name === "SignInAbortedError" || CANCEL_CODES.has(code)) {
    return "cancelled";
  }
  if (e.name === "InteractionRequiredAuthError" || REAUTH_CODES.has(code) || REAUTH_CODES.has(sub)) {
    return "reauth";
  }
  if (code === "throttled") {
    return "throttled";
  }
  if (NETWORK_CODES.has(code)) {
    return "network";
  }
  if (SERVER_CODES.has(code) || e.name === "ServerError") {
    return "server";
  }
  return "other";
}

/** `AADSTS50011` and friends, from the server's error description. */
export function aadstsCode(err: unknown): string | undefined {
  const message = err instanceof Error ? err.message : String(err);
  return /AADSTS(\d{5,6})/.exec(message)?.[1];
}

/** Rejections that say for sure the refresh token is dead (revoked, expired, MFA, consent, ...). */
const DEFINITE_REAUTH_AADSTS = new Set(["50173", "700082", "50076", "50079", "65001", "50078", "50158", "700003"]);

/**
 * Whether a rejected refresh could be the reuse of a token that another window has just rotated:
 * Entra says AADSTS70000 for a grant already used; other providers give no code at all.
 */
export function mayBeRotatedElsewhere(err: unknown): boolean {
  const code = aadstsCode(err);
  return code === undefined || !DEFINITE_REAUTH_AADSTS.has(code);
}

/** What a person can do about the common Entra errors. */
const AADSTS_ADVICE: Record<string, string> = {
  "50011": `The redirect URI does not match the app registration. For a custom "msal.clientId", register "http://localhost" as a redirect URI of a public client (Mobile and desktop applications) in the app registration.`,
  "700016": `The application (client) ID in "msal.clientId" is not known in this tenant. Check the setting, or sign in to the tenant where the app is registered ("msal.tenant").`,
  "65001": "The application needs consent for the requested permissions. Sign in again and accept, or ask an administrator to grant consent.",
  "50076": "Your organization requires multi-factor authentication. Sign in again from the Accounts menu.",
  "50079": "Your organization requires you to register for multi-factor authentication. Sign in again from the Accounts menu.",
  "700082": "Your sign-in expired after a long time without use. Sign in again from the Accounts menu.",
  "90002": `The tenant was not found. Check "msal.tenant" (a tenant ID, a verified domain, or "organizations").`,
  "900023": `The tenant is not valid. Check "msal.tenant" (a tenant ID, a verified domain, or "organizations").`,
};

export function adviceFor(err: unknown): string | undefined {
  const code = aadstsCode(err);
  if (code && AADSTS_ADVICE[code]) {
    return AADSTS_ADVICE[code];
  }
  switch (classifyError(err)) {
    case "reauth":
      return "Sign in again from the Accounts menu.";
    case "throttled":
      return "Your accounts stay signed in; try again in a little while.";
    case "network":
      return "Check your network connection and proxy settings, then try again.";
    case "server":
      return "The identity provider answered with an error; try again in a few minutes.";
    default:
      return undefined;
  }
}

/** An error as a person should read it: what happened and what to do, with credentials removed. */
export function userMessage(err: unknown): string {
  const advice = adviceFor(err);
  const text = describeError(err);
  return redact(advice && !text.includes(advice) ? `${text} ${advice}` : text);
}

/**
 * Something a person can click to act on an error. Labels are not here: the editor side gives each
 * kind its label as a literal `vscode.l10n.t` call, so that the l10n bundle holds it.
 */
export type ErrorAction =
  | { readonly kind: "openSetting"; readonly setting: string }
  | { readonly kind: "redirectUriHelp"; readonly url: string };

const REDIRECT_URI_HELP = "https://learn.microsoft.com/entra/identity-platform/reply-url";

/** The buttons that fit an error: the setting to fix or the page that explains what to do. */
export function actionsFor(err: unknown): ErrorAction[] {
  switch (aadstsCode(err)) {
    case "50011":
      return [
        { kind: "redirectUriHelp", url: REDIRECT_URI_HELP },
        { kind: "openSetting", setting: "msal.clientId" },
      ];
    case "700016":
      return [{ kind: "openSetting", setting: "msal.clientId" }];
    case "90002":
    case "900023":
      return [{ kind: "openSetting", setting: "msal.tenant" }];
    default:
      return [];
  }
}
