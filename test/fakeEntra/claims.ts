// The OpenID Connect `claims` request parameter (msal sends it on /authorize, /token and
// /devicecode, always with a few optional id_token claims). What it asks of the access token goes
// into the access token the fake issues, so tests can see that a claims challenge really reached
// the identity provider: `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}` gives
// `"acrs": ["c1"]`, `{"access_token":{"xms_cc":{"values":["cp1"]}}}` gives `"xms_cc": ["cp1"]`.

import { OAuthError } from "./errors";

/** Claims a request cannot set: the fake (like Entra) decides them. */
const REGISTERED = new Set(["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "oid", "tid", "scp", "azp", "appid", "ver", "uti"]);

/** Checks a `claims` parameter: absent, or a JSON object (Entra refuses anything else). */
export function parseClaimsParam(raw: string | null | undefined): Record<string, unknown> | undefined {
  if (raw === null || raw === undefined || raw === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new OAuthError("invalid_request", "AADSTS90000: The claims parameter is not a valid JSON object.");
  }
  return parsed as Record<string, unknown>;
}

/**
 * The access-token claims that one or more claims requests ask for (later requests win per claim):
 * `values` as given, `value` as given, except `acrs`, which Entra issues as the list of
 * authentication contexts satisfied.
 */
export function requestedAccessTokenClaims(...raws: (string | null | undefined)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const raw of raws) {
    const accessToken = parseClaimsParam(raw)?.["access_token"];
    if (typeof accessToken !== "object" || accessToken === null) continue;
    for (const [name, spec] of Object.entries(accessToken as Record<string, unknown>)) {
      if (REGISTERED.has(name) || typeof spec !== "object" || spec === null) continue;
      const { value, values } = spec as { value?: unknown; values?: unknown };
      if (Array.isArray(values)) out[name] = values;
      else if (value !== undefined) out[name] = name === "acrs" ? [value] : value;
    }
  }
  return out;
}
