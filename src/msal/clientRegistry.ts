import { Settings } from "../config/settings";
import { parseCacheKey, SecretStore, SET_ASIDE_PREFIX } from "../cache/secretStore";
import { LogSink } from "../logging/logger";
import { Disposable, Emitter } from "../util/emitter";
import { AccountsChange } from "./accounts";
import { MsalClient } from "./msalClient";
import { Backoff } from "../network/backoff";
import { ProxySettings } from "../network/proxy";

/**
 * The MSAL clients of the current identity provider: the configured client, plus every client that
 * a caller picked with `VSCODE_CLIENT_ID:` (found again after a restart from the secrets' keys).
 */
export class ClientRegistry {
  private readonly clients = new Map<string, { client: MsalClient; subscription: Disposable }>();
  private readonly changes = new Emitter<AccountsChange>();
  private discovered = false;
  /** One back-off per window: every client of a host waits after that host said so. */
  private readonly backoff = new Backoff();
  readonly onDidChangeAccounts = this.changes.event;

  constructor(
    private settings: Settings,
    private readonly store: SecretStore,
    private readonly log: LogSink,
    private readonly onStorageProblem?: (message: string) => void,
    private readonly proxy?: () => ProxySettings,
  ) {}

  get current(): Settings {
    return this.settings;
  }

  /** The client for a request: the configured one unless the request names another client id. */
  clientFor(clientId: string = this.settings.clientId): MsalClient {
    return this.getOrCreate(clientId, false);
  }

  /**
   * Every client with a stored cache for this identity provider, and the configured one. The
   * stored keys are listed once; later clients arrive through `secretChanged` or `clientFor`.
   */
  async all(): Promise<MsalClient[]> {
    if (!this.discovered) {
      this.discovered = true;
      try {
        for (const key of await this.store.keys()) {
          const parsed = parseCacheKey(key);
          if (parsed && parsed.targetKey === this.settings.target.key) {
            this.getOrCreate(parsed.clientId, false);
          }
        }
      } catch (err) {
        this.discovered = false;
        this.log.warn(`Could not list stored token caches: ${String(err)}`);
      }
    }
    this.clientFor();
    return [...this.clients.values()].map((entry) => entry.client);
  }

  /** Deletes the unreadable caches that were kept aside (they may still hold tokens). */
  async deleteSetAside(): Promise<number> {
    const keys = (await this.store.keys()).filter((key) => key.startsWith(SET_ASIDE_PREFIX));
    for (const key of keys) {
      await this.store.delete(key);
    }
    return keys.length;
  }

  /** A secret changed, in this window or another: the client that owns it reloads. */
  async secretChanged(key: string): Promise<void> {
    const parsed = parseCacheKey(key);
    if (!parsed || parsed.targetKey !== this.settings.target.key) {
      return;
    }
    const known = [...this.clients.values()].some((entry) => entry.client.key === key);
    if (known) {
      await this.getOrCreate(parsed.clientId, false).storageChanged();
    } else {
      // A client first seen through another window's write: its first listing reports every account as added.
      await this.getOrCreate(parsed.clientId, true).accounts();
    }
  }

  /** New settings: clients of another identity provider or default tenant are dropped. */
  applySettings(settings: Settings): void {
    const same = settings.target.key === this.settings.target.key && settings.tenant === this.settings.tenant;
    this.settings = settings;
    if (!same) {
      this.clear();
    }
  }

  /** Every client saves its work once more before the window goes. */
  async flush(): Promise<void> {
    await Promise.all([...this.clients.values()].map((entry) => entry.client.flush()));
  }

  dispose(): void {
    this.clear();
    this.changes.dispose();
  }

  private clear(): void {
    this.discovered = false;
    for (const [key, entry] of this.clients) {
      entry.subscription.dispose();
      entry.client.dispose();
      this.clients.delete(key);
    }
  }

  private getOrCreate(clientId: string, reportInitialAccounts: boolean): MsalClient {
    const mapKey = clientId.toLowerCase();
    const existing = this.clients.get(mapKey);
    if (existing) {
      return existing.client;
    }
    const client = new MsalClient({
      clientId,
      target: this.settings.target,
      defaultTenant: this.settings.tenant,
      store: this.store,
      log: this.log,
      onStorageProblem: this.onStorageProblem,
      reportInitialAccounts,
      backoff: this.backoff,
      proxy: this.proxy,
    });
    const subscription = client.onDidChangeAccounts((change) => this.changes.fire(change));
    this.clients.set(mapKey, { client, subscription });
    return client;
  }
}
