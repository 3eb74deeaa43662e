import * as assert from "assert";
import { classifyError } from "../../src/msal/errors";
import { MsalClient } from "../../src/msal/msalClient";
import { FakeEntra, startFakeEntra } from "../fakeEntra";
import { CapturingLog } from "../support/capturingLog";
import { captureText } from "../support/leakScan";
import { CLIENT_ID, makeClient, SCOPE, signInLoopback } from "../support/clients";
import { MemorySecretStorage } from "../support/memorySecretStore";

const OTHER_SCOPE = "6f7c9a1e-0000-4000-8000-000000000002/.default";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("identity provider faults: back off, say why, keep what is good", function () {
  this.timeout(30_000);
  let fake: FakeEntra;
  let client: MsalClient;
  let alice: string;
  const refreshes = () => fake.tokenRequests("refresh_token").length;

  beforeEach(async () => {
    fake = await startFakeEntra();
    client = makeClient(fake, new MemorySecretStorage().window(), new CapturingLog(), CLIENT_ID, { requestTimeoutMs: 500 });
    alice = (await signInLoopback(client, fake, "alice@contoso.test")).account!.homeAccountId;
    await client.acquireTokenSilent(alice, [OTHER_SCOPE]); // a second good token, cached
  });
  afterEach(() => fake.stop());

  const expectKept = async () => {
    assert.deepStrictEqual((await client.accounts()).map((a) => a.username), ["alice@contoso.test"], "the account is kept");
    const cached = await client.acquireTokenSilent(alice, [OTHER_SCOPE]);
    assert.strictEqual(cached.fromCache, true, "a still-valid token is still served");
  };

  it("429 with Retry-After: a clear error, no request before Retry-After, then back to normal", async () => {
    fake.injectFault({ endpoint: "token", grantType: "refresh_token", status: 429, error: "temporarily_unavailable", retryAfterSec: 1 });
    await assert.rejects(client.acquireTokenSilent(alice, [SCOPE], undefined, true), (err: Error) => (captureText(err.message), classifyError(err) === "throttled") && /asked to slow down \(HTTP 429\).*Retry-After: 1/.test(err.message));
    const sent = refreshes();
    for (let i = 0; i < 5; i++) {
      await assert.rejects(client.acquireTokenSilent(alice, [SCOPE], undefined, true), /No request was sent/);
    }
    assert.strictEqual(refreshes(), sent, "nothing sent before Retry-After");
    await expectKept();
    await sleep(1100);
    const token = await client.acquireTokenSilent(alice, [SCOPE], undefined, true);
    assert.ok(token.accessToken);
    assert.strictEqual(refreshes(), sent + 1);
  });

  for (const [name, fault] of [
    ["500 with an error body", { status: 500, error: "server_error", errorDescription: "AADSTS90033: A transient error has occurred." }],
    ["503 with Retry-After", { status: 503, rawBody: "Service Unavailable", retryAfterSec: 1 }],
    ["a 502 garbage body", { status: 502, rawBody: "<html>Bad gateway</html>" }],
    ["a 500 whose JSON has no error field", { status: 500, rawBody: "{}" }],
    ["an answer that never comes in time", { delayMs: 2000 }],
  ] as const) {
    it(`${name}: a clear error, backs off, keeps the account and its good tokens`, async () => {
      fake.injectFault({ endpoint: "token", grantType: "refresh_token", ...fault });
      const err = await client.acquireTokenSilent(alice, [SCOPE], undefined, true).then(
        () => assert.fail("expected an error"),
        (e: Error) => e,
      );
      captureText(err.message);
      assert.ok(["server", "network", "throttled"].includes(classifyError(err)), `${classifyError(err)}: ${err.message}`);
      assert.match(err.message, /HTTP 5\d\d|did not answer|not JSON|failed|AADSTS90033: A transient error/);
      const sent = refreshes();
      await assert.rejects(client.acquireTokenSilent(alice, [SCOPE], undefined, true), /No request was sent/);
      assert.strictEqual(refreshes(), sent, "backed off");
      await expectKept();
    });
  }

  it("an unreachable identity provider: a clear error, the account and cached tokens are kept", async () => {
    await fake.stop();
    await assert.rejects(client.acquireTokenSilent(alice, [SCOPE], undefined, true), (err: Error) => classifyError(err) === "network" && /could not be reached/.test(err.message));
    await expectKept();
  });

  it("twenty concurrent silent requests for an expired token cause one token request", async () => {
    await fake.stop();
    fake = await startFakeEntra({ accessTokenLifetimeSec: 60 }); // inside MSAL's 5-minute refresh margin: expired at once
    client = makeClient(fake, new MemorySecretStorage().window());
    alice = (await signInLoopback(client, fake, "alice@contoso.test")).account!.homeAccountId;
    fake.setAccessTokenLifetime(3600); // the refreshed token is good for an hour
    const results = await Promise.all(Array.from({ length: 20 }, () => client.acquireTokenSilent(alice, [SCOPE])));
    assert.strictEqual(refreshes(), 1, "one refresh");
    assert.strictEqual(new Set(results.map((r) => r.accessToken)).size, 1, "everyone got the refreshed token");
  });
});
