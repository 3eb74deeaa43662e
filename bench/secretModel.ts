import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SecretStore } from "../src/cache/secretStore";
import type { Summary } from "./stats";

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
 * Milliseconds of asynchronous wait a SecretStorage call costs for a value of `chars` characters
 * (the stored caches are ASCII JSON, so characters are bytes). A `get` of a missing key is 0.
 */
export type SecretLatency = (op: "get" | "store", chars: number) => number;

export function constantLatency(ms: number): SecretLatency {
  return () => ms;
}

/**
 * The medians `npm run bench:host-secrets` measured, by value size: linear between two measured
 * sizes, the smallest size's below it, and the last two sizes' slope above the largest.
 */
export function hostLatency(measured: HostSecretsResult): SecretLatency {
  const points = [...measured.sizes].sort((a, b) => a.bytes - b.bytes);
  if (points.length === 0) throw new Error(`${HOST_SECRETS_FILE} holds no measurement`);
  return (op, chars) => {
    const y = (i: number): number => points[i]![op].median;
    let i = points.findIndex((p) => p.bytes >= chars);
    if (i === 0 || points.length === 1) return y(i === -1 ? points.length - 1 : 0);
    if (i === -1) i = points.length - 1; // beyond the largest size: extend the last segment
    const [x0, x1] = [points[i - 1]!.bytes, points[i]!.bytes];
    return Math.max(0, y(i - 1) + ((y(i) - y(i - 1)) * (chars - x0)) / (x1 - x0));
  };
}

export interface BenchLatency {
  latency: SecretLatency;
  /** Where the latency comes from, for the report. */
  source: string;
}

/**
 * The bench's latency: `latencyMs` when given (--secret-latency-ms), else the host measurement
 * saved in HOST_SECRETS_FILE under the project root `root`.
 */
export function benchLatency(latencyMs: number | undefined, root: string): BenchLatency {
  if (latencyMs !== undefined) return { latency: constantLatency(latencyMs), source: `${latencyMs} ms per get and per store, whatever the size (--secret-latency-ms)` };
  const file = join(root, HOST_SECRETS_FILE);
  if (!existsSync(file)) {
    throw new Error(`${HOST_SECRETS_FILE} is missing: run \`npm run bench:host-secrets\` (needs the host test tools) or give --secret-latency-ms <ms>`);
  }
  const measured = JSON.parse(readFileSync(file, "utf8")) as HostSecretsResult;
  const { product, vscodeVersion, uiKind } = measured.host;
  return {
    latency: hostLatency(measured),
    source: `medians measured in the extension host of ${product} (VS Code ${vscodeVersion}, ${uiKind}) on ${measured.date.slice(0, 10)}, by value size (${HOST_SECRETS_FILE})`,
  };
}

/**
 * VS Code's SecretStorage as the bench models it: one store shared by every window, each `get` and
 * `store` costing `latency` of asynchronous wait for the size of the value (an IPC round trip to
 * where the editor keeps secrets, the value travelling with it), `get` returning a fresh copy of
 * the string (as IPC does), change events delivered asynchronously (next macrotask) to every
 * window, the writer included. Reads and writes are counted per store and per window view.
 */
export class LatencySecretStorage {
  readonly values = new Map<string, string>();
  readonly counts: StorageCounts = { reads: 0, writes: 0 };
  /** performance.now() when each key was last written (the write completed). */
  readonly writtenAt = new Map<string, number>();
  private readonly listeners = new Set<Listener>();

  constructor(readonly latency: SecretLatency) {}

  window(): SecretStore & { readonly counts: StorageCounts; dispose(): void } {
    const own = new Set<Listener>();
    const counts: StorageCounts = { reads: 0, writes: 0 };
    return {
      counts,
      get: async (key) => {
        counts.reads++;
        this.counts.reads++;
        await sleepPrecise(this.latency("get", this.values.get(key)?.length ?? 0));
        const value = this.values.get(key);
        return value === undefined ? undefined : copy(value);
      },
      store: async (key, value) => {
        counts.writes++;
        this.counts.writes++;
        await sleepPrecise(this.latency("store", value.length));
        this.values.set(key, copy(value));
        this.writtenAt.set(key, performance.now());
        this.emit(key);
      },
      delete: async (key) => {
        await sleepPrecise(this.latency("store", 0));
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

/** Where `npm run bench:host-secrets` saves its measurement, relative to the project root. */
export const HOST_SECRETS_FILE = "bench/results/host-secrets.json";

export interface HostSecretsResult {
  date: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; platform: string };
  loadAverage: { before: number[]; after: number[] };
  host: { product: string; vscodeVersion: string; appHost: string; uiKind: "web" | "desktop"; remoteName: string | null; node: string; browser?: string };
  method: string;
  iterations: number;
  sizes: Array<{ bytes: number; label: string; get: Summary; store: Summary; storeToChange: Summary }>;
  /** Errors of the browser's secret store (code-server keeps secrets in localStorage) during the run. */
  browserSecretErrors: number;
  firstBrowserSecretError: string | null;
  elapsedMs: number;
}
