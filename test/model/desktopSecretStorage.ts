import { SecretStore } from "../../src/cache/secretStore";

/** A small seeded PRNG (mulberry32): the same seed gives the same delays. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** In [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}

export interface DesktopStorageOptions {
  /** Latency of one get/store/delete/keys, drawn uniformly in [0, max] ms. */
  readonly maxCallLatencyMs: number;
  /** Delay of one change event to one window, drawn uniformly in [0, max] ms. */
  readonly maxEventDelayMs: number;
  /** Summarizes a stored value for the trace (never the secret itself). */
  readonly describe?: (value: string | undefined) => string;
}

type Listener = (event: { key: string }) => unknown;

/** One window's view of the shared store: the SecretStore interface, and close(). */
export interface DesktopSecretView extends SecretStore {
  readonly id: number;
  readonly closed: boolean;
  /** The window closed: its listeners are detached; calls made later fail and never reach the store. */
  close(): void;
}

/**
 * SecretStorage as desktop VS Code has it (see /work/shared/notes/vscode-host.md): one store in the
 * main process shared by every window of the editor; each window's calls are applied in order after
 * a random latency; after every write, a change event (the key only) reaches EVERY open window, the
 * writer included, each after its own random delay, so windows see changes late and at different
 * times. All randomness comes from one seeded PRNG.
 *
 * It also counts what is in flight, so that a test can wait until everything has been delivered and
 * processed (`idle`).
 */
export class DesktopSecretStorage {
  readonly values = new Map<string, string>();
  private readonly views = new Map<number, { listeners: Set<Listener>; closed: boolean; tracked: Set<() => void> }>();
  private nextId = 1;
  private inFlight = 0;
  private readonly idleWaiters: (() => void)[] = [];
  /** Everything that happened, for a failure report. */
  readonly trace: string[] = [];
  writes = 0;
  events = 0;

  constructor(
    private readonly prng: Prng,
    private readonly options: DesktopStorageOptions,
    private readonly traceEnabled = true,
  ) {}

  /** A new window's view. */
  window(): DesktopSecretView {
    const id = this.nextId++;
    const state = { listeners: new Set<Listener>(), closed: false, tracked: new Set<() => void>() };
    this.views.set(id, state);
    // One main-process channel per window: calls are applied one after another, in call order.
    let tail: Promise<unknown> = Promise.resolve();
    const call = <T>(what: string, operation: () => T, describeResult?: (value: T) => string): Promise<T> => {
      if (state.closed) {
        // The window's process is gone; nothing it asks reaches the store. (Rejecting rather than
        // hanging keeps a closed window's time-out timers from holding the test process open.)
        return Promise.reject(new Error("the window is closed"));
      }
      const latency = this.prng.int(0, this.options.maxCallLatencyMs);
      this.begin();
      const result = tail.then(() => delay(latency)).then(() => {
        const value = operation();
        this.note(`w${id} ${what}${describeResult ? describeResult(value) : ""}`);
        return value;
      });
      tail = result.catch(() => undefined);
      return result.finally(() => this.end());
    };
    return {
      id,
      get closed() {
        return state.closed;
      },
      get: (key) => call(`get ${short(key)}`, () => this.values.get(key), (v) => this.summary(v)),
      store: (key, value) =>
        call(`store ${short(key)}${this.summary(value)}`, () => {
          this.writes++;
          this.values.set(key, value);
          this.emit(key);
        }),
      delete: (key) =>
        call(`delete ${short(key)}`, () => {
          if (this.values.delete(key)) this.emit(key);
        }),
      keys: () => call("keys", () => [...this.values.keys()]),
      onDidChange: (listener) => {
        if (!state.closed) state.listeners.add(listener);
        return { dispose: () => state.listeners.delete(listener) };
      },
      close: () => {
        state.closed = true;
        state.listeners.clear();
        this.views.delete(id);
        for (const done of [...state.tracked]) done();
      },
    };
  }

  /**
   * Counts work of a window that `idle` must wait for (its processing of an event, for example).
   * Work of a window that closes stops counting (whatever it still does cannot reach the store).
   */
  track<T>(view: DesktopSecretView, work: Promise<T>): Promise<T> {
    const state = this.views.get(view.id);
    if (!state) return work;
    this.begin();
    const done = () => {
      if (state.tracked.delete(done)) this.end();
    };
    state.tracked.add(done);
    return work.finally(done);
  }

  /** Resolves when no call, no event delivery and no tracked work is in flight. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private emit(key: string): void {
    for (const [id, view] of this.views) {
      const wait = this.prng.int(0, this.options.maxEventDelayMs);
      this.events++;
      this.begin();
      setTimeout(() => {
        try {
          if (!view.closed) {
            this.note(`w${id} <- change ${short(key)} (after ${wait} ms)`);
            for (const listener of [...view.listeners]) listener({ key });
          }
        } finally {
          this.end();
        }
      }, wait);
    }
  }

  private summary(value: string | undefined): string {
    return this.traceEnabled && this.options.describe ? ` ${this.options.describe(value)}` : "";
  }

  /** Adds a line to the trace (a command starting or ending). */
  mark(line: string): void {
    this.note(`== ${line}`);
  }

  private note(line: string): void {
    if (this.traceEnabled) this.trace.push(line);
  }

  private begin(): void {
    this.inFlight++;
  }

  private end(): void {
    this.inFlight--;
    if (this.inFlight === 0) {
      // Let the microtasks of what just ended run before declaring idle.
      setImmediate(() => {
        if (this.inFlight === 0) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
        }
      });
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function short(key: string): string {
  return key.startsWith("msal.cache:") ? "cache" : key;
}
