import type { TokenCache, TokenCacheContext } from "@azure/msal-node";
import { MsalCache } from "../../src/cache/cacheDocument";
import { CachePluginOptions, CacheStatistics, SharedCachePlugin } from "../../src/cache/secretCachePlugin";
import { SecretStore } from "../../src/cache/secretStore";
import { LogSink } from "../../src/logging/logger";

/**
 * The baseline: a last-writer-wins cache plugin, the way VS Code's built-in Microsoft sign-in keeps
 * MSAL's cache in SecretStorage. Before every cache access it reads the secret and, when it differs
 * from what it last loaded, replaces MSAL's memory with it; after an access that changed the cache
 * it stores MSAL's whole serialized cache, replacing whatever is stored. No merge, no tombstones.
 *
 * It is correct for one window (it keeps MSAL's snapshot in step with its writes, as ours does, so a
 * single window never loses its own work); what it lacks is only the handling of other writers.
 * The stored value is MSAL's plain cache JSON.
 */
export class LastWriterWinsPlugin implements SharedCachePlugin {
  private loaded: string | undefined;
  private tokenCache: TokenCache | undefined;
  private lastSync: number | undefined;

  constructor(
    private readonly store: SecretStore,
    readonly key: string,
    private readonly log: LogSink,
    private readonly options: CachePluginOptions = {},
  ) {}

  attach(tokenCache: TokenCache): void {
    this.tokenCache = tokenCache;
  }

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    const text = await this.store.get(this.key);
    if (text === this.loaded) {
      return;
    }
    const memory = this.tokenCache?.getKVStore() ?? {};
    for (const key of Object.keys(memory)) {
      delete memory[key];
    }
    context.tokenCache.deserialize(text ?? "{}");
    this.loaded = text;
    this.lastSync = (this.options.now ?? Date.now)();
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!context.cacheHasChanged) {
      return;
    }
    const serialized = context.tokenCache.serialize();
    context.tokenCache.deserialize(serialized);
    if (serialized !== this.loaded) {
      await this.store.store(this.key, serialized);
      this.loaded = serialized;
      this.log.debug(`LWW: stored the whole cache (${serialized.length} chars)`);
    }
  }

  signIn<T>(run: () => Promise<T>): Promise<T> {
    return run();
  }

  async storageChanged(): Promise<boolean> {
    const text = await this.store.get(this.key);
    return text !== this.loaded;
  }

  refreshTokensInUse(): string {
    return ""; // this design never retries with another window's refresh token
  }

  async refreshTokenRotatedElsewhere(): Promise<boolean> {
    return false;
  }

  statistics(): CacheStatistics {
    let view: MsalCache = {};
    try {
      view = this.loaded ? (JSON.parse(this.loaded) as MsalCache) : {};
    } catch {
      view = {};
    }
    return { storedBytes: this.loaded?.length ?? 0, view, storageFailing: false, lastSync: this.lastSync };
  }

  dispose(): void {
    // nothing to release
  }
}
