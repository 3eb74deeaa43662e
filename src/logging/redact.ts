/**
 * Removes credentials from text before it reaches a log, a notification or an error message.
 * It errs on the side of removing too much: a log line missing an opaque blob is harmless, a leaked
 * refresh token is not.
 */
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const SECRET_PARAMS =
  /\b(access_token|refresh_token|id_token|code|client_secret|code_verifier|device_code|assertion|client_info|user_code|otc|password|nonce|state)(["']?\s*[=:]\s*["']?)([^"'&\s,}]+)/gi;
const BEARER = /\b(Bearer\s+)[^\s"',]+/gi;
const GUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const ACCOUNT_ID = new RegExp(`^${GUID}(\\.${GUID})?$`);
/** Long opaque runs: Entra refresh tokens and codes are not JWTs (e.g. "0.AX4A..."). No "/": keeps URLs. */
const OPAQUE = /[A-Za-z0-9._~+=-]{40,}/g;

export function redact(text: string): string {
  return text
    .replace(JWT, "<redacted-jwt>")
    .replace(SECRET_PARAMS, (_m, name: string, sep: string) => `${name}${sep}<redacted>`)
    .replace(BEARER, "$1<redacted>")
    .replace(OPAQUE, (run) => (ACCOUNT_ID.test(run) ? run : "<redacted>"));
}
