import * as assert from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import { createProxy } from "proxy";
import { proxyFor } from "../../src/network/proxy";
import { FakeEntra, startFakeEntra } from "../fakeEntra";
import { CapturingLog } from "../support/capturingLog";
import { CLIENT_ID, makeClient, SCOPE, signInDeviceCode, signInLoopback } from "../support/clients";
import { MemorySecretStorage } from "../support/memorySecretStore";

describe("proxies", function () {
  this.timeout(30_000);
  let fake: FakeEntra;
  let proxy: http.Server;
  let proxyUrl: string;
  const through: string[] = [];

  beforeEach(async () => {
    fake = await startFakeEntra();
    through.length = 0;
    proxy = createProxy(http.createServer());
    // The proxy package forwards absolute-URI requests (plain http) and tunnels CONNECT (https).
    proxy.on("request", (req: http.IncomingMessage) => through.push(`${req.method} ${req.url}`));
    proxy.on("connect", (req: http.IncomingMessage) => through.push(`CONNECT ${req.url}`));
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    proxy.closeAllConnections?.();
    await new Promise((resolve) => proxy.close(resolve));
    await fake.stop();
  });

  it("sends discovery, token and refresh requests through the editor's http.proxy", async () => {
    const client = makeClient(fake, new MemorySecretStorage().window(), new CapturingLog(), CLIENT_ID, { proxy: () => ({ proxy: proxyUrl, strictSSL: true }) });
    const { account } = await signInLoopback(client, fake, "alice@contoso.test");
    await client.acquireTokenSilent(account!.homeAccountId, [SCOPE], undefined, true);
    await signInDeviceCode(client, fake, "bob@contoso.test");
    const tokenPath = new URL(`${fake.authority("organizations")}/oauth2/v2.0/token`).pathname;
    assert.ok(through.some((r) => r.startsWith("GET ") && r.includes("/.well-known/openid-configuration")), through.join("\n"));
    assert.ok(through.filter((r) => r.startsWith(`POST ${fake.url}${tokenPath}`)).length >= 3, through.join("\n"));
    assert.ok(through.some((r) => r.startsWith("POST ") && r.endsWith("/devicecode")), through.join("\n"));
    // Every request the fake saw came through the proxy.
    const viaProxy = through.filter((r) => !r.startsWith("CONNECT")).length;
    assert.strictEqual(viaProxy, fake.requests.filter((r) => !r.path.includes("/authorize") && !r.path.includes("/devicelogin")).length);
  });

  it("follows HTTPS_PROXY / NO_PROXY when the editor has no proxy setting", () => {
    const saved = { ...process.env };
    try {
      process.env.HTTPS_PROXY = "http://proxy.corp:3128";
      process.env.NO_PROXY = ".internal.corp";
      assert.strictEqual(proxyFor("https://login.microsoftonline.com/x", { strictSSL: true }), "http://proxy.corp:3128");
      assert.strictEqual(proxyFor("https://sts.internal.corp/x", { strictSSL: true }), undefined);
      assert.strictEqual(proxyFor("https://login.microsoftonline.com/x", { proxy: "http://editor:8080", strictSSL: true, noProxy: ["microsoftonline.com"] }), undefined);
      assert.strictEqual(proxyFor("https://login.microsoftonline.us/x", { proxy: "http://editor:8080", strictSSL: true, noProxy: ["microsoftonline.com"] }), "http://editor:8080");
    } finally {
      process.env = saved;
    }
  });

  it("a proxy that is down gives an error that names the proxy setting, and keeps the account", async () => {
    const client = makeClient(fake, new MemorySecretStorage().window());
    const { account } = await signInLoopback(client, fake, "alice@contoso.test");
    const offline = makeClient(fake, new MemorySecretStorage().window(), new CapturingLog(), CLIENT_ID, { proxy: () => ({ proxy: "http://127.0.0.1:9", strictSSL: true }) });
    await assert.rejects(offline.accounts(), /proxy/);
    assert.ok(account);
  });
});
