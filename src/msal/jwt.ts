/**
 * The payload of a JWT, or undefined when it cannot be read. Not verified: only used on tokens
 * MSAL already accepted into the cache, for their expiry and a display name.
 */
export function jwtClaims(jwt: string): Record<string, unknown> | undefined {
  try {
    const payload: unknown = JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8"));
    return typeof payload === "object" && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The `exp` of a JWT's claims in epoch ms, or 0 when there is none (then MSAL decides). */
export function expiryOf(claims: Record<string, unknown> | undefined): number {
  const exp = claims?.exp;
  return typeof exp === "number" ? exp * 1000 : 0;
}
