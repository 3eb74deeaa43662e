import * as assert from "assert";
import { createApi, tokenRequest } from "../../src/api/extensionApi";
import { resolveSettings } from "../../src/config/settings";
import { Logger } from "../../src/logging/logger";
import { ClientRegistry } from "../../src/msal/clientRegistry";
import { parseScopes } from "../../src/scopes/scopeRequest";
import { FakeEntra, startFakeEntra, TENANT_ID } from "../fakeEntra";
import { CapturingLog } from "../support/capturingLog";
import { CLIENT_ID, SCOPE, signInLoopback } from "../support/clients";
import { MemorySecretStorage } from "../support/memorySecretStore";

describe("extension API for other extensions", function () {
  this.timeout(30_000);
  let fake: FakeEntra;
  beforeEach(async () => (fake = await startFakeEntra()));
  afterEach(() => fake.stop());

  it("lists accounts with every tenant they hold a profile in, and reports changes", async () => {
    const settings = resolveSettings({ clientId: CLIENT_ID, authority: fake.authority("organizations") });
    assert.ok(settings.ok);
    const registry = new ClientRegistry(settings.settings, new MemorySecretStorage().window(), new Logger(new CapturingLog()));
    const client = registry.clientFor();
    const api = createApi(registry, () => client.accounts());
    const added: string[] = [];
    api.onDidChangeAccounts((e) => added.push(...e.added.map((a) => a.username)));
    await client.accounts();
    const { account } = await signInLoopback(client, fake, "alice@contoso.test");
    const guest = "11111111-2222-4333-8444-555555555555";
    await client.acquireTokenSilent(account!.homeAccountId, [SCOPE], guest);
    const [alice] = await api.listAccounts();
    assert.strictEqual(alice.username, "alice@contoso.test");
    assert.strictEqual(alice.id, account!.homeAccountId);
    assert.deepStrictEqual(alice.tenants, [TENANT_ID, guest]);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepStrictEqual(added, ["alice@contoso.test"]);
    api.dispose();
  });

  it("builds getSession arguments that the provider accepts, never a token", () => {
    const request = tokenRequest({ account: { id: "a.b", username: "alice@contoso.test", tenants: [] }, scopes: ["User.Read"], tenant: "contoso.com", clientId: CLIENT_ID });
    assert.deepStrictEqual(request, {
      providerId: "msal",
      scopes: ["User.Read", "VSCODE_TENANT:contoso.com", `VSCODE_CLIENT_ID:${CLIENT_ID}`],
      options: { account: { id: "a.b", label: "alice@contoso.test" } },
    });
    const parsed = parseScopes(request.scopes);
    assert.strictEqual(parsed.tenant, "contoso.com");
    assert.strictEqual(parsed.clientId, CLIENT_ID);
  });
});
