import { isSpecialScope } from "../scopes/scopeRequest";

/**
 * Claims challenges. A resource that wants a token with more in it answers 401 with, for example,
 * `WWW-Authenticate: Bearer realm="", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsi…"`
 * (Entra ID's Continuous Access Evaluation and Conditional Access authentication contexts); the
 * caller then asks the editor for a token carrying those claims:
 * `vscode.authentication.getSession("msal", { wwwAuthenticate, fallbackScopes }, options)`.
 *
 * VS Code 1.139 parses the header itself: its AuthenticationService (workbench) splits it into
 * `{ scheme, params }` challenges and calls the provider's `getSessionsFromChallenges` and, when a
 * session must be created, `createSessionFromChallenges` with `{ challenges, fallbackScopes }`.
 * Values arrive unquoted but not decoded (claims are still base64), names as the resource wrote
 * them. This module turns that into a token request; it is given what another extension sent, so
 * it checks everything.
 */
export interface AuthChallenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** What the editor passes to the challenge methods (`AuthenticationConstraint`, proposed API in 1.139). */
export interface AuthConstraint {
  readonly challenges: readonly AuthChallenge[];
  readonly fallbackScopes?: readonly string[];
}

export interface ChallengeRequest {
  /** Scopes as callers give them to getSession (special `VSCODE_*` scopes included): for parseScopes. */
  readonly scopes: readonly string[];
  /** The claims request as JSON text, for MSAL's `claims`; undefined when the challenge has none. */
  readonly claims?: string;
  /** The challenge's `error` parameter (e.g. `insufficient_claims`), for the log. */
  readonly error?: string;
}

/** Real claims challenges are a few hundred characters; anything far larger is refused unread. */
export const MAX_CLAIMS_LENGTH = 16 * 1024;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
// RFC 6750 error codes are short tokens; anything else is left out of the log.
const ERROR_CODE = /^[\x21\x23-\x5B\x5D-\x7E]{1,64}$/;

export class ChallengeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChallengeError";
  }
}

/**
 * The token request for the editor's challenges: the claims of the Bearer challenge that has them,
 * and its `scope` parameter, else the caller's `fallbackScopes`. The caller's special `VSCODE_*`
 * scopes are kept either way: they pick the client and the tenant, which a resource cannot know.
 */
export function readChallenges(input: unknown): ChallengeRequest {
  const constraint = asConstraint(input);
  const bearer = constraint.challenges.filter((c) => c.scheme.toLowerCase() === "bearer");
  if (bearer.length === 0) {
    const schemes = constraint.challenges.map((c) => c.scheme).join(", ") || "none";
    throw new ChallengeError(`The WWW-Authenticate value has no Bearer challenge (schemes: ${schemes}). Pass the header of the resource's 401 answer as it came.`);
  }
  // Several Bearer challenges: the one with claims is the one this provider can act on.
  const chosen = bearer.find((c) => param(c, "claims") !== undefined) ?? bearer[0];
  const claims = param(chosen, "claims");
  const error = param(chosen, "error");
  return {
    scopes: scopesFor(param(chosen, "scope"), constraint.fallbackScopes),
    claims: claims === undefined ? undefined : decodeClaims(claims),
    error: error !== undefined && ERROR_CODE.test(error) ? error : undefined,
  };
}

/** A `claims` parameter (base64 or base64url of a JSON object, or the JSON itself) as compact JSON. */
export function decodeClaims(value: string): string {
  const text = value.trim();
  if (text.length === 0) {
    throw new ChallengeError("The challenge's claims parameter is empty.");
  }
  if (text.length > MAX_CLAIMS_LENGTH) {
    throw new ChallengeError(`The challenge's claims are ${text.length} characters long; at most ${MAX_CLAIMS_LENGTH} are accepted.`);
  }
  // Entra ID sends base64; some resources send the JSON as it is.
  if (!text.startsWith("{") && !BASE64.test(text)) {
    throw new ChallengeError("The challenge's claims are neither base64 nor JSON. Pass the WWW-Authenticate header as the resource sent it.");
  }
  const json = text.startsWith("{") ? text : Buffer.from(text, "base64").toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ChallengeError("The challenge's claims do not decode to JSON. Pass the WWW-Authenticate header as the resource sent it.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ChallengeError("The challenge's claims must be a JSON object, such as {\"access_token\":{…}}.");
  }
  return JSON.stringify(parsed);
}

/** The names a claims request asks for (`access_token.acrs`), without values: enough for a log line. */
export function claimNames(claims: string): string[] {
  const parsed = JSON.parse(claims) as Record<string, unknown>;
  return Object.entries(parsed).flatMap(([token, requested]) =>
    typeof requested === "object" && requested !== null && !Array.isArray(requested) ? Object.keys(requested).map((name) => `${token}.${name}`) : [token],
  );
}

function scopesFor(scopeParam: string | undefined, fallback: readonly string[] | undefined): readonly string[] {
  const fromChallenge = scopeParam?.split(/\s+/).filter((s) => s.length > 0) ?? [];
  if (fromChallenge.length > 0) {
    return [...fromChallenge, ...(fallback ?? []).filter(isSpecialScope)];
  }
  if (fallback && fallback.length > 0) {
    return fallback;
  }
  throw new ChallengeError("The challenge names no scope and no fallbackScopes were given: pass fallbackScopes, the scopes of the token the resource refused.");
}

/** Parameter names are case-insensitive (RFC 9110, 11.2). */
function param(challenge: AuthChallenge, name: string): string | undefined {
  const key = Object.keys(challenge.params).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : challenge.params[key];
}

function asConstraint(input: unknown): AuthConstraint {
  const value = (typeof input === "object" && input !== null ? input : {}) as { challenges?: unknown; fallbackScopes?: unknown };
  if (!Array.isArray(value.challenges)) {
    throw new ChallengeError("Expected { challenges, fallbackScopes } from the editor; got no challenges. Pass { wwwAuthenticate, fallbackScopes } to getSession.");
  }
  const challenges = value.challenges.map((c: unknown, index): AuthChallenge => {
    const challenge = (typeof c === "object" && c !== null ? c : {}) as { scheme?: unknown; params?: unknown };
    if (typeof challenge.scheme !== "string") {
      throw new ChallengeError(`Challenge ${index} has no authentication scheme.`);
    }
    const params = typeof challenge.params === "object" && challenge.params !== null ? challenge.params : {};
    return { scheme: challenge.scheme.trim(), params: Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => typeof e[1] === "string")) };
  });
  const fallback = value.fallbackScopes;
  if (fallback !== undefined && !(Array.isArray(fallback) && fallback.every((s) => typeof s === "string"))) {
    throw new ChallengeError("fallbackScopes must be an array of strings.");
  }
  return { challenges, fallbackScopes: fallback as readonly string[] | undefined };
}
