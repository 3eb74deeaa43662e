/**
 * Removes credentials from text before it reaches a log, a notification or an error message.
 * It errs on the side of removing too much: a log line missing an opaque blob is harmless, a leaked
 * refresh token is not.
 */
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/** Always credentials, whatever the separator ("refresh_token=…", "refresh_token: …", JSON). */
const CREDENTIAL_FIELDS =
  /\b(access_token|refresh_token|id_token|client_secret|code_verifier|device_code|assertion|client_info|password)(["']?\s*[=:]\s*["']?)([^"'&\s,}]+)/gi;
/** Credentials only as a parameter or JSON field: "code=…", "\"code\":\"…\"" (not "VS Code: 1.139"). */
const PARAMETER_FIELDS = /(?<![\w-])(code|user_code|otc|state|nonce)(=|"\s*:\s*")([^"'&\s,}]+)/gi;
const BEARER = /\b(Bearer\s+)[^\s"',]+/gi;
const GUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const ACCOUNT_ID = new RegExp(`^${GUID}(\\.${GUID})?$`);
/** Long opaque runs: Entra refresh tokens and codes are not JWTs (e.g. "0.AX4A..."). No "/": keeps URLs. */
const OPAQUE = /[A-Za-z0-9._~+=-]{40,}/g;

export function redact(text: string): string {
  return text
    .replace(JWT, "<redacted-jwt>")
    .replace(CREDENTIAL_FIELDS, (_m, name: string, sep: string) => `${name}${sep}<redacted>`)
    .replace(PARAMETER_FIELDS, (_m, name: string, sep: string) => `${name}${sep}<redacted>`)
    .replace(BEARER, "$1<redacted>")
    .replace(OPAQUE, (run) => (ACCOUNT_ID.test(run) ? run : "<redacted>"));
}
