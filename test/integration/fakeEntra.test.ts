// Integration tests of the fake Microsoft Entra ID (test/fakeEntra) against the REAL
// @azure/msal-node PublicClientApplication, plus direct HTTP checks of the fake.
// msal is pointed at the fake as /work/shared/notes/msal-node-facts.md describes:
// an https authority string plus authorityMetadata whose endpoints are http://127.0.0.1.

import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import {
  AuthError,
  InteractionRequiredAuthError,
  LogLevel,
  PublicClientApplication,
  ServerError,
  type AccountInfo,
  type AuthenticationResult,
} from "@azure/msal-node";
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import fc from "fast-check";
import { startFakeEntra, TENANT_ID, type FakeEntra } from "../fakeEntra";

const CLIENT_ID = "3b4f1c2d-8e9a-4b6c-9d1e-2f3a4b5c6d7e";
const GUEST_TENANT = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
const SCOPES = ["https://graph.microsoft.com/User.Read"];
const ALICE = "alice@contoso.test";
const BOB = "bob@contoso.test";

/** Observed msal error shapes, printed once at the end (they feed the project's notes). */
const observed: Record<string, string> = {};

function describeError(e: unknown): string {
  if (e instanceof AuthError) {
    return `${e.constructor.name} errorCode=${e.errorCode} subError=${e.subError || "-"} instanceof ServerError=${e instanceof ServerError} instanceof InteractionRequiredAuthError=${e instanceof InteractionRequiredAuthError}`;
  }
  return e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
}

async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return assert.fail("expected the promise to reject");
}

function newApp(fake: FakeEntra): PublicClientApplication {
  return new PublicClientApplication({
    auth: {
      clientId: CLIENT_ID,
      authority: "https://login.microsoftonline.com/organizations",
      authorityMetadata: JSON.stringify(fake.openIdConfiguration("organizations")),
    },
    system: { loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => undefined } },
  });
}

function signIn(fake: FakeEntra, app: PublicClientApplication, username?: string): Promise<AuthenticationResult> {
  return app.acquireTokenInteractive({ scopes: SCOPES, openBrowser: (url) => fake.completeAuthorize(url, { username }) });
}

function cachedRefreshTokens(app: PublicClientApplication): string[] {
  const cache = JSON.parse(app.getTokenCache().serialize()) as { RefreshToken?: Record<string, { secret: string }> };
  return Object.values(cache.RefreshToken ?? {}).map((rt) => rt.secret);
}

function sha12(s: string): string {
  return createHash("sha256").update(s).digest("hex").slice(0, 12);
}

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Gets an authorization code without msal: POSTs the picker like the sign-in page does. */
async function codeFor(fake: FakeEntra, challenge: string, redirectUri = "http://localhost:1/"): Promise<string> {
  const q = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: "code",
    redirect_uri: redirectUri,
    response_mode: "form_post",
    scope: "openid profile offline_access User.Read",
    state: "s1",
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  const res = await postForm(`${fake.url}/organizations/oauth2/v2.0/authorize?${q}`, { username: ALICE });
  const html = await res.text();
  const code = /name="code" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(code, `no code in ${html.slice(0, 300)}`);
  return code;
}

describe("fake Entra ID with real msal-node", function () {
  this.timeout(5000);
  let fake: FakeEntra;
  let app: PublicClientApplication;

  beforeEach(async () => {
    fake = await startFakeEntra();
    app = newApp(fake);
  });
  afterEach(async () => {
    await fake.stop();
  });
  after(() => {
    // Opt-in: the lines feed the project's msal notes but would clutter every test run.
    if (!process.env["FAKE_ENTRA_OBSERVED"]) return;
    console.log("\n    observed msal errors:");
    for (const [k, v] of Object.entries(observed)) console.log(`      ${k}: ${v}`);
  });

  it("interactive sign-in through the loopback form_post gives a proper account and verifiable tokens", async () => {
    const result = await signIn(fake, app);
    const alice = fake.users.find((u) => u.username === ALICE)!;
    assert.ok(result.account);
    assert.equal(result.account.homeAccountId, `${alice.oid}.${alice.tid}`);
    assert.equal(result.account.username, ALICE);
    assert.equal(result.account.tenantId, TENANT_ID);
    assert.equal(result.account.environment, "login.windows.net");
    assert.equal(result.tokenType, "Bearer");

    const auth = fake.requests.find((r) => r.path.endsWith("/authorize"));
    assert.equal(auth?.authorizeParams?.["response_mode"], "form_post");
    assert.equal(auth?.authorizeParams?.["code_challenge_method"], "S256");
    assert.equal(fake.lastRedirectResult()?.status, 200);

    const keys = createLocalJWKSet((await fake.jwks()) as Parameters<typeof createLocalJWKSet>[0]);
    const id = await jwtVerify(result.idToken, keys, { audience: CLIENT_ID, issuer: `https://login.microsoftonline.com/${TENANT_ID}/v2.0` });
    assert.equal(id.payload["oid"], alice.oid);
    assert.equal(id.payload["nonce"], auth?.authorizeParams?.["nonce"]); // msal sent one, so it comes back
    const at = await jwtVerify(result.accessToken, keys);
    assert.equal(at.payload["scp"], "User.Read");
    assert.equal(at.payload["tid"], TENANT_ID);
    assert.deepEqual(
      fake.tokenRequests().map((r) => [r.grantType, r.status]),
      [["authorization_code", 200]],
    );
  });

  it("login_hint preselects the user in the headless browser", async () => {
    const result = await app.acquireTokenInteractive({
      scopes: SCOPES,
      loginHint: BOB,
      openBrowser: (url) => fake.completeAuthorize(url),
    });
    assert.equal(result.account?.username, BOB);
  });

  it("acquireTokenSilent is served from the cache without a token request", async () => {
    const first = await signIn(fake, app);
    const silent = await app.acquireTokenSilent({ account: first.account!, scopes: SCOPES });
    assert.equal(silent.accessToken, first.accessToken);
    assert.equal(silent.fromCache, true);
    assert.equal(fake.tokenRequests().length, 1);
  });

  it("forceRefresh refreshes with rotation: each refresh sends the newest refresh token, the old one is dead", async () => {
    const first = await signIn(fake, app);
    const rt0 = cachedRefreshTokens(app);
    assert.equal(rt0.length, 1);
    const r1 = await app.acquireTokenSilent({ account: first.account!, scopes: SCOPES, forceRefresh: true });
    const rt1 = cachedRefreshTokens(app);
    const r2 = await app.acquireTokenSilent({ account: first.account!, scopes: SCOPES, forceRefresh: true });
    const refreshes = fake.tokenRequests("refresh_token");
    assert.equal(refreshes.length, 2);
    assert.deepEqual(refreshes.map((r) => r.status), [200, 200]);
    assert.equal(refreshes[0]!.refreshTokenFingerprint, sha12(rt0[0]!));
    assert.equal(refreshes[1]!.refreshTokenFingerprint, sha12(rt1[0]!));
    assert.notEqual(rt0[0], rt1[0]);
    assert.notEqual(r1.accessToken, r2.accessToken);
    // Reuse of a rotated refresh token fails like Entra.
    const reuse = await postForm(`${fake.url}/organizations/oauth2/v2.0/token`, {
      client_id: CLIENT_ID,
      grant_type: "refresh_token",
      refresh_token: rt0[0]!,
      scope: "openid offline_access User.Read",
    });
    assert.equal(reuse.status, 400);
    assert.equal(((await reuse.json()) as { error: string }).error, "invalid_grant");
    // The record never holds the token itself.
    assert.ok(!JSON.stringify(fake.requests).includes(rt0[0]!));
  });

  it("claims: recorded on /authorize and /token, and what they ask of the access token is in it", async () => {
    const acrs = JSON.stringify({ access_token: { acrs: { essential: true, value: "c1" } } });
    const first = await app.acquireTokenInteractive({ scopes: SCOPES, claims: acrs, openBrowser: (url) => fake.completeAuthorize(url) });
    const authorize = fake.requests.find((r) => r.path.endsWith("/authorize"));
    // msal adds its optional id_token claims to what the caller asked for.
    assert.deepEqual(JSON.parse(authorize?.claims ?? "{}").access_token, { acrs: { essential: true, value: "c1" } });
    assert.deepEqual(JSON.parse(fake.tokenRequests("authorization_code")[0]?.claims ?? "{}").access_token, { acrs: { essential: true, value: "c1" } });
    assert.deepEqual(decodeJwt(first.accessToken)["acrs"], ["c1"]);

    // Silent with claims: msal skips its cached token and refreshes, sending the claims.
    const xmsCc = JSON.stringify({ access_token: { xms_cc: { values: ["cp1"] }, nbf: { essential: true, value: "1" } } });
    const refreshed = await app.acquireTokenSilent({ account: first.account!, scopes: SCOPES, claims: xmsCc });
    assert.equal(fake.tokenRequests("refresh_token").length, 1);
    const token = decodeJwt(refreshed.accessToken);
    assert.deepEqual(token["xms_cc"], ["cp1"]);
    assert.equal(token["acrs"], undefined, "claims of an earlier request are not carried over");
    assert.notEqual(token["nbf"], 1, "a request cannot set the registered claims");
    // Without claims, msal sends only its id_token defaults: nothing lands in the access token.
    const plain = await app.acquireTokenSilent({ account: first.account!, scopes: SCOPES, forceRefresh: true });
    assert.equal(JSON.parse(fake.tokenRequests("refresh_token")[1]?.claims ?? "{}").access_token, undefined);
    assert.equal(decodeJwt(plain.accessToken)["xms_cc"], undefined);
  });

  it("claims: device code carries them from /devicecode into the token", async () => {
    const acrs = JSON.stringify({ access_token: { acrs: { essential: true, value: "c2" } } });
    const result = await app.acquireTokenByDeviceCode({ scopes: SCOPES, claims: acrs, deviceCodeCallback: (r) => fake.approveDeviceCode(r.userCode, BOB) });
    assert.ok(fake.requests.find((r) => r.path.endsWith("/devicecode"))?.claims?.includes('"c2"'));
    assert.deepEqual(decodeJwt(result!.accessToken)["acrs"], ["c2"]);
  });

  it("a tenant-specific request authority reuses the organizations metadata (tenant path replaced)", async () => {
    const first = await signIn(fake, app);
    const home = await app.acquireTokenSilent({
      account: first.account!,
      scopes: SCOPES,
      authority: `https://login.microsoftonline.com/${TENANT_ID}`,
      forceRefresh: true,
    });
    assert.equal(home.tenantId, TENANT_ID);
    assert.equal(fake.tokenRequests("refresh_token")[0]?.path, `/${TENANT_ID}/oauth2/v2.0/token`);

    // A guest tenant: the token carries that tenant's tid; the account gets a second tenant profile.
    const guest = await app.acquireTokenSilent({
      account: first.account!,
      scopes: SCOPES,
      authority: `https://login.microsoftonline.com/${GUEST_TENANT}`,
      forceRefresh: true,
    });
    assert.equal(guest.tenantId, GUEST_TENANT);
    assert.equal(decodeJwt(guest.accessToken)["tid"], GUEST_TENANT);
    assert.equal(guest.account?.homeAccountId, first.account!.homeAccountId);
    const accounts: AccountInfo[] = await app.getAllAccounts();
    assert.deepEqual(accounts.map((a) => a.tenantId).sort(), [GUEST_TENANT, TENANT_ID].sort());
  });

  it("device code flow: authorization_pending until approved, then tokens (msal sends grant_type=device_code)", async () => {
    let message = "";
    const result = await app.acquireTokenByDeviceCode({
      scopes: SCOPES,
      deviceCodeCallback: (r) => {
        message = r.message;
        setTimeout(() => fake.approveDeviceCode(r.userCode, BOB), 200);
      },
    });
    assert.equal(result?.account?.username, BOB);
    assert.match(message, /^To sign in, use a web browser to open the page http:\/\/127\.0\.0\.1:\d+\/devicelogin and enter the code [A-Z0-9]{9} to authenticate\.$/);
    const polls = fake.tokenRequests("device_code");
    assert.ok(polls.length >= 2);
    assert.equal(polls[0]!.grantType, "device_code");
    assert.equal(polls[0]!.error, "authorization_pending");
    assert.equal(polls.at(-1)!.status, 200);
  });

  it("device code declined: msal stops polling with an error", async () => {
    const e = await rejectionOf(
      app.acquireTokenByDeviceCode({ scopes: SCOPES, deviceCodeCallback: (r) => fake.declineDeviceCode(r.userCode) }),
    );
    observed["device code declined"] = describeError(e);
    assert.ok(e instanceof AuthError);
    assert.match(e.message, /authorization_declined/);
  });

  it("revoked refresh token: invalid_grant surfaces as a plain ServerError", async () => {
    const first = await signIn(fake, app);
    fake.revokeRefreshTokens(ALICE);
    const e = await rejectionOf(app.acquireTokenSilent({ account: first.account!, scopes: SCOPES, forceRefresh: true }));
    observed["revoked refresh token"] = describeError(e);
    assert.ok(e instanceof ServerError);
    assert.ok(!(e instanceof InteractionRequiredAuthError));
    assert.equal(e.errorCode, "invalid_grant");
    assert.match(e.errorMessage, /AADSTS50173/);
    assert.equal(fake.tokenRequests("refresh_token")[0]?.status, 400);
  });

  for (const suberror of [undefined, "bad_token", "basic_action"]) {
    it(`interaction_required${suberror ? `/${suberror}` : ""} fault gives InteractionRequiredAuthError`, async () => {
      const first = await signIn(fake, app);
      fake.injectFault({ endpoint: "token", grantType: "refresh_token", error: "interaction_required", suberror });
      const e = await rejectionOf(app.acquireTokenSilent({ account: first.account!, scopes: SCOPES, forceRefresh: true }));
      observed[`interaction_required${suberror ? `/${suberror}` : ""}`] = describeError(e);
      assert.ok(e instanceof InteractionRequiredAuthError);
      assert.equal(e.errorCode, "interaction_required");
      assert.equal(e.subError, suberror ?? "");
    });
  }

  it("invalid_grant with suberror bad_token is an InteractionRequiredAuthError too", async () => {
    const first = await signIn(fake, app);
    fake.injectFault({ endpoint: "token", grantType: "refresh_token", error: "invalid_grant", suberror: "bad_token" });
    const e = await rejectionOf(app.acquireTokenSilent({ account: first.account!, scopes: SCOPES, forceRefresh: true }));
    observed["invalid_grant/bad_token"] = describeError(e);
    assert.ok(e instanceof InteractionRequiredAuthError);
  });

  it("429 with Retry-After: msal rejects, the fake records the header, msal then throttles locally", async () => {
    const first = await signIn(fake, app);
    fake.injectFault({ endpoint: "token", grantType: "refresh_token", status: 429, retryAfterSec: 2 });
    const e = await rejectionOf(app.acquireTokenSilent({ account: first.account!, scopes: SCOPES, forceRefresh: true }));
    observed["429 Retry-After"] = describeError(e);
    assert.ok(e instanceof ServerError);
    const rec = fake.tokenRequests("refresh_token")[0]!;
    assert.equal(rec.status, 429);
    assert.equal(rec.retryAfterSec, 2);
    assert.equal(rec.faulted, true);
    // Without a cache plugin msal answers the repeat from its throttle record, no request.
    const again = await rejectionOf(app.acquireTokenSilent({ account: first.account!, scopes: SCOPES, forceRefresh: true }));
    observed["429 repeat within Retry-After"] = describeError(again);
    assert.equal(fake.tokenRequests("refresh_token").length, 1);
    // The refresh token was not consumed by the faulted request.
    assert.equal(cachedRefreshTokens(app).length, 1);
  });

  it("500 whose JSON body has no error field, and a non-JSON 502", async () => {
    const first = await signIn(fake, app);
    fake.injectFault({ endpoint: "token", grantType: "refresh_token", status: 500, rawBody: '{"message":"oops"}' });
    let outcome: string;
    try {
      const r = await app.acquireTokenSilent({ account: first.account!, scopes: SCOPES, forceRefresh: true });
      outcome = `resolved, accessToken length=${r.accessToken.length}`;
    } catch (e) {
      outcome = `rejected: ${describeError(e)}`;
    }
    observed["500 without error field"] = outcome;

    const app2 = newApp(fake); // fresh msal: no throttle record from the 500
    const second = await signIn(fake, app2);
    fake.injectFault({ endpoint: "token", grantType: "refresh_token", status: 502, rawBody: "<html><body>Bad Gateway</body></html>" });
    const e = await rejectionOf(app2.acquireTokenSilent({ account: second.account!, scopes: SCOPES, forceRefresh: true }));
    observed["502 non-JSON"] = describeError(e);
    assert.ok(e instanceof AuthError);
  });

  it("PKCE: a wrong code_verifier is rejected (and burns the code); the right one works on a fresh code", async () => {
    const { verifier, challenge } = pkcePair();
    const code = await codeFor(fake, challenge);
    const token = `${fake.url}/organizations/oauth2/v2.0/token`;
    const base = { client_id: CLIENT_ID, grant_type: "authorization_code", redirect_uri: "http://localhost:1/", scope: "openid offline_access User.Read" };
    const bad = await postForm(token, { ...base, code, code_verifier: pkcePair().verifier });
    assert.equal(bad.status, 400);
    assert.match(bad.headers.get("content-type") ?? "", /^application\/json; charset=utf-8$/);
    assert.match(bad.headers.get("cache-control") ?? "", /no-store/);
    const body = (await bad.json()) as { error: string; error_description: string; error_codes: number[]; trace_id: string; correlation_id: string };
    assert.equal(body.error, "invalid_grant");
    assert.match(body.error_description, /^AADSTS501481: /);
    assert.deepEqual(body.error_codes, [501481]);
    assert.ok(body.trace_id && body.correlation_id);
    const reused = await postForm(token, { ...base, code, code_verifier: verifier });
    assert.match(((await reused.json()) as { error_description: string }).error_description, /AADSTS54005/);

    const code2 = await codeFor(fake, challenge);
    const good = await postForm(token, { ...base, code: code2, code_verifier: verifier });
    assert.equal(good.status, 200);
    const tokens = (await good.json()) as Record<string, unknown>;
    assert.equal(tokens["token_type"], "Bearer");
    assert.ok(tokens["refresh_token"] && tokens["id_token"] && tokens["client_info"]);
    assert.equal(decodeJwt(tokens["id_token"] as string)["nonce"], undefined); // no nonce asked, none given
    const missing = await postForm(token, { ...base, code: await codeFor(fake, challenge) });
    assert.equal(missing.status, 400);
  });

  it("a tampered state is refused by msal's loopback (400) and msal keeps waiting for the real answer", async () => {
    let authorizeUrl = "";
    // openBrowser returns after the tampered post, so msal's own wait for the answer is what we observe.
    const pending = app.acquireTokenInteractive({
      scopes: SCOPES,
      openBrowser: async (url) => {
        authorizeUrl = url;
        await fake.completeAuthorize(url, { tamperState: true });
      },
    });
    let settled = false;
    pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    while (fake.lastRedirectResult() === undefined) await new Promise((r) => setTimeout(r, 10));
    assert.equal(fake.lastRedirectResult()?.status, 400);
    assert.match(fake.lastRedirectResult()?.body ?? "", /Invalid authorization response state/);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(settled, false, "msal settled on a wrong state");
    assert.equal(fake.tokenRequests().length, 0);
    // The genuine answer still completes the sign-in.
    await fake.completeAuthorize(authorizeUrl);
    const result = await pending;
    assert.equal(result.account?.username, ALICE);
    assert.equal(fake.tokenRequests("authorization_code").length, 1);
    observed["tampered state"] = "loopback answers 400 'Invalid authorization response state.'; msal neither rejects nor resolves (keeps waiting)";
  });

  it("deny on the sign-in page: msal rejects with access_denied", async () => {
    const e = await rejectionOf(
      app.acquireTokenInteractive({ scopes: SCOPES, openBrowser: (url) => fake.completeAuthorize(url, { deny: true }) }),
    );
    observed["deny (access_denied)"] = describeError(e);
    assert.ok(e instanceof ServerError);
    assert.equal(e.errorCode, "access_denied");
    assert.match(e.errorMessage, /AADSTS65004/);
    assert.equal(fake.tokenRequests().length, 0);
  });

  it("hang fault: stop() ends promptly and the pending msal call fails", async () => {
    const first = await signIn(fake, app);
    fake.injectFault({ endpoint: "token", grantType: "refresh_token", hang: true });
    const pending = rejectionOf(app.acquireTokenSilent({ account: first.account!, scopes: SCOPES, forceRefresh: true }));
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(fake.tokenRequests("refresh_token")[0]?.status, 0);
    const t0 = Date.now();
    await fake.stop();
    assert.ok(Date.now() - t0 < 500, `stop took ${Date.now() - t0} ms`);
    const e = await pending;
    observed["hang then stop()"] = describeError(e);
    assert.ok(e instanceof AuthError);
  });

  it("delay fault: the answer comes late but normally", async () => {
    const first = await signIn(fake, app);
    fake.injectFault({ endpoint: "token", grantType: "refresh_token", delayMs: 300 });
    const t0 = Date.now();
    await app.acquireTokenSilent({ account: first.account!, scopes: SCOPES, forceRefresh: true });
    assert.ok(Date.now() - t0 >= 290);
    assert.equal(fake.tokenRequests("refresh_token")[0]?.faulted, true);
  });
});

describe("fake Entra ID over plain HTTP", function () {
  this.timeout(5000);
  let fake: FakeEntra;
  beforeEach(async () => {
    fake = await startFakeEntra();
  });
  afterEach(async () => {
    await fake.stop();
  });

  it("serves discovery documents like Entra for aliases, GUIDs and domains", async () => {
    for (const [tenant, issuer, seg] of [
      ["organizations", "https://login.microsoftonline.com/{tenantid}/v2.0", "organizations"],
      ["common", "https://login.microsoftonline.com/{tenantid}/v2.0", "common"],
      [TENANT_ID, `https://login.microsoftonline.com/${TENANT_ID}/v2.0`, TENANT_ID],
      ["contoso.test", `https://login.microsoftonline.com/${TENANT_ID}/v2.0`, TENANT_ID],
    ] as const) {
      const res = await fetch(`${fake.url}/${tenant}/v2.0/.well-known/openid-configuration`);
      assert.equal(res.status, 200);
      const doc = (await res.json()) as Record<string, unknown>;
      assert.equal(doc["issuer"], issuer);
      assert.equal(doc["token_endpoint"], `${fake.url}/${seg}/oauth2/v2.0/token`);
      assert.equal(doc["jwks_uri"], `${fake.url}/${seg}/discovery/v2.0/keys`);
      assert.ok((doc["response_modes_supported"] as string[]).includes("form_post"));
      assert.deepEqual(doc, fake.openIdConfiguration(tenant));
    }
    const unknown = await fetch(`${fake.url}/nowhere.example/v2.0/.well-known/openid-configuration`);
    assert.equal(unknown.status, 400);
    assert.equal(((await unknown.json()) as { error: string }).error, "invalid_tenant");

    const inst = await fetch(
      `${fake.url}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent("https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize")}`,
    );
    const body = (await inst.json()) as { tenant_discovery_endpoint: string; metadata: unknown[] };
    assert.equal(body.tenant_discovery_endpoint, `${fake.url}/organizations/v2.0/.well-known/openid-configuration`);
    assert.ok(body.metadata.length > 0);
    const keys = (await (await fetch(`${fake.url}/organizations/discovery/v2.0/keys`)).json()) as { keys: { kid: string; d?: string }[] };
    assert.equal(keys.keys.length, 1);
    assert.equal(keys.keys[0]!.d, undefined);
  });

  it("sign-in page: exact picker markup, relative form action, cancel button", async () => {
    const { challenge } = pkcePair();
    const q = new URLSearchParams({
      client_id: CLIENT_ID,
      response_type: "code",
      redirect_uri: "http://localhost:5555",
      response_mode: "form_post",
      scope: "openid User.Read",
      code_challenge: challenge,
      code_challenge_method: "S256",
      login_hint: BOB,
    });
    const res = await fetch(`${fake.url}/organizations/oauth2/v2.0/authorize?${q}`);
    const html = await res.text();
    assert.equal(res.status, 200);
    assert.match(html, /<title>Sign in to your account<\/title>/);
    assert.ok(html.includes('<button type="submit" name="username" value="alice@contoso.test" data-testid="pick-user">'));
    assert.ok(html.includes('<button type="submit" name="username" value="bob@contoso.test" data-testid="pick-user">'));
    assert.match(html, /<form id="signin" method="post" action="authorize\?client_id=/);
    assert.match(html, /data-default-user="bob@contoso.test"/);
    assert.match(html, /name="action" value="cancel"/);
  });

  it("authorize validation: bad redirect_uri is an error page, missing PKCE goes back to the app", async () => {
    const base = { client_id: CLIENT_ID, response_type: "code", response_mode: "form_post", scope: "openid", state: "xyz" };
    const evil = await fetch(`${fake.url}/organizations/oauth2/v2.0/authorize?${new URLSearchParams({ ...base, redirect_uri: "https://evil.example/cb" })}`);
    assert.equal(evil.status, 400);
    assert.match(await evil.text(), /AADSTS50011/);
    const noPkce = await fetch(`${fake.url}/organizations/oauth2/v2.0/authorize?${new URLSearchParams({ ...base, redirect_uri: "http://127.0.0.1:4444/cb" })}`);
    const html = await noPkce.text();
    assert.match(html, /<form method="post" action="http:\/\/127\.0\.0\.1:4444\/cb">/);
    assert.match(html, /name="error" value="invalid_request"/);
    assert.match(html, /name="state" value="xyz"/);
    assert.match(html, /<script>document\.forms\[0\]\.submit\(\)<\/script>/);
  });

  it("claims that are not a JSON object are refused on /authorize and /token", async () => {
    const { challenge } = pkcePair();
    const query = { client_id: CLIENT_ID, response_type: "code", response_mode: "form_post", scope: "openid", state: "s", redirect_uri: "http://127.0.0.1:4444/cb", code_challenge: challenge, code_challenge_method: "S256", claims: "[1]" };
    const html = await (await fetch(`${fake.url}/organizations/oauth2/v2.0/authorize?${new URLSearchParams(query)}`)).text();
    assert.match(html, /name="error" value="invalid_request"/);
    assert.match(html, /claims parameter is not a valid JSON object/);
    const token = await postForm(`${fake.url}/organizations/oauth2/v2.0/token`, { client_id: CLIENT_ID, grant_type: "refresh_token", refresh_token: "x", claims: "{" });
    assert.equal(token.status, 400);
    assert.match(((await token.json()) as { error_description: string }).error_description, /claims parameter is not a valid JSON object/);
  });

  it("device login pages: enter code, pick a user, done", async () => {
    const dc = await postForm(`${fake.url}/organizations/oauth2/v2.0/devicecode`, { client_id: CLIENT_ID, scope: "openid offline_access User.Read" });
    const body = (await dc.json()) as { user_code: string; device_code: string; verification_uri: string; interval: number; expires_in: number };
    assert.equal(body.verification_uri, `${fake.url}/devicelogin`);
    assert.equal(body.expires_in, 900);
    assert.deepEqual(fake.lastDeviceCode(), { userCode: body.user_code, deviceCode: body.device_code });
    const page = await (await fetch(body.verification_uri)).text();
    assert.match(page, /name="otc" data-testid="device-code-input"/);
    assert.match(page, /action="devicelogin"/);
    const picker = await (await postForm(`${fake.url}/devicelogin`, { otc: body.user_code.toLowerCase() })).text();
    assert.ok(picker.includes('data-testid="pick-user"'));
    const pending = await postForm(`${fake.url}/organizations/oauth2/v2.0/token`, {
      client_id: CLIENT_ID,
      grant_type: "urn:ietf:params:oauth:grant-type:device_code",
      device_code: body.device_code,
    });
    assert.equal(((await pending.json()) as { error: string }).error, "authorization_pending");
    const done = await (await postForm(`${fake.url}/devicelogin`, { otc: body.user_code, username: ALICE })).text();
    assert.match(done, /data-testid="device-done"/);
    const ok = await postForm(`${fake.url}/organizations/oauth2/v2.0/token`, {
      client_id: CLIENT_ID,
      grant_type: "urn:ietf:params:oauth:grant-type:device_code",
      device_code: body.device_code,
    });
    assert.equal(ok.status, 200);
  });

  it("expired device code gives expired_token", async () => {
    const dc = (await (await postForm(`${fake.url}/organizations/oauth2/v2.0/devicecode`, { client_id: CLIENT_ID, scope: "openid" })).json()) as {
      user_code: string;
      device_code: string;
    };
    fake.expireDeviceCode(dc.user_code);
    const r = await postForm(`${fake.url}/organizations/oauth2/v2.0/token`, { client_id: CLIENT_ID, grant_type: "device_code", device_code: dc.device_code });
    assert.equal(((await r.json()) as { error: string }).error, "expired_token");
  });

  it("robustness: 404, 405, 413, bad client, public client with secret, garbage input, unsupported grant", async () => {
    assert.equal((await fetch(`${fake.url}/nope`)).status, 404);
    assert.equal((await fetch(`${fake.url}/organizations/oauth2/v2.0/token`)).status, 405);
    const big = await postForm(`${fake.url}/organizations/oauth2/v2.0/token`, { x: "a".repeat(70 * 1024) });
    assert.equal(big.status, 413);
    const token = `${fake.url}/organizations/oauth2/v2.0/token`;
    const notGuid = await postForm(token, { client_id: "not-a-guid", grant_type: "refresh_token", refresh_token: "x" });
    assert.equal(((await notGuid.json()) as { error: string }).error, "unauthorized_client");
    const secret = await postForm(token, { client_id: CLIENT_ID, client_secret: "s", grant_type: "refresh_token", refresh_token: "x" });
    assert.equal(secret.status, 401);
    assert.equal(((await secret.json()) as { error: string }).error, "invalid_client");
    const grant = await postForm(token, { client_id: CLIENT_ID, grant_type: "password" });
    assert.equal(((await grant.json()) as { error: string }).error, "unsupported_grant_type");
    const json = await fetch(token, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{" });
    assert.equal(json.status, 400);
    assert.equal((await fetch(`${fake.url}/%E0%A4%A/v2.0/.well-known/openid-configuration`)).status, 400);
    const multi = await postForm(`${fake.url}/organizations/oauth2/v2.0/devicecode`, {
      client_id: CLIENT_ID,
      scope: "https://graph.microsoft.com/User.Read api://other/x",
    });
    assert.match(((await multi.json()) as { error_description: string }).error_description, /AADSTS28000/);
    // Still alive and recording.
    assert.equal((await fetch(`${fake.url}/organizations/v2.0/.well-known/openid-configuration`)).status, 200);
    assert.ok(fake.requests.length >= 10);
  });

  it("property: arbitrary form bodies and paths never crash the server and get an Entra-like answer", async function () {
    this.timeout(8000);
    const token = `${fake.url}/organizations/oauth2/v2.0/token`;
    const known = fc.constantFrom("client_id", "grant_type", "code", "refresh_token", "device_code", "scope", "redirect_uri", "code_verifier");
    const value = fc.oneof(fc.string(), fc.constantFrom(CLIENT_ID, "authorization_code", "refresh_token", "device_code", "openid"));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.oneof(known, fc.string()), value), async (fields) => {
        const res = await postForm(token, fields);
        assert.ok([400, 401].includes(res.status), `status ${res.status}`);
        const body = (await res.json()) as { error?: unknown; error_description?: unknown };
        assert.equal(typeof body.error, "string");
        assert.equal(typeof body.error_description, "string");
      }),
      { numRuns: 80 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string(), { maxLength: 6 }), async (segments) => {
        const path = segments.map((x) => encodeURIComponent(x)).join("/");
        const res = await fetch(`${fake.url}/${path}?${encodeURIComponent(segments.join("&"))}`);
        await res.arrayBuffer();
        assert.ok(res.status < 500, `status ${res.status} for /${path}`);
      }),
      { numRuns: 80 },
    );
    assert.equal((await fetch(`${fake.url}/organizations/v2.0/.well-known/openid-configuration`)).status, 200);
  });

  it("faults: count, FIFO, grantType filter, discovery fault, Retry-After default for 429", async () => {
    fake.injectFault({ endpoint: "discovery", status: 503, count: 2 });
    fake.injectFault({ endpoint: "token", grantType: "device_code", status: 429 });
    const d = `${fake.url}/organizations/v2.0/.well-known/openid-configuration`;
    assert.deepEqual([(await fetch(d)).status, (await fetch(d)).status, (await fetch(d)).status], [503, 503, 200]);
    const token = `${fake.url}/organizations/oauth2/v2.0/token`;
    const other = await postForm(token, { client_id: CLIENT_ID, grant_type: "refresh_token", refresh_token: "x" });
    assert.equal(other.status, 400); // not matched by the device_code fault
    const throttled = await postForm(token, { client_id: CLIENT_ID, grant_type: "urn:ietf:params:oauth:grant-type:device_code", device_code: "x" });
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get("retry-after"), "1");
    assert.equal(((await throttled.json()) as { error: string }).error, "temporarily_unavailable");
    assert.deepEqual(fake.pendingFaults(), []);
  });
});
