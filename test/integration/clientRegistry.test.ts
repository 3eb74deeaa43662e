import * as assert from "assert";
import { resolveSettings, Settings } from "../../src/config/settings";
import { Logger } from "../../src/logging/logger";
import { AccountsChange } from "../../src/msal/accounts";
import { ClientRegistry } from "../../src/msal/clientRegistry";
import { FakeEntra, startFakeEntra } from "../fakeEntra";
import { CapturingLog } from "../support/capturingLog";
import { CLIENT_ID, signInLoopback } from "../support/clients";
import { MemorySecretStorage, settle } from "../support/memorySecretStore";

const OTHER_CLIENT = "22222222-2222-4222-8222-222222222222";

function settingsFor(fake: FakeEntra): Settings {
  const result = resolveSettings({ clientId: CLIENT_ID, authority: fake.authority("organizations") });
  assert.ok(result.ok);
  return result.settings;
}

describe("client registry", function () {
  this.timeout(30_000);
  let fake: FakeEntra;
  beforeEach(async () => (fake = await startFakeEntra()));
  afterEach(() => fake.stop());

  it("finds a client picked with VSCODE_CLIENT_ID again after a restart, from the stored keys", async () => {
    const storage = new MemorySecretStorage();
    const first = new ClientRegistry(settingsFor(fake), storage.window(), new Logger(new CapturingLog()));
    await signInLoopback(first.clientFor(OTHER_CLIENT), fake, "alice@contoso.test");

    const restarted = new ClientRegistry(settingsFor(fake), storage.window(), new Logger(new CapturingLog()));
    const clients = await restarted.all();
    assert.deepStrictEqual(clients.map((c) => c.clientId).sort(), [CLIENT_ID, OTHER_CLIENT].sort());
    const accounts = await Promise.all(clients.map((c) => c.accounts()));
    assert.deepStrictEqual(accounts.flat().map((a) => a.username), ["alice@contoso.test"]);
  });

  it("reports the accounts of a client that another window created as added", async () => {
    const storage = new MemorySecretStorage();
    const windowB = storage.window();
    const b = new ClientRegistry(settingsFor(fake), windowB, new Logger(new CapturingLog()));
    windowB.onDidChange((e) => void b.secretChanged(e.key));
    await b.all();
    const changes: AccountsChange[] = [];
    b.onDidChangeAccounts((c) => changes.push(c));

    const a = new ClientRegistry(settingsFor(fake), storage.window(), new Logger(new CapturingLog()));
    await signInLoopback(a.clientFor(OTHER_CLIENT), fake, "bob@contoso.test");
    await settle(200);
    assert.deepStrictEqual(changes.map((c) => c.added.map((x) => x.username)), [["bob@contoso.test"]]);
  });

  it("ignores secrets of another identity provider and drops clients when the provider changes", async () => {
    const storage = new MemorySecretStorage();
    const registry = new ClientRegistry(settingsFor(fake), storage.window(), new Logger(new CapturingLog()));
    await signInLoopback(registry.clientFor(), fake, "alice@contoso.test");
    const publicCloud = resolveSettings({ clientId: CLIENT_ID });
    assert.ok(publicCloud.ok);
    registry.applySettings(publicCloud.settings);
    const clients = await registry.all();
    assert.strictEqual(clients.length, 1);
    assert.strictEqual(clients[0].key, `msal.cache:${CLIENT_ID}@https://login.microsoftonline.com`);
  });
});

describe("client registry: clearing", function () {
  it("deletes the caches kept aside, and nothing else", async () => {
    const storage = new MemorySecretStorage();
    storage.values.set("msal.corrupt:2026-01-01T00:00:00.000Z:msal.cache:x@y", "old damaged cache");
    storage.values.set("msal.cache:x@y", "{}");
    const registry = new ClientRegistry(resolveSettingsOrThrow(), storage.window(), new Logger(new CapturingLog()));
    assert.strictEqual(await registry.deleteSetAside(), 1);
    assert.deepStrictEqual([...storage.values.keys()], ["msal.cache:x@y"]);
  });
});

function resolveSettingsOrThrow(): Settings {
  const result = resolveSettings({});
  assert.ok(result.ok);
  return result.settings;
}
