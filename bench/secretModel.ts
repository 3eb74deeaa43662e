import { SecretStore } from "../src/cache/secretStore";

type Listener = (event: { key: string }) => unknown;

/** Counts of SecretStorage calls, for the whole store or one window's view. */
export interface StorageCounts {
  reads: number;
  writes: number;
}

/** Waits `ms` without blocking the event loop, precise below a millisecond (timers alone round up). */
export function sleepPrecise(ms: number): Promise<void> {
  if (ms <= 0) {
    return Promise.resolve();
  }
  const end = performance.now() + ms;
  return new Promise((resolve) => {
    const tick = (): void => {
      const left = end - performance.now();
      if (left <= 0) resolve();
      else if (left > 2) setTimeout(tick, left - 1.5);
      else setImmediate(tick);
    };
    tick();
  });
}

/**
 * VS Code's SecretStorage as the bench models it: one store shared by every window, each `get` and
 * `store` costing `latencyMs` of asynchronous wait (an IPC round trip to the main process in the
 * real host), `get` returning a fresh copy of the string (as IPC does), change events delivered
 * asynchronously (next macrotask) to every window, the writer included. Reads and writes are
 * counted per store and per window view.
 */
export class LatencySecretStorage {
  readonly values = new Map<string, string>();
  readonly counts: StorageCounts = { reads: 0, writes: 0 };
  /** performance.now() when each key was last written (the write completed). */
  readonly writtenAt = new Map<string, number>();
  private readonly listeners = new Set<Listener>();

  constructor(readonly latencyMs: number) {}

  window(): SecretStore & { readonly counts: StorageCounts; dispose(): void } {
    const own = new Set<Listener>();
    const counts: StorageCounts = { reads: 0, writes: 0 };
    return {
      counts,
      get: async (key) => {
        counts.reads++;
        this.counts.reads++;
        await sleepPrecise(this.latencyMs);
        const value = this.values.get(key);
        return value === undefined ? undefined : copy(value);
      },
      store: async (key, value) => {
        counts.writes++;
        this.counts.writes++;
        await sleepPrecise(this.latencyMs);
        this.values.set(key, copy(value));
        this.writtenAt.set(key, performance.now());
        this.emit(key);
      },
      delete: async (key) => {
        await sleepPrecise(this.latencyMs);
        if (this.values.delete(key)) this.emit(key);
      },
      keys: async () => [...this.values.keys()],
      onDidChange: (listener) => {
        own.add(listener);
        this.listeners.add(listener);
        return { dispose: () => { own.delete(listener); this.listeners.delete(listener); } };
      },
      dispose: () => own.forEach((l) => this.listeners.delete(l)),
    };
  }

  private emit(key: string): void {
    for (const listener of [...this.listeners]) {
      setTimeout(() => listener({ key }), 0);
    }
  }
}

/** A real copy (not a V8 slice of the same string), as a value arriving over IPC is. */
function copy(value: string): string {
  return Buffer.from(value, "utf8").toString("utf8");
}
