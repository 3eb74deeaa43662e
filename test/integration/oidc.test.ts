import * as assert from "assert";
import type { AuthenticationResult } from "@azure/msal-node";
import { decode } from "../../src/cache/storedFormat";
import { resolveSettings, Settings } from "../../src/config/settings";
import { signInWithLoopback } from "../../src/flows/loopbackFlow";
import { Logger } from "../../src/logging/logger";
import { ClientRegistry } from "../../src/msal/clientRegistry";
import { MsalClient } from "../../src/msal/msalClient";
import { OIDC_USERS, OidcTestProvider, startOidcProvider } from "../oidcProvider";
import { CapturingLog } from "../support/capturingLog";
import { MemorySecretStorage } from "../support/memorySecretStore";
import { TestSignal } from "../support/signal";

const [ALICE, BOB] = OIDC_USERS;
/**
 * Parameters and headers msal-node adds for Entra ID, which an OpenID Provider must never get
 * (`claims` only ever holds Entra's default id token claims here: nobody asks for others).
 */
const ENTRA_PARAMETER = /^(client_info|clidata|(return-)?client-request-id|claims|x-anchormailbox|x-ms-|x-client-|x-app-)/i;

function oidcSettings(op: OidcTestProvider): Settings {
  const result = resolveSettings({ protocol: "oidc", authority: op.issuer, clientId: op.clientId, signInFlow: "loopback" });
  assert.ok(result.ok, JSON.stringify(result));
  return result.settings;
}

function makeOidcClient(op: OidcTestProvider, storage: MemorySecretStorage, log = new CapturingLog()): MsalClient {
  const { clientId, target, tenant } = oidcSettings(op);
  // The provider's test CA is trusted through this agent only, not by the process.
  return new MsalClient({ clientId, target, defaultTenant: tenant, store: storage.window(), log: new Logger(log), httpsAgent: op.httpsAgent, requestTimeoutMs: 10_000 });
}

/** Interactive sign-in as the extension does it in OIDC mode; the test provider's headless browser plays the person. */
async function signIn(op: OidcTestProvider, client: MsalClient, login: string, scopes: string[] = ["openid"]): Promise<AuthenticationResult> {
  let browser: Promise<unknown> = Promise.resolve();
  try {
    return await client.signIn((pca, authority) =>
      signInWithLoopback(pca, authority, {
        scopes,
        protocol: "oidc",
        signal: new TestSignal(),
        timeoutMs: 20_000,
        log: new Logger(new CapturingLog()),
        openBrowser: async (url) => {
          browser = op.completeSignIn(url, login);
          browser.catch(() => undefined);
        },
      }),
    );
  } catch (err) {
    // A failure in the browser (the provider refused something) explains a sign-in that timed out.
    await browser.catch((browserErr: Error) => assert.fail(`the sign-in page failed: ${browserErr.message}; sign-in: ${String(err)}`));
    throw err;
  }
}

type StoredCache = Record<string, Record<string, { secret?: string; home_account_id?: string; realm?: string }>>;

function stored(storage: MemorySecretStorage, op: OidcTestProvider): { key: string; cache: StoredCache } {
  const key = `msal.cache:${op.clientId}@oidc:${op.issuer}`;
  const value = storage.values.get(key);
  assert.ok(value, `no secret ${key}; secrets: ${[...storage.values.keys()].join(", ")}`);
  const decoded = decode(value);
  assert.ok(decoded.ok);
  return { key, cache: decoded.document.msal as StoredCache };
}

describe("generic OpenID Connect against oidc-provider (a certified OpenID Provider) over https", function () {
  this.timeout(60_000);
  let op: OidcTestProvider;

  before(async () => {
    op = await startOidcProvider();
  });
  after(async () => {
    await op?.stop();
  });

  describe("one account's life: sign-in, cache, refresh, persistence, sign-out", function () {
    const storage = new MemorySecretStorage();
    const log = new CapturingLog();
    let client: MsalClient;
    let signedIn: AuthenticationResult;

    before(async () => {
      client = makeOidcClient(op, storage, log);
      signedIn = await signIn(op, client, ALICE.login);
    });

    it("signs in with the browser: authorization code, PKCE S256, consent, and no Entra parameters", () => {
      const [authorize] = op.authorizeRequests.slice(-1);
      assert.strictEqual(authorize.code_challenge_method, "S256");
      assert.ok(authorize.code_challenge);
      assert.strictEqual(authorize.response_mode, "form_post");
      assert.strictEqual(authorize.prompt, "consent", "asks for consent: without it an OpenID Provider drops offline_access (no refresh token)");
      assert.deepStrictEqual(authorize.scope.split(" ").sort(), ["offline_access", "openid", "profile"]);
      assert.deepStrictEqual(Object.keys(authorize).filter((p) => ENTRA_PARAMETER.test(p)), [], `authorize parameters: ${Object.keys(authorize).join(", ")}`);
      const [code] = op.tokenRequests("authorization_code");
      assert.strictEqual(code?.status, 200);
      assert.deepStrictEqual(code.parameters.filter((p) => ENTRA_PARAMETER.test(p)), [], `token parameters: ${code.parameters.join(", ")}`);
      assert.deepStrictEqual(code.headers.filter((h) => ENTRA_PARAMETER.test(h)), [], `token request headers: ${code.headers.join(", ")}`);
    });

    it("gives an account keyed by the subject, with no tenant, labelled by preferred_username", async () => {
      assert.strictEqual(signedIn.account?.homeAccountId, ALICE.sub);
      assert.strictEqual(signedIn.account?.tenantId, "");
      assert.strictEqual(signedIn.account?.username, "alice@oidc.test");
      assert.deepStrictEqual((await client.accounts()).map((a) => [a.homeAccountId, a.username]), [[ALICE.sub, "alice@oidc.test"]]);
    });

    it("keeps the cache, with a refresh token, in one secret for this client and issuer", () => {
      const { cache } = stored(storage, op);
      assert.strictEqual(Object.keys(cache.RefreshToken ?? {}).length, 1, "the provider issued a refresh token");
      assert.strictEqual(Object.keys(cache.AccessToken ?? {}).length, 1);
      assert.deepStrictEqual([...storage.values.keys()], [`msal.cache:${op.clientId}@oidc:${op.issuer}`]);
    });

    it("answers a silent request from the cache, without a request to the provider", async () => {
      const before = op.tokenRequests().length;
      const token = await client.acquireTokenSilent(ALICE.sub, ["openid"]);
      assert.strictEqual(token.fromCache, true);
      assert.strictEqual(token.accessToken, signedIn.accessToken);
      assert.strictEqual(token.account.username, "alice@oidc.test");
      assert.strictEqual(op.tokenRequests().length, before);
    });

    it("refreshes with the refresh_token grant at the provider, which rotates it, and saves the new one", async () => {
      const rtBefore = Object.values(stored(storage, op).cache.RefreshToken)[0].secret;
      const before = op.tokenRequests("refresh_token").length;
      const refreshed = await client.acquireTokenSilent(ALICE.sub, ["openid"], undefined, true);
      const refreshes = op.tokenRequests("refresh_token").slice(before);
      assert.deepStrictEqual(refreshes.map((r) => r.status), [200], "one refresh_token grant, accepted");
      assert.deepStrictEqual(refreshes[0].parameters.filter((p) => ENTRA_PARAMETER.test(p)), []);
      assert.deepStrictEqual(refreshes[0].headers.filter((h) => ENTRA_PARAMETER.test(h)), [], `refresh headers: ${refreshes[0].headers.join(", ")}`);
      assert.strictEqual(refreshed.fromCache, false);
      assert.notStrictEqual(refreshed.accessToken, signedIn.accessToken);
      assert.notStrictEqual(Object.values(stored(storage, op).cache.RefreshToken)[0].secret, rtBefore, "the rotated refresh token was saved");
    });

    it("is found by a fresh client over the same storage, which gets a token silently", async () => {
      const before = op.tokenRequests().length;
      const fresh = makeOidcClient(op, storage);
      assert.deepStrictEqual((await fresh.accounts()).map((a) => a.username), ["alice@oidc.test"]);
      const token = await fresh.acquireTokenSilent(ALICE.sub, ["openid"]);
      assert.strictEqual(token.fromCache, true);
      assert.strictEqual(op.tokenRequests().length, before, "no request: the cache came from storage");
      // The registry finds the client again after a restart from the secret's key (no network).
      const registry = new ClientRegistry(oidcSettings(op), storage.window(), new Logger(new CapturingLog()));
      const accounts = await Promise.all((await registry.all()).map((c) => c.accounts()));
      assert.deepStrictEqual(accounts.flat().map((a) => a.username), ["alice@oidc.test"]);
      registry.dispose();
      fresh.dispose();
    });

    it("signs out: the account and its tokens leave storage, and a fresh client finds nobody", async () => {
      assert.strictEqual(await client.removeAccount(ALICE.sub), true);
      const { cache } = stored(storage, op);
      assert.deepStrictEqual(Object.keys(cache.RefreshToken ?? {}), []);
      assert.deepStrictEqual(Object.keys(cache.AccessToken ?? {}), []);
      assert.deepStrictEqual(await makeOidcClient(op, storage).accounts(), []);
    });

    after(() => client?.dispose());
  });

  it("labels an account without preferred_username by its email claim", async () => {
    const client = makeOidcClient(op, new MemorySecretStorage());
    const result = await signIn(op, client, BOB.login, ["email"]);
    assert.strictEqual(result.account?.username, "bob@oidc.test");
    assert.strictEqual(result.account?.homeAccountId, BOB.sub, "a subject with a dot stays whole");
    const token = await client.acquireTokenSilent(BOB.sub, ["email"]);
    assert.strictEqual(token.fromCache, true);
    assert.strictEqual(token.account.username, "bob@oidc.test");
    client.dispose();
  });

  it("with a provider that keeps profile claims out of id tokens (conformIdTokenClaims), labels by the subject", async () => {
    const conforming = await startOidcProvider({ conformIdTokenClaims: true, certificates: op.certificates });
    try {
      const client = makeOidcClient(conforming, new MemorySecretStorage());
      const result = await signIn(conforming, client, ALICE.login);
      assert.strictEqual(result.account?.username, ALICE.sub);
      assert.deepStrictEqual((await client.accounts()).map((a) => a.username), [ALICE.sub]);
      client.dispose();
    } finally {
      await conforming.stop();
    }
  });
});
