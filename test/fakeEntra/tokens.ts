// Token minting: RS256 JWTs signed with jose, the JWKS that verifies them, random
// opaque values and fingerprints. One signing key per process: RSA key generation
// costs tens of milliseconds and tests start many fakes; sharing a key is harmless.

import { createHash, randomBytes, randomUUID } from "node:crypto";
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JWK } from "jose";
import type { FakeUser } from "./types";
import { oidInTenant } from "./tenants";

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

let keyPromise: Promise<SigningKey> | undefined;

export function signingKey(): Promise<SigningKey> {
  keyPromise ??= (async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    return { kid, privateKey, publicJwk };
  })();
  return keyPromise;
}

/** The key set as Entra publishes it (no private parts; `use`, `kid`, `x5t`, `issuer`). */
export async function jwks(tenantIssuer: string): Promise<{ keys: Record<string, unknown>[] }> {
  const k = await signingKey();
  return { keys: [{ kty: k.publicJwk.kty, use: "sig", kid: k.kid, x5t: k.kid, n: k.publicJwk.n, e: k.publicJwk.e, issuer: tenantIssuer }] };
}

export function issuerFor(tid: string): string {
  return `https://login.microsoftonline.com/${tid}/v2.0`;
}

/** base64url(JSON {uid, utid}) with the HOME ids: msal builds homeAccountId from it. */
export function clientInfo(user: FakeUser): string {
  return Buffer.from(JSON.stringify({ uid: user.oid, utid: user.tid.toLowerCase() })).toString("base64url");
}

/** Short SHA-256 prefix, so records can correlate secrets without holding them. */
export function fingerprint(secret: string): string {
  return createHash("sha256").update(secret).digest("hex").slice(0, 12);
}

/** An opaque, unguessable value (codes, refresh tokens, device codes). */
export function opaque(prefix: string, bytes = 48): string {
  return `${prefix}${randomBytes(bytes).toString("base64url")}`;
}

export interface MintInput {
  user: FakeUser;
  tid: string;
  clientId: string;
  nonce?: string;
  /** Resource the access token is for (aud). */
  audience: string;
  /** Space separated delegated scopes (scp). */
  scp: string;
  accessTokenLifetimeSec: number;
  idTokenLifetimeSec: number;
  /** Access-token claims a claims request asked for (see claims.ts). */
  requestedClaims?: Record<string, unknown>;
}

function pairwiseSub(oid: string, clientId: string): string {
  // Entra's `sub` is per user and application; a keyed hash imitates that.
  return createHash("sha256").update(`${oid}|${clientId}`).digest("base64url").slice(0, 43);
}

export async function mintIdToken(m: MintInput): Promise<string> {
  const k = await signingKey();
  const now = Math.floor(Date.now() / 1000);
  const oid = oidInTenant(m.user, m.tid);
  const claims: Record<string, unknown> = {
    ver: "2.0",
    oid,
    tid: m.tid,
    sub: pairwiseSub(oid, m.clientId),
    preferred_username: m.user.username,
    name: m.user.name,
    uti: randomBytes(16).toString("base64url"),
  };
  // Only echo a nonce that the authorize request carried: msal rejects an unexpected one.
  if (m.nonce) claims["nonce"] = m.nonce;
  // A guest token names the home identity provider, as Entra does.
  if (m.tid !== m.user.tid.toLowerCase()) claims["idp"] = `https://sts.windows.net/${m.user.tid.toLowerCase()}/`;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: k.kid })
    .setIssuer(issuerFor(m.tid))
    .setAudience(m.clientId)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + m.idTokenLifetimeSec)
    .sign(k.privateKey);
}

export async function mintAccessToken(m: MintInput): Promise<string> {
  const k = await signingKey();
  const now = Math.floor(Date.now() / 1000);
  const oid = oidInTenant(m.user, m.tid);
  return new SignJWT({
    // First, so that a request can never replace what the fake itself decides.
    ...m.requestedClaims,
    ver: "2.0",
    scp: m.scp,
    oid,
    tid: m.tid,
    sub: pairwiseSub(oid, m.clientId),
    azp: m.clientId,
    appid: m.clientId,
    name: m.user.name,
    preferred_username: m.user.username,
    // Unique per issue, so two tokens are never equal even within the same second.
    uti: randomBytes(16).toString("base64url"),
  })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: k.kid })
    .setIssuer(issuerFor(m.tid))
    .setAudience(m.audience)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + m.accessTokenLifetimeSec)
    .setJti(randomUUID())
    .sign(k.privateKey);
}
