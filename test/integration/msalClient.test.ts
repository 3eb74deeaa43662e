import * as assert from "assert";
import * as net from "net";
import { PublicClientApplication, type AccountInfo } from "@azure/msal-node";
import { decode } from "../../src/cache/storedFormat";
import { AccountsChange, groupByHomeAccount } from "../../src/msal/accounts";
import { ReauthRequiredError } from "../../src/msal/msalClient";
import { SignInAbortedError } from "../../src/util/cancellation";
import { signInWithLoopback } from "../../src/flows/loopbackFlow";
import { Logger } from "../../src/logging/logger";
import { FakeEntra, startFakeEntra, TENANT_ID } from "../fakeEntra";
import { CapturingLog } from "../support/capturingLog";
import { captureText } from "../support/leakScan";
import { CLIENT_ID, makeClient, SCOPE, signInDeviceCode, signInLoopback } from "../support/clients";
import { MemorySecretStorage, settle } from "../support/memorySecretStore";
import { TestSignal } from "../support/signal";

const ALICE = "alice@contoso.test";
const BOB = "bob@contoso.test";

function storedCache(storage: MemorySecretStorage): Record<string, Record<string, { secret?: string; home_account_id?: string }>> {
  const key = [...storage.values.keys()].find((k) => k.startsWith("msal.cache:"));
  assert.ok(key, "a cache secret was stored");
  const decoded = decode(storage.values.get(key)!);
  assert.ok(decoded.ok);
  return decoded.document.msal as ReturnType<typeof storedCache>;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => { socket.destroy(); resolve(false); });
    socket.once("error", () => resolve(true));
  });
}

describe("MSAL client against the fake Entra ID", function () {
  this.timeout(30_000);
  let fake: FakeEntra;
  let storage: MemorySecretStorage;

  beforeEach(async () => {
    fake = await startFakeEntra({ accessTokenLifetimeSec: 3600 });
    storage = new MemorySecretStorage();
  });
  afterEach(() => fake.stop());

  it("signs in with the loopback redirect and PKCE, and keeps the cache in the secret", async () => {
    const client = makeClient(fake, storage.window());
    const result = await signInLoopback(client, fake, ALICE);
    assert.strictEqual(result.account?.username, ALICE);
    assert.strictEqual(result.account?.homeAccountId, `0c8a1f3e-2b4d-4e6f-8a1c-3d5e7f9a1b2c.${TENANT_ID}`);
    const authorize = fake.requests.find((r) => r.path.endsWith("/authorize"));
    assert.strictEqual(authorize?.authorizeParams?.code_challenge_method, "S256");
    assert.ok(authorize?.authorizeParams?.code_challenge);
    assert.strictEqual(fake.tokenRequests("authorization_code").length, 1);

    const cache = storedCache(storage);
    assert.strictEqual(Object.keys(cache.RefreshToken).length, 1);
    assert.deepStrictEqual((await client.accounts()).map((a) => a.username), [ALICE]);
  });

  it("finds the user signed in after a reload, with a token from the cache and no request", async () => {
    await signInLoopback(makeClient(fake, storage.window()), fake, ALICE);
    const before = fake.tokenRequests().length;
    const reloaded = makeClient(fake, storage.window());
    const [account] = await reloaded.accounts();
    assert.strictEqual(account.username, ALICE);
    const token = await reloaded.acquireTokenSilent(account.homeAccountId, [SCOPE]);
    assert.ok(token.accessToken);
    assert.strictEqual(token.fromCache, true);
    assert.strictEqual(fake.tokenRequests().length, before, "no token request");
  });

  it("refreshes silently with the rotated refresh token, and saves the new one", async () => {
    const client = makeClient(fake, storage.window());
    const { account } = await signInLoopback(client, fake, ALICE);
    const rtBefore = Object.values(storedCache(storage).RefreshToken)[0].secret;
    const first = await client.acquireTokenSilent(account!.homeAccountId, [SCOPE], undefined, true);
    const second = await client.acquireTokenSilent(account!.homeAccountId, [SCOPE], undefined, true);
    assert.notStrictEqual(first.accessToken, second.accessToken);
    const refreshes = fake.tokenRequests("refresh_token");
    assert.strictEqual(refreshes.length, 2);
    assert.notStrictEqual(refreshes[0].refreshTokenFingerprint, refreshes[1].refreshTokenFingerprint, "rotated token used");
    assert.ok(refreshes.every((r) => r.status === 200));
    assert.notStrictEqual(Object.values(storedCache(storage).RefreshToken)[0].secret, rtBefore);
  });

  it("refreshes an expired access token from the refresh token", async () => {
    await fake.stop();
    fake = await startFakeEntra({ accessTokenLifetimeSec: 60 }); // inside MSAL's 5-minute refresh margin
    const client = makeClient(fake, storage.window());
    const { account } = await signInLoopback(client, fake, ALICE);
    const token = await client.acquireTokenSilent(account!.homeAccountId, [SCOPE]);
    assert.strictEqual(token.fromCache, false);
    assert.strictEqual(fake.tokenRequests("refresh_token").length, 1);
  });

  it("never hands out an id token within five minutes of expiry: refreshes it", async () => {
    await fake.stop();
    fake = await startFakeEntra({ idTokenLifetimeSec: 120 });
    const client = makeClient(fake, storage.window());
    const { account, idToken } = await signInLoopback(client, fake, ALICE);
    const token = await client.acquireTokenSilent(account!.homeAccountId, [SCOPE]);
    assert.strictEqual(token.fromCache, false);
    assert.notStrictEqual(token.idToken, idToken, "a new id token");
    assert.strictEqual(fake.tokenRequests("refresh_token").length, 1);
  });

  it("gets a token for another tenant of the account with the same refresh token", async () => {
    const client = makeClient(fake, storage.window());
    const { account } = await signInLoopback(client, fake, ALICE);
    const other = "11111111-2222-4333-8444-555555555555";
    const token = await client.acquireTokenSilent(account!.homeAccountId, [SCOPE], other);
    assert.strictEqual(token.tenantId, other);
    assert.strictEqual(fake.tokenRequests("refresh_token").at(-1)?.tenant, other);
    assert.deepStrictEqual((await client.accounts()).map((a) => a.username), [ALICE], "one entry per person");
  });

  it("lists accounts from the loaded cache as MSAL lists them: one per person, home profile, with its id token", async () => {
    const client = makeClient(fake, storage.window());
    const { account } = await signInLoopback(client, fake, ALICE);
    await client.acquireTokenSilent(account!.homeAccountId, [SCOPE], "11111111-2222-4333-8444-555555555555");
    await signInLoopback(client, fake, BOB);
    const pca = new PublicClientApplication({
      auth: { clientId: CLIENT_ID, authority: "https://login.microsoftonline.com/organizations", authorityMetadata: JSON.stringify(fake.openIdConfiguration("organizations")) },
    });
    pca.getTokenCache().deserialize(JSON.stringify(client.statistics().view));
    const fields = (a: AccountInfo) => [a.homeAccountId, a.environment, a.tenantId, a.username, a.localAccountId, a.name, a.idToken];
    const byMsal = [...groupByHomeAccount(await pca.getAllAccounts()).values()].map(fields);
    assert.strictEqual(byMsal.length, 2);
    assert.ok(byMsal.every((a) => a[6]), "MSAL lists each account with its id token");
    assert.deepStrictEqual((await client.accounts()).map(fields), byMsal);
  });

  it("signs in with a device code", async () => {
    const client = makeClient(fake, storage.window());
    const result = await signInDeviceCode(client, fake, BOB);
    assert.strictEqual(result.account?.username, BOB);
    assert.ok(fake.tokenRequests().some((r) => r.grantType?.includes("device_code") && r.status === 200));
    assert.strictEqual(Object.keys(storedCache(storage).RefreshToken).length, 1);
  });

  it("signs out: the account and its refresh token leave the stored secret", async () => {
    const client = makeClient(fake, storage.window());
    await signInLoopback(client, fake, ALICE);
    const bob = await signInLoopback(client, fake, BOB);
    assert.strictEqual(await client.removeAccount(bob.account!.homeAccountId), true);
    const cache = storedCache(storage);
    assert.deepStrictEqual(Object.values(cache.Account).map((a) => (a as { username?: string }).username), [ALICE]);
    assert.ok(Object.values(cache.RefreshToken).every((rt) => rt.home_account_id !== bob.account!.homeAccountId));
    assert.strictEqual(await client.removeAccount(bob.account!.homeAccountId), false);
  });

  for (const [name, fault] of [
    ["a revoked refresh token (invalid_grant)", undefined],
    ["interaction_required", { error: "interaction_required", errorDescription: "AADSTS50076: MFA required" }],
    ["bad_token", { error: "invalid_grant", suberror: "bad_token", errorDescription: "AADSTS50173: token revoked" }],
  ] as const) {
    it(`${name}: signs the account out, saves that, and never sends the dead token again`, async () => {
      const client = makeClient(fake, storage.window());
      const changes: AccountsChange[] = [];
      client.onDidChangeAccounts((c) => changes.push(c));
      const { account } = await signInLoopback(client, fake, ALICE);
      await signInLoopback(client, fake, BOB);
      if (fault) {
        fake.injectFault({ endpoint: "token", grantType: "refresh_token", ...fault });
      } else {
        fake.revokeRefreshTokens(ALICE);
      }
      await assert.rejects(client.acquireTokenSilent(account!.homeAccountId, [SCOPE], undefined, true), (err: Error) => (captureText(err.message), err instanceof ReauthRequiredError) && /Sign in again/.test(err.message));
      assert.deepStrictEqual(changes.at(-1)?.removed.map((a) => a.username), [ALICE]);
      assert.deepStrictEqual((await client.accounts()).map((a) => a.username), [BOB], "Bob is kept");
      // A new window (or a reload) reads the saved removal: the dead token is gone for good.
      const reloaded = makeClient(fake, storage.window());
      assert.deepStrictEqual((await reloaded.accounts()).map((a) => a.username), [BOB]);
      await assert.rejects(reloaded.acquireTokenSilent(account!.homeAccountId, [SCOPE], undefined, true), /not signed in/);
      assert.strictEqual(fake.tokenRequests("refresh_token").length, 1, "the rejected token was sent once");
    });
  }

  it("cancel ends the interactive attempt and frees the loopback port", async () => {
    const client = makeClient(fake, storage.window());
    const signal = new TestSignal();
    let redirectPort = 0;
    const attempt = client.signIn((pca, authority) =>
      signInWithLoopback(pca, authority, {
        scopes: [SCOPE],
        signal,
        log: new Logger(new CapturingLog()),
        openBrowser: async (url) => {
          redirectPort = Number(new URL(new URL(url).searchParams.get("redirect_uri")!).port);
          setTimeout(() => signal.cancel(), 50); // the person never signs in, then presses Cancel
        },
      }),
    );
    await assert.rejects(attempt, (err: Error) => err instanceof SignInAbortedError && err.reason === "cancelled");
    assert.ok(redirectPort > 0);
    assert.strictEqual(await portIsFree(redirectPort), true, "loopback listener closed");
    assert.deepStrictEqual(await client.accounts(), []);
  });

  it("times out an interactive attempt that never comes back", async () => {
    const client = makeClient(fake, storage.window());
    let redirectPort = 0;
    const attempt = client.signIn((pca, authority) =>
      signInWithLoopback(pca, authority, {
        scopes: [SCOPE],
        signal: new TestSignal(),
        timeoutMs: 300,
        log: new Logger(new CapturingLog()),
        openBrowser: async (url) => {
          redirectPort = Number(new URL(new URL(url).searchParams.get("redirect_uri")!).port);
        },
      }),
    );
    await assert.rejects(attempt, (err: Error) => err instanceof SignInAbortedError && err.reason === "timeout" && /timed out/.test(err.message));
    assert.strictEqual(await portIsFree(redirectPort), true);
  });

  it("cancel stops device code polling", async () => {
    const client = makeClient(fake, storage.window());
    const signal = new TestSignal();
    const attempt = client.signIn((pca, authority) =>
      signInWithDeviceCodeNoApproval(pca, authority, signal),
    );
    await new Promise((r) => setTimeout(r, 300));
    signal.cancel();
    await assert.rejects(attempt, (err: Error) => err instanceof SignInAbortedError);
    const polls = fake.tokenRequests().filter((r) => r.grantType?.includes("device_code")).length;
    await new Promise((r) => setTimeout(r, 2500));
    assert.ok(fake.tokenRequests().filter((r) => r.grantType?.includes("device_code")).length <= polls + 1, "polling stopped");
  });

  it("refuses a redirect whose state does not match, and waits for the real one", async () => {
    const client = makeClient(fake, storage.window());
    const signal = new TestSignal();
    const attempt = client.signIn((pca, authority) =>
      signInWithLoopback(pca, authority, {
        scopes: [SCOPE],
        signal,
        log: new Logger(new CapturingLog()),
        openBrowser: async (url) => void fake.completeAuthorize(url, { username: ALICE, tamperState: true }).catch(() => undefined),
      }),
    );
    while (fake.lastRedirectResult() === undefined) await new Promise((r) => setTimeout(r, 10));
    assert.strictEqual(fake.lastRedirectResult()?.status, 400, "the loopback listener refused the forged redirect");
    signal.cancel();
    await assert.rejects(attempt, (err: Error) => err instanceof SignInAbortedError);
    assert.strictEqual(fake.tokenRequests("authorization_code").length, 0, "no code was redeemed");
  });

  it("a stored cache that does not parse is set aside and the client starts empty", async () => {
    const window = storage.window();
    const key = makeClient(fake, window).key;
    storage.values.set(key, '{"version":1,"msal":{"Account":{"x":');
    const log = new CapturingLog();
    const client = makeClient(fake, storage.window(), log);
    assert.deepStrictEqual(await client.accounts(), []);
    const aside = [...storage.values.keys()].find((k) => k.startsWith("msal.corrupt:"));
    assert.ok(aside);
    assert.strictEqual(storage.values.get(aside!), '{"version":1,"msal":{"Account":{"x":');
    await signInLoopback(client, fake, ALICE);
    assert.deepStrictEqual((await makeClient(fake, storage.window()).accounts()).map((a) => a.username), [ALICE]);
  });

  it("refuses a 500 answer without an error field instead of handing out an empty token (MSAL alone takes it for success)", async () => {
    const client = makeClient(fake, storage.window());
    const { account } = await signInLoopback(client, fake, ALICE);
    fake.injectFault({ endpoint: "token", grantType: "refresh_token", status: 500, rawBody: "{}" });
    await assert.rejects(client.acquireTokenSilent(account!.homeAccountId, [SCOPE], undefined, true), /failed \(HTTP 500\)/);
    assert.deepStrictEqual((await client.accounts()).map((a) => a.username), [ALICE], "the account is kept");
  });

  it("another window's sign-in and sign-out reach this window as account changes", async () => {
    const windowA = storage.window();
    const windowB = storage.window();
    const a = makeClient(fake, windowA);
    const b = makeClient(fake, windowB);
    windowB.onDidChange((e) => e.key === b.key && void b.storageChanged());
    windowA.onDidChange((e) => e.key === a.key && void a.storageChanged());
    assert.deepStrictEqual(await b.accounts(), []);
    const changes: AccountsChange[] = [];
    b.onDidChangeAccounts((c) => changes.push(c));

    const { account } = await signInLoopback(a, fake, ALICE);
    await settle(200);
    assert.deepStrictEqual(changes.map((c) => [c.added.map((x) => x.username), c.removed.map((x) => x.username)]), [[[ALICE], []]]);
    const token = await b.acquireTokenSilent(account!.homeAccountId, [SCOPE]);
    assert.strictEqual(token.fromCache, true, "window B uses the token window A got");

    await a.removeAccount(account!.homeAccountId);
    await settle(200);
    assert.deepStrictEqual(changes.at(-1)?.removed.map((x) => x.username), [ALICE]);
    assert.deepStrictEqual(await b.accounts(), []);
  });

  it("a window that only lists accounts sees every sign-in and sign-out of another window, in order", async () => {
    const [windowA, windowB] = [storage.window(), storage.window()];
    const a = makeClient(fake, windowA);
    const b = makeClient(fake, windowB);
    windowA.onDidChange(() => void a.storageChanged());
    windowB.onDidChange(() => void b.storageChanged());
    await b.accounts();
    const seen: string[] = [];
    b.onDidChangeAccounts((c) => seen.push(...c.added.map((x) => `+${x.username}`), ...c.removed.map((x) => `-${x.username}`)));
    for (let i = 0; i < 2; i++) {
      const { account } = await signInLoopback(a, fake, ALICE);
      await settle(100);
      await a.removeAccount(account!.homeAccountId);
      await settle(100);
    }
    assert.deepStrictEqual(seen, [`+${ALICE}`, `-${ALICE}`, `+${ALICE}`, `-${ALICE}`]);
  });

  it("never writes a credential to the log", async () => {
    const log = new CapturingLog();
    const client = makeClient(fake, storage.window(), log);
    const { account, accessToken, idToken } = await signInLoopback(client, fake, ALICE, { log });
    await client.acquireTokenSilent(account!.homeAccountId, [SCOPE], undefined, true);
    fake.revokeRefreshTokens();
    await client.acquireTokenSilent(account!.homeAccountId, [SCOPE], undefined, true).catch(() => undefined);
    const cacheSecrets = Object.values(storedCache(storage)).flatMap((section) => Object.values(section).map((e) => e.secret)).filter(Boolean) as string[];
    const text = log.lines.join("\n");
    assert.ok(log.lines.length > 0);
    for (const secret of [accessToken, idToken, ...cacheSecrets]) {
      assert.ok(!text.includes(secret), "a credential reached the log");
    }
    assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]{10,}\./);
  });

  it("keeps clients apart: one secret per client id", async () => {
    const first = makeClient(fake, storage.window());
    const second = makeClient(fake, storage.window(), new CapturingLog(), "11111111-1111-4111-8111-111111111111");
    await signInLoopback(first, fake, ALICE);
    assert.deepStrictEqual(await second.accounts(), []);
    assert.notStrictEqual(first.key, second.key);
    assert.ok(first.key.includes(CLIENT_ID));
  });
});

import type { AuthenticationResult } from "@azure/msal-node";
import { signInWithDeviceCode } from "../../src/flows/deviceCodeFlow";

function signInWithDeviceCodeNoApproval(pca: PublicClientApplication, authority: string, signal: TestSignal): Promise<AuthenticationResult> {
  return signInWithDeviceCode(pca, authority, { scopes: [SCOPE], signal, log: new Logger(new CapturingLog()), showCode: () => undefined });
}
