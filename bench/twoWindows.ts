import type { MsalClient } from "../src/msal/msalClient";
import type { FakeEntra } from "../test/fakeEntra";
import { loopbackSignIn } from "./cacheBuilder";
import { accountsChangeAt, benchCacheKey, storeClient, storedValue, warm } from "./contenders";
import { LatencySecretStorage, SecretLatency } from "./secretModel";

/**
 * How window B gets the change event of A's sign-in:
 *   together  at once, as the SecretStorage model delivers it, while A (on the same thread, in
 *             the bench) is still finishing its sign-in;
 *   alone     held until A is idle: B's own work, as when each window has its own extension host
 *             (as in the editor), timed from B's change listener.
 */
export type Delivery = "together" | "alone";

type WindowView = ReturnType<LatencySecretStorage["window"]>;

/** One sign-in in A until B's onDidChangeAccounts: performance.now() stamps and what B read. */
export interface Propagation {
  /** A's first write of the secret during the sign-in. */
  write: number;
  /** A's signIn() returned. */
  signedIn: number;
  /** B's change listener ran. */
  listener: number;
  /** B's first read of the secret after its listener ran. */
  read: { start: number; end: number };
  /** B reported the account. */
  fired: number;
  /** SecretStorage reads B made for it. */
  readsByB: number;
}

/**
 * Windows A and B of the bench's workload (d): two MsalClients (ours, or the read-every-call
 * baseline) over one SecretStorage model holding `msalJson`. A signs an account in and out; B
 * observes, and lists its accounts after each change as an editor window in use does. A's writes
 * and B's reads and change listener are stamped.
 */
export class TwoWindows {
  readonly storage: LatencySecretStorage;
  readonly key: string;
  private readonly viewA: WindowView;
  private readonly viewB: WindowView;
  private readonly a: MsalClient;
  private readonly b: MsalClient;
  private readonly writes: number[] = [];
  private readonly reads: Array<{ start: number; end: number }> = [];
  private readonly listened: number[] = [];
  private readonly gate = { hold: false, held: false };
  private readonly subscriptions: Array<{ dispose(): unknown }>;

  constructor(
    name: "ours" | "read-every-call",
    private readonly fake: FakeEntra,
    msalJson: string,
    private readonly latency: SecretLatency,
  ) {
    this.storage = new LatencySecretStorage(latency);
    this.key = benchCacheKey(fake);
    this.storage.values.set(this.key, storedValue(name, msalJson));
    this.viewA = this.storage.window();
    this.viewB = this.storage.window();
    const storeA = this.viewA.store.bind(this.viewA);
    this.viewA.store = async (k, v) => {
      await storeA(k, v);
      if (k === this.key) this.writes.push(performance.now());
    };
    const getB = this.viewB.get.bind(this.viewB);
    this.viewB.get = async (k) => {
      const start = performance.now();
      const value = await getB(k);
      if (k === this.key) this.reads.push({ start, end: performance.now() });
      return value;
    };
    this.a = storeClient(name, fake, this.viewA);
    this.b = storeClient(name, fake, this.viewB);
    this.subscriptions = [
      this.viewA.onDidChange((e) => e.key === this.a.key && void this.a.storageChanged().catch(() => undefined)),
      this.viewB.onDidChange((e) => {
        if (e.key !== this.b.key) return;
        if (this.gate.hold) this.gate.held = true;
        else this.deliverToB();
      }),
    ];
  }

  /** Both clients created and their caches loaded. */
  async start(): Promise<void> {
    await warm(this.a);
    await warm(this.b);
  }

  /** `username` signs in in A; resolves when B reported it (then signs it out again, untimed). */
  async propagate(username: string, delivery: Delivery): Promise<Propagation> {
    this.writes.length = 0;
    this.reads.length = 0;
    this.listened.length = 0;
    this.gate.hold = delivery === "alone";
    this.gate.held = false;
    const readsBefore = this.viewB.counts.reads;
    const added = accountsChangeAt(this.b, (add) => add.includes(username), "window B");
    const result = await this.a.signIn((pca, authority) => loopbackSignIn(pca, this.fake, username, authority));
    const signedIn = performance.now();
    if (delivery === "alone") {
      await this.untilAIsIdle();
      if (!this.gate.held) throw new Error("window B got no change event for A's sign-in");
      this.gate.hold = false;
      this.deliverToB();
    }
    const fired = await added;
    const listener = this.listened[0]!;
    const stamps: Propagation = {
      write: this.writes[0] ?? signedIn,
      signedIn,
      listener,
      read: this.reads.find((r) => r.start >= listener)!,
      fired,
      readsByB: this.viewB.counts.reads - readsBefore,
    };
    await this.bReacts();
    const removed = accountsChangeAt(this.b, (_, rem) => rem.includes(username), "window B");
    await this.a.removeAccount(result.account!.homeAccountId);
    await removed;
    await this.bReacts();
    await this.untilAIsIdle();
    return stamps;
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.a.dispose();
    this.b.dispose();
    this.viewA.dispose();
    this.viewB.dispose();
  }

  private deliverToB(): void {
    this.listened.push(performance.now());
    void this.b.storageChanged().catch(() => undefined);
  }

  /**
   * What B's extensions do on its onDidChangeSessions: ask for sessions, which lists B's accounts
   * (MSAL loads the changed cache). Without it, B would never load another window's change, and
   * the next change would skip the comparison with MSAL's memory that a window in use makes.
   */
  private async bReacts(): Promise<void> {
    await this.b.accounts();
  }

  /** A's queue is empty and the echo of its last write (a read and a merge) is over. */
  private async untilAIsIdle(): Promise<void> {
    await this.a.accounts();
    const bytes = this.storage.values.get(this.key)?.length ?? 0;
    await new Promise((r) => setTimeout(r, this.latency("get", bytes) + this.latency("store", bytes) + 50));
  }
}
