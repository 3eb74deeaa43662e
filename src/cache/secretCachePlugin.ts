import type { ICachePlugin, TokenCacheContext } from "@azure/msal-node";
import { describeError, LogSink } from "../logging/logger";
import { SerialQueue } from "../util/serialQueue";
import { SecretStore, setAsideKey } from "./secretStore";
import { decode, encode } from "./storedFormat";

/** MSAL's own serialization of an empty cache is `{}` plus empty sections; `{}` clears its memory. */
const EMPTY_CACHE = "{}";

/**
 * Keeps one MSAL client's token cache in one secret.
 *
 * The window's copy of the stored cache lives in memory: `beforeCacheAccess` loads it into MSAL only
 * when the stored secret changed (first use, or another window wrote it), so a silent token request
 * that hits the cache never touches SecretStorage. `afterCacheAccess` writes only when MSAL says the
 * cache changed and the serialization differs from what is stored.
 */
export class SecretCachePlugin implements ICachePlugin {
  /** The MSAL JSON last read from or written to the secret. */
  private snapshot: string | undefined;
  /** The exact stored string we know of, to recognise our own writes in change events. */
  private lastStored: string | undefined;
  private reloadPending = true;
  private unsaved = false;
  private warnedStorage = false;
  private readonly writes = new SerialQueue();
  private readonly ready: Promise<void>;

  constructor(
    private readonly store: SecretStore,
    readonly key: string,
    private readonly log: LogSink,
    private readonly onStorageProblem: (message: string) => void = () => undefined,
  ) {
    this.ready = this.readStored().then(
      (value) => this.adopt(value),
      (err) => this.storageFailed("read", err),
    );
  }

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    await this.ready;
    if (!this.reloadPending) {
      return;
    }
    this.reloadPending = false;
    try {
      context.tokenCache.deserialize(this.snapshot ?? EMPTY_CACHE);
    } catch (err) {
      // Valid JSON that MSAL still cannot load: keep it aside and start empty.
      await this.setAside(this.lastStored, `MSAL could not load it (${describeError(err)})`);
      this.snapshot = undefined;
      context.tokenCache.deserialize(EMPTY_CACHE);
    }
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    if (context.cacheHasChanged) {
      const serialized = context.tokenCache.serialize();
      // MSAL rebuilds its memory from the last deserialized snapshot before every silent lookup
      // (TokenCache.overwriteCache), so that snapshot must follow every change.
      context.tokenCache.deserialize(serialized);
      if (serialized !== this.snapshot) {
        this.snapshot = serialized;
        this.unsaved = true;
      }
    }
    if (this.unsaved) {
      await this.persist();
    }
  }

  /**
   * Called when the secret changed (another window, or our own write echoed back). Returns true
   * when MSAL's memory must be reloaded, i.e. the stored value is not the one we know.
   */
  async refreshFromStore(): Promise<boolean> {
    await this.ready;
    let value: string | undefined;
    try {
      value = await this.readStored();
    } catch (err) {
      this.storageFailed("read", err);
      return false;
    }
    if (value === this.lastStored) {
      return false;
    }
    await this.adopt(value);
    return true;
  }

  private async persist(): Promise<void> {
    const value = encode(this.snapshot ?? EMPTY_CACHE);
    await this.writes.run(async () => {
      try {
        await this.store.store(this.key, value);
        this.lastStored = value;
        this.unsaved = false;
        if (this.warnedStorage) {
          this.log.info(`Secret storage works again; the token cache ${this.key} is saved.`);
          this.warnedStorage = false;
        }
      } catch (err) {
        this.storageFailed("write", err);
      }
    });
  }

  private async readStored(): Promise<string | undefined> {
    return this.store.get(this.key);
  }

  private async adopt(value: string | undefined): Promise<void> {
    this.lastStored = value;
    this.reloadPending = true;
    if (value === undefined) {
      this.snapshot = undefined;
      return;
    }
    const decoded = decode(value);
    if (decoded.ok) {
      this.snapshot = decoded.msalCache;
    } else {
      this.snapshot = undefined;
      await this.setAside(value, decoded.reason);
    }
  }

  /** Keeps an unreadable value under another key (in secret storage, never in a file). */
  private async setAside(value: string | undefined, reason: string): Promise<void> {
    if (value === undefined) {
      return;
    }
    const aside = setAsideKey(this.key, new Date());
    this.log.warn(`The stored token cache ${this.key} could not be read: ${reason}. It was kept as secret "${aside}" and sign-in starts with an empty cache.`);
    try {
      await this.store.store(aside, value);
    } catch (err) {
      this.log.error(`Could not keep the unreadable token cache aside: ${describeError(err)}`);
    }
  }

  private storageFailed(operation: "read" | "write", err: unknown): void {
    if (operation === "write") {
      this.unsaved = true;
    }
    this.log.error(`Secret storage ${operation} of ${this.key} failed: ${describeError(err)}`);
    if (!this.warnedStorage) {
      this.warnedStorage = true;
      this.onStorageProblem(
        `VS Code's secret storage is not available (${describeError(err)}). You stay signed in for this session, but sign-ins are not saved. On Linux, install and unlock a keyring (for example gnome-keyring) or set "password-store" in argv.json, then reload the window.`,
      );
    }
  }
}
