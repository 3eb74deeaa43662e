import type { ICachePlugin, ISerializableTokenCache, TokenCache, TokenCacheContext } from "@azure/msal-node";
import { randomBytes } from "crypto";
import { describeError, LogSink } from "../logging/logger";
import { SerialQueue } from "../util/serialQueue";
import { withTimeout } from "../util/timeout";
import {
  CacheDocument,
  emptyDocument,
  emptyPending,
  emptySettled,
  hasPending,
  hasSettled,
  mergeInto,
  MsalCache,
  Pending,
  recordChanges,
  recordSignIn,
  refreshTokensOf,
  sameCache,
  Settled,
} from "./cacheDocument";
import { SecretStore, setAsideKey } from "./secretStore";
import { decode, encode } from "./storedFormat";

export interface CachePluginOptions {
  /** Told once when secret storage fails, with what the user can do. */
  readonly onStorageProblem?: (message: string) => void;
  /** How long a SecretStorage call may take before it counts as failed. */
  readonly storageTimeoutMs?: number;
  /** First delay before saving again after a failed write; doubles up to a minute. */
  readonly retryDelayMs?: number;
  readonly now?: () => number;
}

const MAX_RETRY_DELAY_MS = 60_000;

/** What the MSAL client needs of a cache plugin (an interface, so tests can swap the strategy). */
export interface SharedCachePlugin extends ICachePlugin {
  attach(tokenCache: TokenCache): void;
  signIn<T>(run: () => Promise<T>, accountOf: (result: T) => string | undefined): Promise<T>;
  storageChanged(): Promise<boolean>;
  /** The account's refresh tokens that MSAL uses at its next access (an opaque text to compare). */
  refreshTokensInUse(homeAccountId: string): string;
  /** `sent`: refreshTokensInUse as it was when the rejected request went out. */
  refreshTokenRotatedElsewhere(homeAccountId: string, sent: string, waitMs: number): Promise<boolean>;
  statistics(): CacheStatistics;
  /** The window is closing: save what is pending and repair what another window undid, once more. */
  flush?(): Promise<void>;
  /**
   * The MSAL cache as loaded in MSAL's memory, with a version that changes whenever it does, or
   * undefined while MSAL's memory is behind storage. Lets the client answer cache hits itself.
   */
  cacheView?(): { readonly version: number; readonly cache: MsalCache } | undefined;
  /** The MSAL cache as stored, plus this window's unsaved work (MSAL's memory may not have it yet). */
  storedCache?(): MsalCache;
  dispose(): void;
}

export interface CacheStatistics {
  readonly storedBytes: number;
  /** The MSAL cache as this window holds it (contains secrets: count, never log). */
  readonly view: MsalCache;
  readonly storageFailing: boolean;
  readonly lastSync?: number;
}

export type CachePluginFactory = (store: SecretStore, key: string, log: LogSink, options: CachePluginOptions) => SharedCachePlugin;

/**
 * Keeps one MSAL client's token cache in one secret that every window shares.
 *
 * Reads: each window keeps the stored document in memory and reads the secret only when it
 * changed (`storageChanged`, from `secrets.onDidChange`), so a silent token request never touches
 * SecretStorage. Writes: the window's changes are recorded per entry and merged into what storage
 * holds at that moment (three-way, see cacheDocument.ts), never written over it. A write that
 * another window overwrote is noticed at the next change event and applied again, also after
 * storage had confirmed it (a window that read before it may store after it): entry stamps tell
 * such an undo from a newer change. Writes happen only when the merged document differs from what
 * is stored.
 */
export class SecretCachePlugin implements SharedCachePlugin {
  /** The MSAL cache that MSAL's memory was last loaded from or serialized to. */
  private view: MsalCache = {};
  /** The document last read from or written to the secret, and its exact text. */
  private stored: CacheDocument = emptyDocument();
  private storedText: string | undefined;
  private pending: Pending = emptyPending();
  private settled: Settled = emptySettled();
  /** This window's id in the stamps of the entries it writes. */
  private readonly writer = randomBytes(4).toString("hex");
  /** MSAL's memory must be replaced by `stored` (plus our pending work) at its next access. */
  private loadPending = true;
  private storageFailing = false;
  private signInsInFlight = 0;
  /**
   * MSAL's memory after each change made while sign-ins run, entries merged (later wins). A
   * sign-in of an account this window still had rewrites its entries unchanged, which no diff
   * shows; these are the entries it must assert when it ends.
   */
  private savedDuringSignIn: MsalCache = {};
  private disposed = false;
  private viewVersion = 0;
  private lastSync: number | undefined;
  private tokenCache: TokenCache | undefined;
  /** What MSAL's memory was last set to (MSAL's own snapshot, which its overwriteCache restores). */
  private snapshot = "{}";
  /** Held from MSAL's beforeCacheAccess to its afterCacheAccess (see attach). */
  private readonly cacheLock = new SerialQueue();
  private releaseCache: (() => void) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay: number;
  private readonly io = new SerialQueue();
  private readonly changeWaiters = new Set<() => void>();
  private readonly ready: Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly store: SecretStore,
    readonly key: string,
    private readonly log: LogSink,
    private readonly options: CachePluginOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.retryDelay = options.retryDelayMs ?? 1000;
    this.ready = this.io.run(() => this.readAndMerge()).then(() => undefined);
  }

  /**
   * The MSAL cache this plugin serves. MSAL saves a token response over several awaits, and its
   * `overwriteCache` (run before every silent lookup) empties its memory before it calls the
   * plugin; a sign-in runs outside the client's queue, so the two could interleave and drop half a
   * sign-in. So every access to MSAL's memory in this window takes `cacheLock`, and
   * `overwriteCache` is replaced by one that does the same as MSAL's under it.
   */
  attach(tokenCache: TokenCache): void {
    this.tokenCache = tokenCache;
    tokenCache.overwriteCache = async () => {
      const reloaded = await this.enter(tokenCache);
      try {
        // As MSAL's own: back to the last snapshot (drops changes MSAL made without telling us).
        if (!reloaded) this.replaceMemory(tokenCache, this.snapshot);
      } finally {
        await this.leave(tokenCache, false);
      }
    };
  }

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    await this.enter(context.tokenCache);
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    await this.leave(context.tokenCache, context.cacheHasChanged);
  }

  /** Takes this window's cache lock, then loads MSAL's memory if storage changed. True if it did. */
  private async enter(tokenCache: ISerializableTokenCache): Promise<boolean> {
    await new Promise<void>((entered) => {
      void this.cacheLock.run(
        () =>
          new Promise<void>((release) => {
            this.releaseCache = release;
            entered();
          }),
      );
    });
    try {
      return await this.load(tokenCache);
    } catch (err) {
      this.unlock();
      throw err;
    }
  }

  private async load(tokenCache: ISerializableTokenCache): Promise<boolean> {
    await this.ready;
    if (!this.loadPending) {
      return false;
    }
    this.loadPending = false;
    const target = hasPending(this.pending) ? this.merge(this.stored, this.pending).merged.msal : this.stored.msal;
    try {
      this.replaceMemory(tokenCache, JSON.stringify(target));
      this.setView(target);
    } catch (err) {
      // Valid JSON that MSAL still cannot load: keep it aside and start empty.
      await this.setAside(this.storedText, `MSAL could not load it (${describeError(err)})`);
      this.stored = emptyDocument();
      this.setView({});
      this.replaceMemory(tokenCache, "{}");
    }
    return true;
  }

  /** Records what MSAL changed, lets the next access in, then saves. */
  private async leave(tokenCache: ISerializableTokenCache, changed: boolean): Promise<void> {
    try {
      if (changed) {
        const serialized = tokenCache.serialize();
        // MSAL rebuilds its memory from the last deserialized snapshot before every silent lookup
        // (overwriteCache), so that snapshot must follow every change.
        this.replaceMemory(tokenCache, serialized);
        const mine = JSON.parse(serialized) as MsalCache;
        recordChanges(this.pending, this.view, mine, this.now());
        this.setView(mine);
        if (this.signInsInFlight > 0) {
          for (const [section, entries] of Object.entries(mine)) Object.assign((this.savedDuringSignIn[section] ??= {}), entries);
        }
      }
    } finally {
      this.unlock();
    }
    if (hasPending(this.pending) && !this.storageFailing) {
      await this.io.run(() => this.readAndMerge());
    }
  }

  private unlock(): void {
    const release = this.releaseCache;
    this.releaseCache = undefined;
    release?.();
  }

  /** MSAL's deserialize adds to its memory; empty it first so that removals apply too. */
  private replaceMemory(tokenCache: ISerializableTokenCache, serialized: string): void {
    const memory = this.tokenCache?.getKVStore() ?? {};
    for (const key of Object.keys(memory)) {
      delete memory[key];
    }
    tokenCache.deserialize(serialized);
    this.snapshot = serialized;
  }

  /**
   * Runs an interactive sign-in. Its tokens are saved by MSAL before we know whose they are; an
   * account signed out elsewhere meanwhile would block them, so blocked writes are held until the
   * sign-in ends, and a successful one overrides earlier sign-outs of its account.
   */
  async signIn<T>(run: () => Promise<T>, accountOf: (result: T) => string | undefined): Promise<T> {
    this.signInsInFlight++;
    const startedAt = this.now();
    try {
      const result = await run();
      const homeAccountId = accountOf(result);
      // A new account was recorded as signed in when MSAL saved it; an account this window already
      // had needs the sign-in recorded now (it may override a sign-out from another window).
      const intent = homeAccountId ? this.pending.intents.get(homeAccountId) : undefined;
      const recorded = intent?.kind === "signedIn" && intent.at >= startedAt;
      const stored = homeAccountId !== undefined && (this.stored.added[homeAccountId] ?? -Infinity) >= startedAt;
      if (homeAccountId && !recorded && !stored) {
        // Its entries as MSAL saved them: MSAL's memory may have been reloaded since, without them
        // if another window signed the account out meanwhile.
        recordSignIn(this.pending, homeAccountId, this.now(), this.savedDuringSignIn);
      }
      return result;
    } finally {
      if (--this.signInsInFlight === 0) this.savedDuringSignIn = {};
      await this.io.run(() => this.readAndMerge());
    }
  }

  /**
   * The secret changed (another window, or our own write echoed back). Merges what we have not seen
   * confirmed yet, repairs the stored value when another window overwrote our work, and returns
   * true when another window had changed it (MSAL's memory then reloads at its next access).
   */
  async storageChanged(): Promise<boolean> {
    await this.ready;
    return this.io.run(() => this.readAndMerge());
  }

  /**
   * Whether storage holds another refresh token for the account than MSAL used: another window
   * rotated it. Then a rejection of ours is not the account's end: reload and try again. The other
   * window's write may still be on its way: wait up to `waitMs` for it.
   */
  async refreshTokenRotatedElsewhere(homeAccountId: string, sent: string, waitMs: number): Promise<boolean> {
    // Compared with what MSAL sent, captured before the request: by now this window may hold a newer
    // token itself (a sign-in of the same account that ended meanwhile), just as good to retry with.
    const rotated = () => {
      const current = refreshTokensOf(this.stored.msal, homeAccountId).join();
      return current !== "" && current !== sent;
    };
    await this.storageChanged();
    const deadline = this.now() + waitMs;
    while (!rotated() && !this.disposed && this.now() < deadline) {
      await this.nextChangeByAnotherWindow(deadline - this.now());
    }
    return rotated();
  }

  refreshTokensInUse(homeAccountId: string): string {
    return refreshTokensOf(this.loadPending ? this.storedCache() : this.view, homeAccountId).join();
  }

  /** Resolves when another window's write was read (or after `ms`). */
  private nextChangeByAnotherWindow(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.changeWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.changeWaiters.add(done);
    });
  }

  storedCache(): MsalCache {
    // With this window's unsaved work on top, so that a failed write does not look like a sign-out.
    return hasPending(this.pending) ? this.merge(this.stored, this.pending).merged.msal : this.stored.msal;
  }

  cacheView(): { version: number; cache: MsalCache } | undefined {
    return this.loadPending ? undefined : { version: this.viewVersion, cache: this.view };
  }

  private setView(cache: MsalCache): void {
    this.view = cache;
    this.viewVersion++;
  }

  /** What the cache holds, for diagnostics (no secrets). */
  statistics(): CacheStatistics {
    return { storedBytes: this.storedText?.length ?? 0, view: this.view, storageFailing: this.storageFailing, lastSync: this.lastSync };
  }

  async flush(): Promise<void> {
    await this.ready;
    if (!this.disposed) await this.io.run(() => this.readAndMerge());
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    for (const wake of [...this.changeWaiters]) wake();
  }

  /** One read, a merge of our pending work, and a write only if that changed the stored text. */
  private async readAndMerge(): Promise<boolean> {
    let text: string | undefined;
    try {
      text = await withTimeout(this.store.get(this.key), this.timeoutMs, "Secret storage");
    } catch (err) {
      this.storageFailed("read", err);
      return false;
    }
    if (text === this.storedText && !hasPending(this.pending)) {
      this.storageWorks();
      return false; // our own write echoed back, or nothing new
    }

    // Another window wrote since we last read or wrote (not our own write echoed back).
    const theirsChanged = text !== this.storedText;
    let theirs: CacheDocument;
    let mustWrite = false;
    if (text === undefined) {
      theirs = emptyDocument();
    } else {
      const decoded = decode(text);
      if (decoded.ok) {
        theirs = decoded.document;
      } else {
        await this.setAside(text, decoded.reason);
        // Recover what this window last knew to be good rather than an empty cache.
        theirs = this.stored;
        mustWrite = true;
      }
    }

    if (!mustWrite && !hasPending(this.pending) && !hasSettled(this.settled)) {
      // Nothing of ours to merge or to watch over (the common case for another window's write):
      // take the document as read; MSAL's memory reloads at its next access.
      this.adopt(theirs, text, true, theirsChanged);
      return theirsChanged;
    }

    const taken = this.pending;
    this.pending = emptyPending();
    const { merged, pending, settled } = this.merge(theirs, taken);
    const mergedText = encode(merged);
    let written = text;
    if (mustWrite || (mergedText !== text && (hasPending(taken) || text !== undefined))) {
      try {
        await withTimeout(this.store.store(this.key, mergedText), this.timeoutMs, "Secret storage");
      } catch (err) {
        this.restorePending(taken);
        this.storageFailed("write", err);
        return false;
      }
      written = mergedText;
    }
    this.restorePending(pending);
    this.settled = settled;
    this.adopt(merged, written, !sameCache(merged.msal, this.view), theirsChanged);
    return theirsChanged;
  }

  /** `document` (stored as `text`) is what storage holds now; `theirsChanged`: another window wrote it. */
  private adopt(document: CacheDocument, text: string | undefined, reload: boolean, theirsChanged: boolean): void {
    this.stored = document;
    this.storedText = text;
    this.lastSync = this.now();
    this.storageWorks();
    this.loadPending ||= reload;
    if (theirsChanged) {
      for (const wake of [...this.changeWaiters]) wake();
    }
  }

  private merge(theirs: CacheDocument, pending: Pending): ReturnType<typeof mergeInto> {
    return mergeInto(theirs, pending, this.now(), { settled: this.settled, writer: this.writer, holdBlocked: this.signInsInFlight > 0 });
  }

  /** Puts back work that is not confirmed yet, under anything recorded meanwhile. */
  private restorePending(earlier: Pending): void {
    for (const [id, change] of earlier.changes) {
      const later = this.pending.changes.get(id);
      this.pending.changes.set(id, later ? { ...later, before: change.before } : change);
    }
    for (const [id, intent] of earlier.intents) {
      if (!this.pending.intents.has(id)) {
        this.pending.intents.set(id, intent);
      }
    }
  }

  private get timeoutMs(): number {
    return this.options.storageTimeoutMs ?? 10_000;
  }

  /** Keeps an unreadable value under another key (in secret storage, never in a file). */
  private async setAside(value: string | undefined, reason: string): Promise<void> {
    if (value === undefined) {
      return;
    }
    const aside = setAsideKey(this.key, new Date(this.now()));
    this.log.warn(`The stored token cache ${this.key} could not be read: ${reason}. It was kept as secret "${aside}"; sign-in goes on without it.`);
    try {
      await withTimeout(this.store.store(aside, value), this.timeoutMs, "Secret storage");
    } catch (err) {
      this.log.error(`Could not keep the unreadable token cache aside: ${describeError(err)}`);
    }
  }

  private storageFailed(operation: "read" | "write", err: unknown): void {
    this.log.error(`Secret storage ${operation} of ${this.key} failed: ${describeError(err)}`);
    if (!this.storageFailing) {
      this.storageFailing = true;
      this.options.onStorageProblem?.(
        `VS Code's secret storage is not available (${describeError(err)}). You stay signed in in this window, but sign-ins are not saved until it works again. On Linux, install and unlock a keyring (for example gnome-keyring), or set "password-store" in VS Code's argv.json, then reload the window.`,
      );
    }
    // Try again later, less and less often: storage may come back (a keyring unlocked).
    clearTimeout(this.retryTimer);
    if (this.disposed) {
      return;
    }
    this.retryTimer = setTimeout(() => void this.io.run(() => this.readAndMerge()), this.retryDelay);
    this.retryTimer.unref?.();
    this.retryDelay = Math.min(this.retryDelay * 2, MAX_RETRY_DELAY_MS);
  }

  private storageWorks(): void {
    if (this.storageFailing) {
      this.storageFailing = false;
      this.log.info(`Secret storage works again; the token cache ${this.key} is saved.`);
    }
    clearTimeout(this.retryTimer);
    this.retryDelay = this.options.retryDelayMs ?? 1000;
  }
}
