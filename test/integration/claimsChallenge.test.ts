// Claims challenges with real MSAL against the fake Entra ID: the challenge as VS Code hands it to
// the provider, read by src/challenges, turned into MSAL requests by the client and the flows.
import * as assert from "assert";
import { decodeJwt } from "jose";
import { readChallenges } from "../../src/challenges/claimsChallenge";
import { classifyError } from "../../src/msal/errors";
import { parseScopes } from "../../src/scopes/scopeRequest";
import { FakeEntra, startFakeEntra } from "../fakeEntra";
import { CapturingLog } from "../support/capturingLog";
import { makeClient, SCOPE, signInDeviceCode, signInLoopback } from "../support/clients";
import { MemorySecretStorage } from "../support/memorySecretStore";
import { TestSignal } from "../support/signal";

const ALICE = "alice@contoso.test";
const ACRS = JSON.stringify({ access_token: { acrs: { essential: true, value: "c1" } } });

/** A resource's `WWW-Authenticate: Bearer …, error="insufficient_claims", claims="<base64>"`, as VS Code parses it. */
function challengeFor(claims: string) {
  const request = readChallenges({
    challenges: [{ scheme: "Bearer", params: { realm: "", error: "insufficient_claims", claims: Buffer.from(claims).toString("base64") } }],
    fallbackScopes: [SCOPE],
  });
  return { claims: request.claims, scopes: parseScopes(request.scopes).scopes };
}

/** What a token request asked of the access token (msal adds optional id_token claims to every request). */
function accessTokenClaimsSent(claims: string | undefined): unknown {
  return (JSON.parse(claims ?? "{}") as { access_token?: unknown }).access_token;
}

describe("claims challenges against the fake Entra ID", function () {
  this.timeout(30_000);
  let fake: FakeEntra;
  let storage: MemorySecretStorage;

  beforeEach(async () => {
    fake = await startFakeEntra();
    storage = new MemorySecretStorage();
  });
  afterEach(() => fake.stop());

  it("forces a refresh carrying the claims: the new token has them, the cached one is not returned", async () => {
    const client = makeClient(fake, storage.window());
    const { account } = await signInLoopback(client, fake, ALICE);
    const alice = account!.homeAccountId;
    const cached = await client.acquireTokenSilent(alice, [SCOPE]);
    assert.strictEqual(cached.fromCache, true);
    fake.clearRequests();

    const challenge = challengeFor(ACRS);
    const answered = await client.acquireTokenSilent(alice, challenge.scopes, undefined, true, challenge.claims);
    const refreshes = fake.tokenRequests("refresh_token");
    assert.strictEqual(refreshes.length, 1, "one token request");
    assert.deepStrictEqual(accessTokenClaimsSent(refreshes[0]!.claims), { acrs: { essential: true, value: "c1" } });
    assert.strictEqual(answered.fromCache, false);
    assert.notStrictEqual(answered.accessToken, cached.accessToken);
    assert.deepStrictEqual(decodeJwt(answered.accessToken)["acrs"], ["c1"]);
    assert.strictEqual(decodeJwt(cached.accessToken)["acrs"], undefined);

    // The token with the claims replaced the cached one: later plain requests get it, from memory.
    const later = await client.acquireTokenSilent(alice, [SCOPE]);
    assert.strictEqual(later.accessToken, answered.accessToken);
    assert.strictEqual(fake.tokenRequests().length, 1, "no further token request");
    // And it is what another window finds in storage.
    const other = makeClient(fake, storage.window());
    assert.strictEqual((await other.acquireTokenSilent(alice, [SCOPE])).accessToken, answered.accessToken);
  });

  it("claims that need the user: the account stays signed in, and a sign-in with the claims satisfies them", async () => {
    const log = new CapturingLog();
    const client = makeClient(fake, storage.window(), log);
    const alice = (await signInLoopback(client, fake, ALICE)).account!.homeAccountId;
    // What Entra ID answers when the claims ask for multi-factor authentication the session lacks.
    fake.injectFault({
      endpoint: "token",
      grantType: "refresh_token",
      error: "invalid_grant",
      suberror: "basic_action",
      errorDescription: "AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication to access the resource.",
    });
    const challenge = challengeFor(ACRS);
    const err = await client.acquireTokenSilent(alice, challenge.scopes, undefined, true, challenge.claims).then(
      () => assert.fail("the refresh with claims should have been refused"),
      (e: unknown) => e,
    );
    assert.strictEqual(classifyError(err), "reauth");
    assert.deepStrictEqual((await client.accounts()).map((a) => a.username), [ALICE], "alice is still signed in");
    assert.ok((await client.acquireTokenSilent(alice, [SCOPE])).accessToken, "her tokens still work without the claims");
    assert.ok(log.lines.some((l) => /The claims for alice@contoso\.test need an interactive sign-in/.test(l)), log.lines.join("\n"));

    fake.clearRequests();
    const signedIn = await signInLoopback(client, fake, ALICE, { claims: challenge.claims, scopes: challenge.scopes });
    const authorize = fake.requests.find((r) => r.path.endsWith("/authorize"));
    assert.deepStrictEqual(accessTokenClaimsSent(authorize?.claims), { acrs: { essential: true, value: "c1" } });
    assert.deepStrictEqual(decodeJwt(signedIn.accessToken)["acrs"], ["c1"]);
  });

  it("device code sign-in carries the claims too", async () => {
    const client = makeClient(fake, storage.window());
    const result = await signInDeviceCode(client, fake, ALICE, new TestSignal(), challengeFor(ACRS).claims);
    assert.deepStrictEqual(accessTokenClaimsSent(fake.requests.find((r) => r.path.endsWith("/devicecode"))?.claims), { acrs: { essential: true, value: "c1" } });
    assert.deepStrictEqual(decodeJwt(result.accessToken)["acrs"], ["c1"]);
  });
});
