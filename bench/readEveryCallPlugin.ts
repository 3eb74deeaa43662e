import type { TokenCache, TokenCacheContext } from "@azure/msal-node";
import { CachePluginFactory, CacheStatistics, SharedCachePlugin } from "../src/cache/secretCachePlugin";
import { SecretStore } from "../src/cache/secretStore";

/**
 * The baseline, the design of VS Code's built-in Microsoft authentication: before EVERY cache access
 * it reads the secret and deserializes it into MSAL's memory; after an access that changed the
 * cache it stores MSAL's whole serialized cache (last writer wins). The secret holds MSAL's plain
 * cache JSON. It plugs into MsalClient through `createCachePlugin`, so it runs behind the same
 * queue and account handling as ours and only the cache strategy differs.
 */
export class ReadEveryCallPlugin implements SharedCachePlugin {
  private loaded: string | undefined;
  private tokenCache: TokenCache | undefined;
  private lastSync: number | undefined;

  constructor(private readonly store: SecretStore, readonly key: string) {}

  attach(tokenCache: TokenCache): void {
    this.tokenCache = tokenCache;
  }

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    const text = await this.store.get(this.key);
    // MSAL's deserialize adds to its memory: empty it so that removals by other windows apply.
    const memory = this.tokenCache?.getKVStore() ?? {};
    for (const key of Object.keys(memory)) {
      delete memory[key];
    }
    context.tokenCache.deserialize(text ?? "{}");
    this.loaded = text;
    this.lastSync = Date.now();
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!context.cacheHasChanged) {
      return;
    }
    const serialized = context.tokenCache.serialize();
    if (serialized !== this.loaded) {
      await this.store.store(this.key, serialized);
      this.loaded = serialized;
    }
  }

  signIn<T>(run: () => Promise<T>): Promise<T> {
    return run();
  }

  /** The built-in provider re-lists accounts whenever its secret changed. */
  async storageChanged(): Promise<boolean> {
    return (await this.store.get(this.key)) !== this.loaded;
  }

  refreshTokensInUse(): string {
    return ""; // this design never retries with another window's refresh token
  }

  async refreshTokenRotatedElsewhere(): Promise<boolean> {
    return false;
  }

  statistics(): CacheStatistics {
    return { storedBytes: this.loaded?.length ?? 0, view: {}, storageFailing: false, lastSync: this.lastSync };
  }

  dispose(): void {
    // nothing held
  }
}

export const readEveryCallFactory: CachePluginFactory = (store, key) => new ReadEveryCallPlugin(store, key);
