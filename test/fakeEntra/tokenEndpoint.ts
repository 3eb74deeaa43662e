// POST /{tenant}/oauth2/v2.0/token: authorization_code (PKCE S256), refresh_token
// (rotated on every use), device_code. Errors are thrown as OAuthError and turned into
// Entra JSON bodies by the router.

import { recordIssued } from "./issued";
import { createHash } from "node:crypto";
import type { FakeUser } from "./types";
import type { FakeState } from "./state";
import { OAuthError, missingParam } from "./errors";
import { grantScopes } from "./scopes";
import { resolveTenant, tokenTenant, type TenantKind } from "./tenants";
import { clientInfo, mintAccessToken, mintIdToken, opaque } from "./tokens";
import { normalizeGrantType } from "./faults";
import { parseClaimsParam, requestedAccessTokenClaims } from "./claims";

export type TokenResponse = Record<string, string | number>;

export function checkTenant(segment: string, state: FakeState): TenantKind {
  const t = resolveTenant(segment, state.users);
  if (t.kind === "unknown") throw new OAuthError("invalid_request", `AADSTS90002: ${t.reason}`);
  return t;
}

/** client_id checks shared by the token and devicecode endpoints. */
export function checkClient(fields: URLSearchParams, state: FakeState, tid: string): string {
  const clientId = fields.get("client_id");
  if (!clientId) throw missingParam("client_id");
  if (!state.isClientAllowed(clientId)) {
    throw new OAuthError(
      "unauthorized_client",
      `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${tid}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
    );
  }
  // These are public clients: Entra refuses a secret from them.
  if (fields.has("client_secret") || fields.has("client_assertion")) {
    throw new OAuthError(
      "invalid_client",
      "AADSTS700025: Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
    );
  }
  return clientId;
}

/** Builds a successful token response for `user` in tenant `tid`. */
export async function issueTokens(
  state: FakeState,
  p: { user: FakeUser; tid: string; clientId: string; scope: string; nonce?: string; requestedClaims?: Record<string, unknown> },
): Promise<TokenResponse> {
  const scopes = grantScopes(p.scope);
  if (!scopes.ok) throw new OAuthError("invalid_scope", scopes.description);
  const g = scopes.grant;
  const mint = {
    user: p.user,
    tid: p.tid,
    clientId: p.clientId,
    nonce: p.nonce,
    audience: g.audience,
    scp: g.scp,
    accessTokenLifetimeSec: state.lifetimes.accessTokenSec,
    idTokenLifetimeSec: state.lifetimes.idTokenSec,
    requestedClaims: p.requestedClaims,
  };
  const body: TokenResponse = {
    token_type: "Bearer",
    scope: g.responseScope,
    expires_in: state.lifetimes.accessTokenSec,
    ext_expires_in: state.lifetimes.accessTokenSec,
    access_token: await mintAccessToken(mint),
  };
  // Like Entra: a refresh token only with offline_access, an id token only with openid.
  if (g.offlineAccess) {
    const rt = opaque("1.AFake.", 64);
    state.refreshTokens.set(rt, {
      clientId: p.clientId,
      user: p.user,
      state: "active",
      expiresAt: Date.now() + state.lifetimes.refreshTokenSec * 1000,
    });
    body["refresh_token"] = rt;
  }
  if (g.openid) body["id_token"] = await mintIdToken(mint);
  body["client_info"] = clientInfo(p.user);
  recordIssued(body.access_token as string, body["refresh_token"] as string | undefined, body["id_token"] as string | undefined);
  return body;
}

function s256(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

async function authorizationCode(state: FakeState, tenant: TenantKind, clientId: string, f: URLSearchParams): Promise<TokenResponse> {
  const code = f.get("code");
  if (!code) throw missingParam("code");
  const grant = state.codes.get(code);
  if (!grant) throw new OAuthError("invalid_grant", "AADSTS9002313: Invalid request. Request is malformed or invalid.");
  if (grant.used) {
    throw new OAuthError(
      "invalid_grant",
      "AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
    );
  }
  // Single use, even when this redemption fails below (a code is never retried).
  grant.used = true;
  if (Date.now() > grant.expiresAt) {
    throw new OAuthError(
      "invalid_grant",
      "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
    );
  }
  if (grant.clientId !== clientId) {
    throw new OAuthError("invalid_grant", "AADSTS70000: The provided authorization code was issued to a different client.");
  }
  const redirectUri = f.get("redirect_uri");
  if (redirectUri !== grant.redirectUri) {
    throw new OAuthError(
      "invalid_grant",
      `AADSTS50011: The redirect URI '${redirectUri ?? ""}' does not match the redirect URI used in the authorization request.`,
    );
  }
  const verifier = f.get("code_verifier");
  if (!verifier || s256(verifier) !== grant.codeChallenge) {
    throw new OAuthError(
      "invalid_grant",
      "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.",
    );
  }
  // The token path may name a tenant too; the authorize tenant wins when it is specific.
  const t = grant.tenant.kind === "guid" ? grant.tenant : tenant;
  return issueTokens(state, {
    user: grant.user,
    tid: tokenTenant(t, grant.user),
    clientId,
    scope: f.get("scope") ?? grant.scope,
    nonce: grant.nonce,
    requestedClaims: requestedAccessTokenClaims(grant.claims, f.get("claims")),
  });
}

async function refreshToken(state: FakeState, tenant: TenantKind, clientId: string, f: URLSearchParams): Promise<TokenResponse> {
  const rt = f.get("refresh_token");
  if (!rt) throw missingParam("refresh_token");
  const grant = state.refreshTokens.get(rt);
  if (!grant) throw new OAuthError("invalid_grant", "AADSTS9002313: Invalid request. Request is malformed or invalid.");
  if (grant.state === "revoked") {
    throw new OAuthError(
      "invalid_grant",
      "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
    );
  }
  if (grant.state === "rotated") {
    throw new OAuthError("invalid_grant", "AADSTS70000: The provided grant has already been used. Use the refresh token returned with it.");
  }
  if (Date.now() > grant.expiresAt) {
    throw new OAuthError(
      "invalid_grant",
      "AADSTS700082: The refresh token has expired due to inactivity. The token was issued on a date and was inactive for 90.00:00:00.",
    );
  }
  if (grant.clientId !== clientId) {
    throw new OAuthError("invalid_grant", "AADSTS700003: Device object was not found in the tenant directory or the refresh token was issued to a different client.");
  }
  // Rotate: the presented token is dead from now on; the new one comes in the response.
  const body = await issueTokens(state, {
    user: grant.user,
    tid: tokenTenant(tenant, grant.user),
    clientId,
    scope: f.get("scope") ?? "openid profile offline_access",
    // A refresh with claims is how a client answers a claims challenge without the user.
    requestedClaims: requestedAccessTokenClaims(f.get("claims")),
  });
  grant.state = "rotated";
  return body;
}

async function deviceCode(state: FakeState, clientId: string, f: URLSearchParams): Promise<TokenResponse> {
  const dc = f.get("device_code");
  if (!dc) throw missingParam("device_code");
  const flow = state.deviceFlows.get(dc);
  if (!flow || flow.clientId !== clientId) {
    throw new OAuthError("bad_verification_code", "AADSTS70019: The device_code sent was not recognized.");
  }
  if (flow.status === "redeemed") {
    throw new OAuthError("invalid_grant", "AADSTS54005: The device code was already redeemed.");
  }
  if (Date.now() > flow.expiresAt) {
    throw new OAuthError("expired_token", "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired.");
  }
  if (flow.status === "declined") {
    throw new OAuthError("authorization_declined", "AADSTS70000: The user declined the sign-in request.");
  }
  if (flow.status === "pending" || !flow.user) {
    throw new OAuthError("authorization_pending", "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.");
  }
  flow.status = "redeemed";
  return issueTokens(state, {
    user: flow.user,
    tid: tokenTenant(flow.tenant, flow.user),
    clientId,
    scope: f.get("scope") ?? flow.scope,
    requestedClaims: requestedAccessTokenClaims(flow.claims, f.get("claims")),
  });
}

export async function handleTokenRequest(state: FakeState, tenantSegment: string, f: URLSearchParams): Promise<TokenResponse> {
  const tenant = checkTenant(tenantSegment, state);
  const clientId = checkClient(f, state, tenant.kind === "guid" ? tenant.tid : tenantSegment);
  const grantType = f.get("grant_type");
  if (!grantType) throw missingParam("grant_type");
  // Checked before any grant is looked at: a bad request consumes no code or refresh token.
  parseClaimsParam(f.get("claims"));
  switch (normalizeGrantType(grantType)) {
    case "authorization_code":
      return authorizationCode(state, tenant, clientId, f);
    case "refresh_token":
      return refreshToken(state, tenant, clientId, f);
    case "device_code":
      return deviceCode(state, clientId, f);
    default:
      throw new OAuthError("unsupported_grant_type", `AADSTS70003: The app requested an unsupported grant type '${grantType}'.`);
  }
}
