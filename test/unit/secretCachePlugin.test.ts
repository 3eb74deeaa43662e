import * as assert from "assert";
import type { TokenCacheContext } from "@azure/msal-node";
import { SecretCachePlugin } from "../../src/cache/secretCachePlugin";
import { encode } from "../../src/cache/storedFormat";
import { CapturingLog } from "../support/capturingLog";
import { MemorySecretStorage, settle } from "../support/memorySecretStore";

/** Stands in for MSAL's TokenCache: what it was given and what it would serialize. */
class FakeTokenCache {
  loaded: string[] = [];
  memory = "{}";
  deserialize(cache: string): void {
    if (cache.includes("unloadable")) throw new Error("MSAL cannot load this");
    this.loaded.push(cache);
    this.memory = cache;
  }
  serialize(): string {
    return this.memory;
  }
}

const context = (cache: FakeTokenCache, cacheHasChanged: boolean) =>
  ({ tokenCache: cache, cacheHasChanged, hasChanged: cacheHasChanged }) as unknown as TokenCacheContext;

const KEY = "msal.cache:test";
const ALICE = JSON.stringify({ Account: { alice: { username: "alice" } } });
const BOB = JSON.stringify({ Account: { bob: { username: "bob" } } });

describe("SecretCachePlugin", () => {
  it("loads the stored cache once, then leaves MSAL's memory alone: no reads or writes on a cache hit", async () => {
    const storage = new MemorySecretStorage();
    storage.values.set(KEY, encode(ALICE));
    const plugin = new SecretCachePlugin(storage.window(), KEY, new CapturingLog());
    const cache = new FakeTokenCache();
    await plugin.beforeCacheAccess(context(cache, false));
    await plugin.afterCacheAccess(context(cache, false));
    const [reads, writes] = [storage.reads, storage.writes];
    for (let i = 0; i < 100; i++) {
      await plugin.beforeCacheAccess(context(cache, false));
      await plugin.afterCacheAccess(context(cache, false));
    }
    assert.deepStrictEqual(cache.loaded.map((c) => JSON.parse(c)), [JSON.parse(ALICE)]);
    assert.strictEqual(storage.reads, reads);
    assert.strictEqual(storage.writes, writes);
    assert.strictEqual(writes, 0);
  });

  it("writes a changed cache in the versioned format, and only when it really changed", async () => {
    const storage = new MemorySecretStorage();
    const plugin = new SecretCachePlugin(storage.window(), KEY, new CapturingLog());
    const cache = new FakeTokenCache();
    await plugin.beforeCacheAccess(context(cache, false));
    cache.memory = ALICE;
    await plugin.afterCacheAccess(context(cache, true));
    assert.strictEqual(storage.values.get(KEY), encode(ALICE));
    await plugin.afterCacheAccess(context(cache, true)); // MSAL said "changed", content is the same
    assert.strictEqual(storage.writes, 1);
  });

  it("reloads when another window wrote, and ignores the echo of its own write", async () => {
    const storage = new MemorySecretStorage();
    const plugin = new SecretCachePlugin(storage.window(), KEY, new CapturingLog());
    const cache = new FakeTokenCache();
    await plugin.beforeCacheAccess(context(cache, false));
    cache.memory = ALICE;
    await plugin.afterCacheAccess(context(cache, true));
    assert.strictEqual(await plugin.refreshFromStore(), false, "own write is not a change");

    await storage.window().store(KEY, encode(BOB));
    assert.strictEqual(await plugin.refreshFromStore(), true);
    await plugin.beforeCacheAccess(context(cache, false));
    assert.deepStrictEqual(JSON.parse(cache.loaded.at(-1)!), JSON.parse(BOB));
  });

  it("sets an unreadable stored cache aside (kept, not deleted), logs it, and starts empty", async () => {
    for (const bad of ["{not json", encode(ALICE).slice(0, 20), '{"version":99,"msal":{}}', encode('{"unloadable":1}')]) {
      const storage = new MemorySecretStorage();
      storage.values.set(KEY, bad);
      const log = new CapturingLog();
      const plugin = new SecretCachePlugin(storage.window(), KEY, log);
      const cache = new FakeTokenCache();
      await plugin.beforeCacheAccess(context(cache, false));
      assert.strictEqual(cache.memory, "{}", "starts with an empty cache");
      const aside = [...storage.values.keys()].filter((k) => k.startsWith("msal.corrupt:"));
      assert.strictEqual(aside.length, 1, bad);
      assert.strictEqual(storage.values.get(aside[0]), bad, "the original value is kept as it was");
      assert.ok(log.lines.some((l) => l.startsWith("warn") && l.includes(aside[0])), log.lines.join("\n"));
    }
  });

  it("keeps working in memory when secret storage fails, warns once, and saves when it works again", async () => {
    const storage = new MemorySecretStorage();
    storage.failing = "throw";
    const warnings: string[] = [];
    const plugin = new SecretCachePlugin(storage.window(), KEY, new CapturingLog(), (m) => warnings.push(m));
    const cache = new FakeTokenCache();
    await plugin.beforeCacheAccess(context(cache, false));
    cache.memory = ALICE;
    await plugin.afterCacheAccess(context(cache, true));
    cache.memory = BOB;
    await plugin.afterCacheAccess(context(cache, true));
    assert.strictEqual(warnings.length, 1);
    assert.match(warnings[0], /keyring/);
    storage.failing = undefined;
    await plugin.afterCacheAccess(context(cache, false));
    assert.strictEqual(storage.values.get(KEY), encode(BOB));
    await settle();
  });
});
