import { CachePluginFactory } from "../../src/cache/secretCachePlugin";
import { customTarget } from "../../src/config/authority";
import { Logger } from "../../src/logging/logger";
import { MetadataFetcher } from "../../src/msal/clientConfig";
import { MsalClient } from "../../src/msal/msalClient";
import { FakeEntra } from "../fakeEntra";
import { CapturingLog } from "../support/capturingLog";
import { CLIENT_ID, signInDeviceCode, signInLoopback } from "../support/clients";
import { DesktopSecretStorage, DesktopSecretView, DesktopStorageOptions, Prng } from "./desktopSecretStorage";
import { LastWriterWinsPlugin } from "./lastWriterWinsPlugin";

export type Strategy = "ours" | "lastWriterWins";

/** One editor window: an MsalClient (real msal-node) over the window's view of the shared store. */
export class ModelWindow {
  readonly log = new CapturingLog();
  readonly client: MsalClient;
  private readonly subscription: { dispose(): unknown };

  constructor(
    readonly name: string,
    readonly view: DesktopSecretView,
    storage: DesktopSecretStorage,
    fake: FakeEntra,
    strategy: Strategy,
    fetchMetadata: MetadataFetcher,
  ) {
    const { target } = customTarget(fake.authority("organizations"));
    const createCachePlugin: CachePluginFactory | undefined =
      strategy === "lastWriterWins" ? (store, key, log, options) => new LastWriterWinsPlugin(store, key, log, options) : undefined;
    this.client = new MsalClient({
      clientId: CLIENT_ID,
      target,
      defaultTenant: "organizations",
      store: view,
      log: new Logger(this.log),
      fetchMetadata,
      createCachePlugin,
      cache: { storageTimeoutMs: 20_000 },
    });
    // What the extension does: the secret of this client changed, tell the client.
    this.subscription = view.onDidChange((event) => {
      if (event.key === this.client.key) {
        void storage.track(view, this.client.storageChanged().catch((err) => this.log.error(`storageChanged failed: ${String(err)}`)));
      }
    });
  }

  /** VS Code deactivates the extension of a window that closes or reloads (see extension.ts). */
  deactivate(): Promise<void> {
    return this.client.flush();
  }

  /** The window goes away: its client and its view with it. */
  close(): void {
    this.subscription.dispose();
    this.client.dispose();
    this.view.close();
  }
}

export interface WorldOptions {
  readonly fake: FakeEntra;
  readonly strategy: Strategy;
  readonly seed: number;
  readonly storage: DesktopStorageOptions;
  readonly fetchMetadata: MetadataFetcher;
  /** Default device code: the fake must then be started with deviceCodeIntervalSec: 0. */
  readonly signInFlow?: "deviceCode" | "loopback";
}

/** One editor (one shared secret store) with its open windows, against one fake Entra ID. */
export class World {
  readonly storage: DesktopSecretStorage;
  readonly prng: Prng;
  readonly windows: ModelWindow[] = [];
  /** Windows closed or reloaded away, kept for their logs. */
  readonly gone: ModelWindow[] = [];
  private counter = 0;

  constructor(readonly options: WorldOptions) {
    this.prng = new Prng(options.seed);
    this.storage = new DesktopSecretStorage(this.prng, options.storage);
  }

  open(): ModelWindow {
    const window = new ModelWindow(`W${++this.counter}`, this.storage.window(), this.storage, this.options.fake, this.options.strategy, this.options.fetchMetadata);
    this.windows.push(window);
    return window;
  }

  async close(window: ModelWindow): Promise<void> {
    const at = this.windows.indexOf(window);
    if (at >= 0) this.windows.splice(at, 1);
    await window.deactivate();
    window.close();
    this.gone.push(window);
  }

  /** A window reload: the client goes, a new one starts over a fresh view of the same store. */
  async reload(window: ModelWindow): Promise<ModelWindow> {
    await window.deactivate();
    const at = this.windows.indexOf(window);
    window.close();
    this.gone.push(window);
    const fresh = new ModelWindow(`W${++this.counter}`, this.storage.window(), this.storage, this.options.fake, this.options.strategy, this.options.fetchMetadata);
    this.windows.splice(at, 1, fresh);
    return fresh;
  }

  /** Interactive sign-in; the fake plays the person (device code is ~10x faster than loopback here). */
  signIn(window: ModelWindow, username: string) {
    return this.options.signInFlow === "loopback"
      ? signInLoopback(window.client, this.options.fake, username, { log: window.log })
      : signInDeviceCode(window.client, this.options.fake, username);
  }

  /**
   * Waits until every delayed change event has been delivered and every window has processed it;
   * then tells every open window once more that the secret changed, and waits again.
   */
  async settle(): Promise<void> {
    await this.storage.idle();
    await Promise.all(this.windows.map((w) => this.storage.track(w.view, w.client.storageChanged())));
    await this.storage.idle();
  }

  dispose(): void {
    // The run is over (or timed out): windows go without deactivating.
    for (const window of this.windows.splice(0)) {
      window.close();
      this.gone.push(window);
    }
  }

  logs(): string {
    return [...this.gone, ...this.windows].map((w) => `--- ${w.name}\n${w.log.lines.filter((l) => !l.startsWith("trace") && !l.startsWith("debug [msal]")).join("\n")}`).join("\n");
  }
}

/** Fetches each discovery document once (every new window would fetch it again otherwise). */
export function memoizedMetadata(): MetadataFetcher {
  const cache = new Map<string, Promise<string>>();
  return (url) => {
    let text = cache.get(url);
    if (!text) {
      text = fetch(url, { signal: AbortSignal.timeout(10_000) }).then((r) => r.text());
      cache.set(url, text);
    }
    return text;
  };
}
