import * as assert from "assert";
import type { TokenCache, TokenCacheContext } from "@azure/msal-node";
import { CacheDocument, MsalCache } from "../../src/cache/cacheDocument";
import { SecretCachePlugin } from "../../src/cache/secretCachePlugin";
import { decode, encode } from "../../src/cache/storedFormat";
import { CapturingLog } from "../support/capturingLog";
import { MemorySecretStorage, settle } from "../support/memorySecretStore";

/** Stands in for MSAL's TokenCache: a flat key-value memory that deserialize adds to, as MSAL's does. */
class FakeTokenCache {
  kv: Record<string, object> = {};
  loads = 0;
  getKVStore() {
    return this.kv;
  }
  deserialize(json: string): void {
    const cache = JSON.parse(json) as MsalCache;
    if ("unloadable" in cache) throw new Error("MSAL cannot load this");
    this.loads++;
    for (const [section, entries] of Object.entries(cache)) {
      for (const [key, entry] of Object.entries(entries)) this.kv[`${section}|${key}`] = entry;
    }
  }
  serialize(): string {
    const cache: MsalCache = {};
    for (const [id, entry] of Object.entries(this.kv)) {
      const [section, key] = id.split("|");
      (cache[section] ??= {})[key] = entry as Record<string, unknown>;
    }
    return JSON.stringify(cache);
  }
  accounts(): string[] {
    return Object.keys(this.kv).filter((k) => k.startsWith("Account|")).map((k) => k.slice(8)).sort();
  }
}

const KEY = "msal.cache:test";
const account = (id: string) => ({ Account: { [id]: { home_account_id: id, username: id } }, RefreshToken: { [`rt-${id}`]: { home_account_id: id, secret: `rt-of-${id}` } } });
const doc = (msal: MsalCache): CacheDocument => ({ msal, removed: {}, added: {}, stamps: {} });

function setUp(storage: MemorySecretStorage, options: ConstructorParameters<typeof SecretCachePlugin>[3] = {}) {
  const log = new CapturingLog();
  const plugin = new SecretCachePlugin(storage.window(), KEY, log, options);
  const cache = new FakeTokenCache();
  plugin.attach(cache as unknown as TokenCache);
  const access = async (change?: (c: FakeTokenCache) => void) => {
    const context = (changed: boolean) => ({ tokenCache: cache, cacheHasChanged: changed }) as unknown as TokenCacheContext;
    await plugin.beforeCacheAccess(context(false));
    change?.(cache);
    await plugin.afterCacheAccess(context(change !== undefined));
  };
  return { plugin, cache, log, access };
}

const stored = (storage: MemorySecretStorage) => {
  const decoded = decode(storage.values.get(KEY)!);
  assert.ok(decoded.ok);
  return decoded.document;
};

describe("SecretCachePlugin", () => {
  it("loads the stored cache once, then serves from memory: no reads or writes on a cache hit", async () => {
    const storage = new MemorySecretStorage();
    storage.values.set(KEY, encode(doc(account("alice"))));
    const { cache, access } = setUp(storage);
    await access();
    const [reads, writes] = [storage.reads, storage.writes];
    for (let i = 0; i < 100; i++) await access();
    assert.deepStrictEqual(cache.accounts(), ["alice"]);
    assert.strictEqual(cache.loads, 1);
    assert.strictEqual(storage.reads, reads);
    assert.strictEqual(storage.writes, writes);
    assert.strictEqual(writes, 0);
  });

  it("writes a change in the versioned format, and nothing when the content did not change", async () => {
    const storage = new MemorySecretStorage();
    const { access } = setUp(storage);
    await access((c) => c.deserialize(JSON.stringify(account("alice"))));
    assert.strictEqual(JSON.parse(storage.values.get(KEY)!).version, 1);
    assert.deepStrictEqual(Object.keys(stored(storage).msal.Account), ["alice"]);
    await access((c) => c.deserialize(JSON.stringify(account("alice")))); // "changed", same content
    assert.strictEqual(storage.writes, 1);
  });

  it("merges into what another window stored instead of replacing it", async () => {
    const storage = new MemorySecretStorage();
    const a = setUp(storage);
    const b = setUp(storage);
    await a.access();
    await b.access();
    await a.access((c) => c.deserialize(JSON.stringify(account("alice"))));
    // b has not seen alice (no change event delivered yet) and signs in bob.
    await b.access((c) => c.deserialize(JSON.stringify(account("bob"))));
    assert.deepStrictEqual(Object.keys(stored(storage).msal.Account).sort(), ["alice", "bob"]);
  });

  it("saves a sign-in of a new account with one write, so other windows read it once", async () => {
    const storage = new MemorySecretStorage();
    const { plugin, access } = setUp(storage);
    await access();
    await plugin.signIn(async () => {
      await access((c) => c.deserialize(JSON.stringify(account("alice"))));
      return "alice";
    }, (id) => id);
    assert.strictEqual(storage.writes, 1);
    assert.ok(stored(storage).added.alice, "the sign-in time is stored");
  });

  it("a sign-in overrides another window's earlier sign-out of the same account", async () => {
    const storage = new MemorySecretStorage();
    const a = setUp(storage);
    const b = setUp(storage);
    await a.access((c) => c.deserialize(JSON.stringify(account("alice"))));
    await b.plugin.storageChanged();
    await b.access();
    await a.access((c) => { for (const k of Object.keys(c.kv)) delete c.kv[k]; }); // window A signs alice out
    assert.ok(stored(storage).removed.alice, "tombstone");
    // Window B, not yet told, signs alice in again interactively: her new tokens must be kept.
    await b.plugin.signIn(async () => {
      await b.access((c) => c.deserialize(JSON.stringify({ RefreshToken: { "rt-alice": { home_account_id: "alice", secret: "new" } } })));
      return "alice";
    }, (id) => id);
    const document = stored(storage);
    assert.strictEqual(document.removed.alice, undefined, "tombstone lifted");
    assert.deepStrictEqual(Object.keys(document.msal.Account ?? {}), ["alice"]);
    assert.strictEqual((document.msal.RefreshToken["rt-alice"] as { secret: string }).secret, "new");
  });

  it("reloads when another window wrote, and ignores the echo of its own write", async () => {
    const storage = new MemorySecretStorage();
    const { plugin, cache, access } = setUp(storage);
    await access((c) => c.deserialize(JSON.stringify(account("alice"))));
    assert.strictEqual(await plugin.storageChanged(), false, "own write is not a change");
    // Another window signed alice out and bob in.
    await storage.window().store(KEY, encode({ ...doc(account("bob")), removed: { alice: Date.now() + 1 } }));
    assert.strictEqual(await plugin.storageChanged(), true);
    await access();
    assert.deepStrictEqual(cache.accounts(), ["bob"], "memory replaced, not added to");
  });

  it("writes its confirmed sign-in again when a window that read before it stores over it, once", async () => {
    const storage = new MemorySecretStorage();
    const { plugin, access } = setUp(storage);
    const stale = storage.window();
    await access((c) => c.deserialize(JSON.stringify(account("alice"))));
    assert.strictEqual(await plugin.storageChanged(), false, "confirmed: storage has alice");
    // A window that read the empty secret before alice's write stores bob over it.
    await stale.store(KEY, encode(doc(account("bob"))));
    await plugin.storageChanged();
    assert.deepStrictEqual(Object.keys(stored(storage).msal.Account).sort(), ["alice", "bob"], "alice written again, bob kept");
    const writes = storage.writes;
    await plugin.storageChanged();
    assert.strictEqual(storage.writes, writes, "and no further write once storage has it");
  });

  it("a sign-in of an account this window still had brings it back after another window's sign-out", async () => {
    const storage = new MemorySecretStorage();
    const { plugin, access } = setUp(storage);
    await access((c) => c.deserialize(JSON.stringify(account("alice"))));
    await plugin.signIn(
      async () => {
        // MSAL saves the sign-in: alice's entries, unchanged, into memory that still has her.
        await access((c) => c.deserialize(JSON.stringify(account("alice"))));
        // Meanwhile another window signed her out; this window reloads before the sign-in ends.
        await storage.window().store(KEY, encode({ ...doc({}), removed: { alice: Date.now() - 1 } }));
        await plugin.storageChanged();
        await access();
        return "alice";
      },
      (id) => id,
    );
    const document = stored(storage);
    assert.deepStrictEqual(Object.keys(document.msal.Account), ["alice"], "her account entry is back");
    assert.deepStrictEqual(Object.keys(document.msal.RefreshToken), ["rt-alice"]);
    assert.strictEqual(document.removed.alice, undefined);
  });

  it("sets an unreadable stored cache aside (kept, not deleted), logs it, and goes on", async () => {
    for (const bad of ["{not json", encode(doc(account("alice"))).slice(0, 20), '{"version":99,"msal":{}}', encode(doc({ unloadable: {} }))]) {
      const storage = new MemorySecretStorage();
      storage.values.set(KEY, bad);
      const { cache, log, access } = setUp(storage);
      await access();
      assert.deepStrictEqual(cache.accounts(), [], "starts with an empty cache");
      const aside = [...storage.values.keys()].filter((k) => k.startsWith("msal.corrupt:"));
      assert.strictEqual(aside.length, 1, bad);
      assert.strictEqual(storage.values.get(aside[0]), bad, "the original value is kept as it was");
      assert.ok(log.lines.some((l) => l.startsWith("warn") && l.includes(aside[0])), log.lines.join("\n"));
      await access((c) => c.deserialize(JSON.stringify(account("bob"))));
      assert.deepStrictEqual(Object.keys(stored(storage).msal.Account), ["bob"], "a new sign-in is saved");
    }
  });

  it("repairs the stored cache with what it knew when another window wrote garbage", async () => {
    const storage = new MemorySecretStorage();
    const { plugin, access } = setUp(storage);
    await access((c) => c.deserialize(JSON.stringify(account("alice"))));
    await storage.window().store(KEY, "garbage");
    await plugin.storageChanged();
    assert.deepStrictEqual(Object.keys(stored(storage).msal.Account), ["alice"]);
  });

  it("keeps working in memory when secret storage fails or hangs, warns once, and saves when it works again", async () => {
    for (const fault of ["throw", "hang"] as const) {
      const storage = new MemorySecretStorage();
      storage.values.set(KEY, encode(doc(account("carol"))));
      storage.failing = fault;
      const warnings: string[] = [];
      const { cache, access } = setUp(storage, { onStorageProblem: (m) => warnings.push(m), storageTimeoutMs: 50, retryDelayMs: 20 });
      await access((c) => c.deserialize(JSON.stringify(account("alice"))));
      await access((c) => c.deserialize(JSON.stringify(account("bob"))));
      assert.deepStrictEqual(cache.accounts(), ["alice", "bob"], "usable in memory");
      assert.strictEqual(warnings.length, 1, fault);
      assert.match(warnings[0], /keyring/);
      storage.failing = undefined;
      await settle(300); // the retry timer saves
      assert.deepStrictEqual(Object.keys(stored(storage).msal.Account).sort(), ["alice", "bob", "carol"], "merged, nothing lost");
    }
  });
});
