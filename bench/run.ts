/**
 * `npm run bench`: token requests of our cache strategy against MSAL with no cache plugin (the
 * floor), a read-every-call baseline (VS Code built-in's design) and @azure/msal-node-extensions,
 * with the real msal-node against the fake Entra ID on 127.0.0.1, all in one run, interleaved, and
 * reported as ratios to the floor. A benchmark, not a test: it never fails on a timing.
 *
 *   node --expose-gc out/bench/run.js [--quick] [--secret-latency-ms <ms>] [--sizes 1,10,100,1000] [--no-profile]
 *
 * SecretStorage's latency is by default what `npm run bench:host-secrets` measured in the real
 * extension host (bench/results/host-secrets.json), by value size; --secret-latency-ms replaces it
 * with a constant.
 */
import { parseArgs as parseCommandLine } from "node:util";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startFakeEntra, DEFAULT_USERS, TENANT_ID, type FakeEntra, type FakeUser } from "../test/fakeEntra";
import { SCOPE } from "../test/support/clients";
import { chartSvg, Series } from "./chart";
import { BENCH_SCOPES, realTemplate, subset, synthesize } from "./cacheBuilder";
import { benchCacheKey, warmRetries, Contender, ContenderName, CONTENDERS, createContender, extensionsVersion, keytarStubbed, storedValue, tryLoadExtensions } from "./contenders";
import { benchLatency, BenchLatency, LatencySecretStorage, SecretLatency } from "./secretModel";
import { Propagation, TwoWindows } from "./twoWindows";
import { machineBasics, profile, round, summarize, Summary, topFunctions } from "./stats";

// ---------------------------------------------------------------- options

interface Plan {
  sizes: number[];
  hit: Record<number, number>;
  hitWarmup: Record<number, number>;
  refresh: Record<number, number>;
  signIn: Record<number, number>;
  propagation: Record<number, number>;
  batch: number;
}

// At 1000 accounts MSAL itself (the floor) takes seconds per call here, so few calls there.
const FULL: Plan = {
  sizes: [1, 10, 100, 1000],
  hit: { 1: 600, 10: 600, 100: 200, 1000: 6 },
  hitWarmup: { 1: 40, 10: 40, 100: 10, 1000: 1 },
  refresh: { 1: 60, 10: 60, 100: 20, 1000: 3 },
  signIn: { 1: 6, 10: 6, 100: 4, 1000: 2 },
  propagation: { 1: 12, 10: 12, 100: 6, 1000: 2 },
  batch: 10,
};
const QUICK: Plan = {
  sizes: [1, 10],
  hit: { 1: 40, 10: 40 },
  hitWarmup: { 1: 5, 10: 5 },
  refresh: { 1: 5, 10: 5 },
  signIn: { 1: 2, 10: 2 },
  propagation: { 1: 3, 10: 3 },
  batch: 5,
};

function parseArgs(argv: string[]): { quick: boolean; latencyMs?: number; sizes?: number[]; profile: "on-miss" | "always" | "never"; out: string } {
  const { values } = parseCommandLine({
    args: argv,
    options: {
      quick: { type: "boolean" },
      "secret-latency-ms": { type: "string" },
      sizes: { type: "string" },
      profile: { type: "boolean" },
      "no-profile": { type: "boolean" },
      out: { type: "string" },
    },
  });
  const latencyMs = values["secret-latency-ms"] === undefined ? undefined : Number(values["secret-latency-ms"]);
  if (latencyMs !== undefined && !(Number.isFinite(latencyMs) && latencyMs >= 0)) throw new Error("--secret-latency-ms must be a number >= 0");
  return {
    quick: values.quick ?? false,
    latencyMs,
    sizes: values.sizes?.split(",").map(Number),
    profile: values["no-profile"] ? "never" : values.profile ? "always" : "on-miss",
    out: resolve(values.out ?? resolve(__dirname, "../../bench/results")),
  };
}

// ---------------------------------------------------------------- results

interface CallStats extends Summary {
  ratioMedian?: number;
  ratioP95?: number;
  /** SecretStorage (or file) reads and writes per 1,000 calls. */
  readsPer1000: number;
  writesPer1000: number;
  /** Requests to the fake identity provider per 1,000 calls. */
  requestsPer1000: number;
  /** Calls that failed (left out of the timings; the contender was signed in again). */
  failures: number;
}
type PerSize<T> = Record<string, Partial<Record<ContenderName, T>>>;

/** (d): medians and p95 of both deliveries (see propagation()), in ms. */
interface PropagationStats extends Summary {
  readsPerEvent: number;
  fromSignInMedian: number;
  aloneMedian: number;
  aloneP95: number;
  /** B's one SecretStorage read, within aloneMedian. */
  aloneReadMedian: number;
  /** aloneMedian without B's read: what B itself adds to it (the target's "5 ms"). */
  aloneOutsideReadMedian: number;
}

interface Results {
  hit: PerSize<CallStats>;
  refresh: PerSize<CallStats>;
  signIn: PerSize<CallStats>;
  propagation: PerSize<PropagationStats>;
  memory: PerSize<{ heapBytes: number }>;
  cacheBytes: Record<string, number>;
  /**
   * Ours alone, many cache-hit calls per size: the growth target compares medians of a few
   * microseconds, which the interleaved run (paced by a floor that takes seconds at 1000 accounts)
   * samples too rarely to compare.
   */
  oursAlone: Record<string, Summary>;
  /** First error message of each contender whose refreshes failed, per size. */
  failures: Record<string, Partial<Record<ContenderName, string>>>;
}

// ---------------------------------------------------------------- workloads

const gc = (globalThis as { gc?: () => void }).gc;

class Recorder {
  samples: number[] = [];
  reads = 0;
  writes = 0;
  requests = 0;
  failures = 0;
  stats(): Omit<CallStats, "ratioMedian" | "ratioP95"> {
    const n = this.samples.length;
    return {
      ...summarize(this.samples),
      readsPer1000: round((1000 * this.reads) / n, 1),
      writesPer1000: round((1000 * this.writes) / n, 1),
      requestsPer1000: round((1000 * this.requests) / n, 1),
      failures: this.failures,
    };
  }
}

/** Runs `call` on every contender in interleaved batches (order rotated each round); times each call. */
async function interleaved(
  contenders: Contender[],
  fake: FakeEntra,
  calls: number,
  warmup: number,
  batch: number,
  /** One call; `false` when it failed and was repaired (the sample is then left out). */
  call: (c: Contender, i: number) => Promise<void | false>,
): Promise<Map<ContenderName, Recorder>> {
  const recorders = new Map(contenders.map((c) => [c.name, new Recorder()]));
  for (let i = 0; i < warmup; i++) for (const c of contenders) await call(c, i);
  batch = Math.max(1, Math.min(batch, Math.ceil(calls / 3))); // at least three rounds, so that the order rotates
  const rounds = Math.ceil(calls / batch);
  let seq = warmup;
  for (let r = 0; r < rounds; r++) {
    const order = contenders.map((_, k) => contenders[(k + r) % contenders.length]!);
    for (const c of order) {
      const rec = recorders.get(c.name)!;
      const before = c.counts();
      const requests = fake.requests.length;
      for (let k = 0; k < batch; k++) {
        const start = performance.now();
        if ((await call(c, seq + k)) === false) rec.failures++;
        else rec.samples.push(performance.now() - start);
      }
      const after = c.counts();
      rec.reads += after.reads - before.reads;
      rec.writes += after.writes - before.writes;
      rec.requests += fake.requests.length - requests;
    }
    seq += batch;
  }
  return recorders;
}

function withRatios(recorders: Map<ContenderName, Recorder>): Partial<Record<ContenderName, CallStats>> {
  const out: Partial<Record<ContenderName, CallStats>> = {};
  const floor = recorders.get("floor")?.stats();
  for (const [name, rec] of recorders) {
    const s = rec.stats();
    out[name] = { ...s, ratioMedian: floor ? round(s.median / floor.median, 2) : undefined, ratioP95: floor ? round(s.p95 / floor.p95, 2) : undefined };
  }
  return out;
}

/**
 * (d) Sign-in in window A until window B's onDidChangeAccounts reports the account: both windows
 * on this thread, B's event at once (from A's first write); and B alone, its event held until A
 * is idle (from B's change listener), as when each window has its own extension host.
 */
async function propagation(name: "ours" | "read-every-call", fake: FakeEntra, msalJson: string, latency: SecretLatency, iterations: number, username: string): Promise<PropagationStats> {
  const windows = new TwoWindows(name, fake, msalJson, latency);
  const together: Propagation[] = [], alone: Propagation[] = [];
  try {
    await windows.start();
    for (let i = 0; i < iterations; i++) {
      together.push(await windows.propagate(username, "together"));
      alone.push(await windows.propagate(username, "alone"));
    }
  } finally {
    windows.dispose();
  }
  const aloneMs = summarize(alone.map((p) => p.fired - p.listener));
  return {
    ...summarize(together.map((p) => p.fired - p.write)),
    readsPerEvent: round(together.reduce((sum, p) => sum + p.readsByB, 0) / iterations, 2),
    fromSignInMedian: summarize(together.map((p) => p.fired - p.signedIn)).median,
    aloneMedian: aloneMs.median,
    aloneP95: aloneMs.p95,
    aloneReadMedian: summarize(alone.map((p) => p.read.end - p.read.start)).median,
    aloneOutsideReadMedian: summarize(alone.map((p) => p.fired - p.listener - (p.read.end - p.read.start))).median,
  };
}

/** (e) Heap held by a contender loaded with the cache (after one token request), GC'd before and after. */
async function heapOf(name: ContenderName, fake: FakeEntra, msalJson: string, latency: SecretLatency, home: string): Promise<number> {
  const collect = async (): Promise<number> => {
    for (let i = 0; i < 3; i++) {
      gc!();
      await new Promise((r) => setImmediate(r));
    }
    return process.memoryUsage().heapUsed;
  };
  let storage: LatencySecretStorage | undefined;
  if (name === "ours" || name === "read-every-call") {
    storage = new LatencySecretStorage(latency);
    storage.values.set(benchCacheKey(fake), storedValue(name, msalJson));
  }
  const before = await collect();
  // A copy made after the baseline: what the contender keeps of it counts, as a value read from disk or IPC would.
  const contender = await createContender(name, fake, Buffer.from(msalJson).toString("utf8"), latency, storage);
  await contender.silent(home, SCOPE);
  const after = await collect();
  await contender.dispose();
  return after - before;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const plan = { ...(opts.quick ? QUICK : FULL) };
  if (opts.sizes) plan.sizes = opts.sizes;
  const began = Date.now();
  const ext = tryLoadExtensions();
  const contenderNames = CONTENDERS.filter((c) => c !== "msal-node-extensions" || ext);
  const log = (s: string): void => void process.stderr.write(`${s}\n`);

  const model = benchLatency(opts.latencyMs, resolve(__dirname, "../.."));
  log(`bench: ${opts.quick ? "quick" : "full"} run; sizes ${plan.sizes.join(", ")}; SecretStorage latency: ${model.source}`);
  if (!ext) log("bench: @azure/msal-node-extensions is not installed: that contender is skipped (npm install --no-save --ignore-scripts @azure/msal-node-extensions@5.5.2)");
  if (!gc) log("bench: run node with --expose-gc to measure memory; memory is skipped");

  const signInUsers = (prefix: string): FakeUser[] =>
    contenderNames.map((c) => ({ username: `${prefix}-${c}@contoso.test`, name: `${prefix} ${c}`, oid: randomUUID(), tid: TENANT_ID }));
  const users = [...DEFAULT_USERS.map((u) => ({ ...u })), ...signInUsers("signin"), ...signInUsers("prop")];
  // Id tokens for a day: ours renews an id token within 5 minutes of its expiry, which would send
  // the clones (whose refresh tokens the fake does not know) to the network.
  const fake = await startFakeEntra({ users, accessTokenLifetimeSec: 3600, idTokenLifetimeSec: 86_400 });

  const results: Results = { hit: {}, refresh: {}, signIn: {}, propagation: {}, memory: {}, cacheBytes: {}, oursAlone: {}, failures: {} };
  let profileLines: ReturnType<typeof topFunctions> | undefined;
  let profiledSize: number | undefined;
  try {
    // One real account (interactive sign-in, two refresh grants), cloned up to the largest size.
    const template = await realTemplate(fake, DEFAULT_USERS[0]!.username);
    const largest = synthesize(template, Math.max(...plan.sizes));
    const full = JSON.parse(largest.json) as Parameters<typeof subset>[0];

    for (const size of plan.sizes) {
      const cache = subset(full, largest.homeAccountIds, size);
      results.cacheBytes[size] = cache.bytes;
      let mark = performance.now();
      const phase = (what: string): void => {
        log(`bench:   ${what} at ${size}: ${((performance.now() - mark) / 1000).toFixed(1)} s`);
        mark = performance.now();
      };
      log(`bench: ${size} account(s), ${cache.bytes.toLocaleString("en")} bytes serialized`);
      const contenders: Contender[] = [];
      for (const name of contenderNames) contenders.push(await createContender(name, fake, cache.json, model.latency));
      try {
        // (a) silent request answered from the cache: accounts and scopes spread over the cache.
        const homes = cache.homeAccountIds;
        const target = (i: number): [string, string] => [homes[(i * 7919) % homes.length]!, BENCH_SCOPES[i % BENCH_SCOPES.length]!];
        const hit = await interleaved(contenders, fake, plan.hit[size] ?? 50, plan.hitWarmup[size] ?? 5, plan.batch, (c, i) => c.silent(...target(i)));
        results.hit[size] = withRatios(hit);
        phase(`(a) cache hit`);
        const ours = contenders.find((c) => c.name === "ours");
        if (ours) {
          const alone: number[] = [];
          for (let i = 0; i < (opts.quick ? 200 : 5000); i++) {
            const start = performance.now();
            await ours.silent(...target(i));
            alone.push(performance.now() - start);
          }
          results.oursAlone[size] = summarize(alone);
          phase(`(a') ours alone, cache hit`);
        }

        // (c) interactive sign-in; the fake now issues access tokens MSAL takes as expired at once
        // (60 s < MSAL's 5-minute renewal margin), so that (b) refreshes on every call.
        fake.setAccessTokenLifetime(60);
        const homeOf = new Map<ContenderName, string>();
        const signIn = await interleaved(contenders, fake, plan.signIn[size] ?? 2, 1, 1, async (c) => {
          homeOf.set(c.name, await c.signIn(`signin-${c.name}@contoso.test`));
        });
        results.signIn[size] = withRatios(signIn);
        phase(`(c) sign-in`);

        // (b) silent request whose access token expired: one refresh-token grant per call.
        // A failed refresh (e.g. a rotated refresh token sent again) is counted, and the contender signs in again.
        const failed = new Map<ContenderName, string>();
        const refresh = await interleaved(contenders, fake, plan.refresh[size] ?? 5, 1, Math.min(plan.batch, 5), async (c) => {
          try {
            await c.silent(homeOf.get(c.name)!, SCOPE);
          } catch (err) {
            if (!failed.has(c.name)) failed.set(c.name, err instanceof Error ? err.message.split("\n")[0]! : String(err));
            homeOf.set(c.name, await c.signIn(`signin-${c.name}@contoso.test`));
            return false;
          }
        });
        for (const [name, message] of failed) log(`bench: ${name} failed refreshes at ${size} accounts, first: ${message.slice(0, 200)}`);
        results.failures[size] = Object.fromEntries(failed);
        phase(`(b) refresh`);
        results.refresh[size] = withRatios(refresh);
        fake.setAccessTokenLifetime(3600);
      } finally {
        for (const c of contenders) await c.dispose();
      }

      // (d) cross-window propagation of a sign-in (SecretStorage contenders only).
      results.propagation[size] = {};
      for (let round = 0; round < 2; round++) {
        // two rounds, alternating which contender goes first
        for (const name of (round === 0 ? ["ours", "read-every-call"] : ["read-every-call", "ours"]) as Array<"ours" | "read-every-call">) {
          const r = await propagation(name, fake, cache.json, model.latency, Math.ceil((plan.propagation[size] ?? 3) / 2), `prop-${name}@contoso.test`);
          const prev = results.propagation[size]![name];
          results.propagation[size]![name] = prev ? mergeSummaries(prev, r) : r;
        }
      }

      phase(`(d) propagation`);
      // (e) memory held for the cache.
      if (gc) {
        await new Promise((r) => setTimeout(r, 200)); // let the windows above finish their timers
        const reps = new Map<ContenderName, number[]>(contenderNames.map((n) => [n, []]));
        for (let rep = 0; rep < (size >= 1000 ? 1 : 3); rep++) {
          for (const name of contenderNames) reps.get(name)!.push(await heapOf(name, fake, cache.json, model.latency, homes0(cache)));
        }
        results.memory[size] = {};
        for (const [name, v] of reps) results.memory[size]![name] = { heapBytes: summarize(v).median };
      }
    }

    // A profile of ours' cache-hit loop when a cache-hit target is missed.
    const targets = evaluateTargets(results, plan.sizes, model.latency);
    if (opts.profile === "always" || (opts.profile === "on-miss" && targets.some((t) => t.profile && !t.met))) {
      profiledSize = Math.max(...plan.sizes);
      const cache = subset(full, largest.homeAccountIds, profiledSize);
      const ours = await createContender("ours", fake, cache.json, model.latency);
      const homes = cache.homeAccountIds;
      await ours.silent(homes[0]!, SCOPE);
      // Long enough for the sampler (every 0.2 ms) to see the loop, however fast a call is.
      const calls = Math.max(30, plan.hit[profiledSize] ?? 30), minMs = opts.quick ? 300 : 2000;
      const p = await profile(async () => {
        const start = performance.now();
        for (let i = 0; i < calls || performance.now() - start < minMs; i++) await ours.silent(homes[(i * 7919) % homes.length]!, BENCH_SCOPES[i % 3]!);
      });
      await ours.dispose();
      profileLines = topFunctions(p);
      mkdirSync(opts.out, { recursive: true });
      writeFileSync(join(opts.out, "ours-cache-hit.cpuprofile"), JSON.stringify(p));
    }

    report(results, plan, opts, model, targets, profileLines, profiledSize, contenderNames, Date.now() - began);
  } finally {
    await fake.stop();
  }
}

/** The modelled latency at each size's stored cache. */
function latencyPerSize(model: BenchLatency, r: Results, sizes: number[]): Record<string, { bytes: number; getMs: number; storeMs: number }> {
  return Object.fromEntries(
    sizes.map((size) => {
      const bytes = r.cacheBytes[size] ?? 0;
      return [size, { bytes, getMs: round(model.latency("get", bytes), 2), storeMs: round(model.latency("store", bytes), 2) }];
    }),
  );
}

function homes0(cache: { homeAccountIds: string[] }): string {
  return cache.homeAccountIds[Math.floor(cache.homeAccountIds.length / 2)]!;
}

function mergeSummaries(a: PropagationStats, b: PropagationStats): PropagationStats {
  // Medians of two halves cannot be merged exactly; the samples are few, keep the halves' mean of medians.
  const n = a.n + b.n;
  return {
    ...a,
    n,
    median: (a.median * a.n + b.median * b.n) / n,
    p95: Math.max(a.p95, b.p95),
    mean: (a.mean * a.n + b.mean * b.n) / n,
    readsPerEvent: (a.readsPerEvent * a.n + b.readsPerEvent * b.n) / n,
    fromSignInMedian: (a.fromSignInMedian * a.n + b.fromSignInMedian * b.n) / n,
    aloneMedian: (a.aloneMedian * a.n + b.aloneMedian * b.n) / n,
    aloneP95: Math.max(a.aloneP95, b.aloneP95),
    aloneReadMedian: (a.aloneReadMedian * a.n + b.aloneReadMedian * b.n) / n,
    aloneOutsideReadMedian: (a.aloneOutsideReadMedian * a.n + b.aloneOutsideReadMedian * b.n) / n,
  };
}

// ---------------------------------------------------------------- targets and output

interface Target {
  name: string;
  met: boolean | undefined;
  detail: string;
  /** A miss here is explained by a profile of the cache-hit loop. */
  profile?: boolean;
}

const VSIX = resolve(__dirname, "../../dist/msal-secretstorage-auth.vsix");

function evaluateTargets(r: Results, sizes: number[], latency: SecretLatency): Target[] {
  const t: Target[] = [];
  const hit = (size: number, c: ContenderName): CallStats | undefined => r.hit[size]?.[c];
  const atOrBelow = sizes.map((s) => ({ s, ratio: hit(s, "ours")?.ratioMedian ?? NaN }));
  t.push({
    name: "silent cache hit at or below the floor at every cache size",
    met: atOrBelow.every((x) => x.ratio <= 1),
    detail: atOrBelow.map((x) => `${x.s}: ${x.ratio.toFixed(2)}x`).join(", "),
    profile: true,
  });
  const small = Math.min(...sizes), big = Math.max(...sizes);
  const alone = (size: number) => r.oursAlone[size]?.median ?? NaN;
  const growth = alone(big) / alone(small);
  t.push({
    name: `cache hit at ${big} accounts within 1.5x of ${small} account${big === 1000 ? "" : " (full run: 1000 vs 1)"}`,
    met: growth <= 1.5,
    detail: `ours alone, median of ${r.oursAlone[big]?.n ?? 0} calls: ${(alone(small) * 1000).toFixed(1)} µs at ${small}, ${(alone(big) * 1000).toFixed(1)} µs at ${big} = ${growth.toFixed(2)}x`,
    profile: true,
  });
  const rw = sizes.map((s) => (hit(s, "ours")?.readsPer1000 ?? NaN) + (hit(s, "ours")?.writesPer1000 ?? NaN));
  t.push({ name: "zero SecretStorage reads and writes per cache-hit call", met: rw.every((x) => x === 0), detail: sizes.map((s, i) => `${s}: ${rw[i]} per 1000`).join(", ") });
  const at = sizes.includes(100) ? 100 : big;
  const speedup = (hit(at, "read-every-call")?.median ?? NaN) / (hit(at, "ours")?.median ?? NaN);
  t.push({
    name: `at least 10x faster than read-every-call at ${at} accounts${at === 100 ? "" : " (full run: 100)"}`,
    met: speedup >= 10,
    detail: `read-every-call/ours = ${speedup.toFixed(1)}x`,
    profile: true,
  });
  const prop = r.propagation[at]?.ours;
  const limit = round(5 + latency("get", r.cacheBytes[at] ?? 0), 1);
  const where = `at ${at} accounts${at === 100 ? "" : " (full run: 100)"}`;
  t.push({
    name: `cross-window propagation within 5 ms + one SecretStorage read (${limit} ms) ${where}, both windows on one thread (bench/README.md)`,
    met: prop ? prop.median <= limit : undefined,
    detail: prop ? `median ${prop.median.toFixed(2)} ms from the sign-in's write to the other window's onDidChangeAccounts, p95 ${prop.p95.toFixed(2)} ms` : "not measured",
  });
  t.push({
    name: `cross-window propagation within 5 ms + one SecretStorage read ${where}, the other window alone (own extension host, as in the editor)`,
    met: prop ? prop.aloneOutsideReadMedian <= 5 : undefined,
    detail: prop
      ? `median ${prop.aloneMedian.toFixed(2)} ms from its change event to its onDidChangeAccounts: its read ${prop.aloneReadMedian.toFixed(2)} ms (modelled ${(limit - 5).toFixed(1)} ms), the rest ${prop.aloneOutsideReadMedian.toFixed(2)} ms; p95 ${prop.aloneP95.toFixed(2)} ms`
      : "not measured",
  });
  t.push({
    name: `propagation costs the other window one SecretStorage read ${where}`,
    met: prop ? prop.readsPerEvent <= 1 : undefined,
    detail: prop ? `${round(prop.readsPerEvent, 2)} reads by the other window per sign-in` : "not measured",
  });
  const vsix = existsSync(VSIX) ? statSync(VSIX).size : undefined;
  t.push({
    name: "VSIX under 300 KB",
    met: vsix === undefined ? undefined : vsix < 300 * 1024,
    detail: vsix === undefined ? "dist/msal-secretstorage-auth.vsix not built (npm run package)" : `${(vsix / 1024).toFixed(1)} KB`,
  });
  return t;
}

function machine(): Record<string, unknown> {
  const msalNode = (JSON.parse(readFileSync(resolve(__dirname, "../../node_modules/@azure/msal-node/package.json"), "utf8")) as { version: string }).version;
  return { ...machineBasics(), msalNode, msalNodeExtensions: extensionsVersion() ?? null, keytarStubbed };
}

const SHORT: Record<ContenderName, string> = { floor: "floor", ours: "ours", "read-every-call": "read-every-call", "msal-node-extensions": "msal-node-ext" };

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

function report(r: Results, plan: Plan, opts: ReturnType<typeof parseArgs>, model: BenchLatency, targets: Target[], prof: ReturnType<typeof topFunctions> | undefined, profiledSize: number | undefined, names: ContenderName[], elapsedMs: number): void {
  const lines: string[] = [];
  const out = (s = ""): void => void lines.push(s);
  const m = machine();
  out(`# Token request benchmark (${opts.quick ? "quick" : "full"}), ${new Date().toISOString()}`);
  out(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}; msal-node ${m.msalNode}; msal-node-extensions ${m.msalNodeExtensions ?? "not installed"}`);
  const perSize = latencyPerSize(model, r, plan.sizes);
  out(`SecretStorage model: ${model.source}; change events on the next macrotask`);
  out(`  get / store ms at each size's stored cache: ${plan.sizes.map((size) => `${size}: ${perSize[size]!.getMs} / ${perSize[size]!.storeMs}`).join(", ")}`);
  out(`ratios: contender / floor, medians (and p95) of per-call times measured interleaved in this run; floor = PublicClientApplication, no cache plugin`);
  out();
  const cols = names.filter((n) => n !== "floor");
  const head = ["workload", "accounts", "floor p50 / p95 ms", ...cols.map((c) => `${SHORT[c]} x (p95 x)`)];
  const rows: string[][] = [head];
  const workloads: Array<[string, keyof Pick<Results, "hit" | "refresh" | "signIn">]> = [
    ["(a) cache hit", "hit"],
    ["(b) expired AT, refresh", "refresh"],
    ["(c) sign-in", "signIn"],
  ];
  for (const [label, key] of workloads) {
    for (const size of plan.sizes) {
      const row = r[key][size];
      if (!row?.floor) continue;
      rows.push([label, String(size), `${fmt(row.floor.median)} / ${fmt(row.floor.p95)}`, ...cols.map((c) => (row[c] ? `${row[c]!.ratioMedian!.toFixed(2)} (${row[c]!.ratioP95!.toFixed(2)})` : "-"))]);
    }
  }
  out(table(rows));
  out();
  out("SecretStorage (file, for msal-node-ext) reads / writes per 1,000 calls; requests to the identity provider per 1,000 calls");
  const rows2: string[][] = [["workload", "accounts", ...names.map((c) => `${SHORT[c]} r/w/net`)]];
  for (const [label, key] of workloads) {
    for (const size of plan.sizes) {
      const row = r[key][size];
      if (!row) continue;
      rows2.push([label, String(size), ...names.map((c) => (row[c] ? `${row[c]!.readsPer1000}/${row[c]!.writesPer1000}/${row[c]!.requestsPer1000}` : "-"))]);
    }
  }
  out(table(rows2));
  for (const size of plan.sizes) {
    for (const c of names) {
      const n = r.refresh[size]?.[c]?.failures ?? 0;
      if (n > 0) out(`  note: ${SHORT[c]} failed ${n} of ${n + r.refresh[size]![c]!.n} refresh calls at ${size} accounts (left out of the timings): ${(r.failures[size]?.[c] ?? "").slice(0, 160)}`);
    }
  }
  out();
  out("(d) sign-in in window A until window B's onDidChangeAccounts fires. Together: both windows on this thread, from A's write to the secret (from A's signIn()");
  out("    returning); alone: B's event held until A is idle, from B's change listener (B's read within it)");
  const rows3: string[][] = [["accounts", "ours together p50 / p95 ms", "ours alone p50 / p95 (read) ms", "ours reads by B", "rec together p50 / p95 ms", "rec alone p50 / p95 (read) ms", "rec reads by B"]];
  for (const size of plan.sizes) {
    const o = r.propagation[size]?.ours, b = r.propagation[size]?.["read-every-call"];
    if (!o || !b) continue;
    const cells = (x: PropagationStats): string[] => [`${fmt(x.median)} / ${fmt(x.p95)} (${fmt(x.fromSignInMedian)})`, `${fmt(x.aloneMedian)} / ${fmt(x.aloneP95)} (${fmt(x.aloneReadMedian)})`, String(round(x.readsPerEvent, 2))];
    rows3.push([String(size), ...cells(o), ...cells(b)]);
  }
  out(table(rows3, (i) => i < 1));
  out();
  if (Object.keys(r.memory).length > 0) {
    out("(e) heap held for the cache (MB, heapUsed delta after GC, one contender loaded and used once)");
    const rows4: string[][] = [["accounts", "serialized MB", ...names.map((c) => SHORT[c])]];
    for (const size of plan.sizes) {
      const row = r.memory[size];
      if (!row) continue;
      rows4.push([String(size), (r.cacheBytes[size]! / 1e6).toFixed(3), ...names.map((c) => (row[c] ? (row[c]!.heapBytes / 1e6).toFixed(2) : "-"))]);
    }
    out(table(rows4));
    out();
  }
  out("Targets for ours (ratios from this run; a benchmark never fails on a timing):");
  for (const t of targets) out(`  ${t.met === undefined ? "n/a   " : t.met ? "met   " : "MISSED"} ${t.name}: ${t.detail}`);
  if (prof) {
    out();
    out(`Profile of ours' cache-hit loop at ${profiledSize} accounts (top functions by self time; full profile in bench/results/ours-cache-hit.cpuprofile):`);
    out(table([["self ms", "%", "function", "where"], ...prof.map((p) => [p.selfMs.toFixed(1), p.selfPercent.toFixed(1), p.fn, p.where])], (i) => i >= 2));
  }
  out();
  if (warmRetries.length > 0) out(`note: ${warmRetries.length} client creation(s) failed once and were retried: ${warmRetries[0]!.slice(0, 200)}`);
  out(`took ${(elapsedMs / 1000).toFixed(1)} s; JSON: ${join(opts.out, "latest.json")}; chart: ${join(opts.out, "latest.svg")}`);
  process.stdout.write(`${lines.join("\n")}\n`);

  mkdirSync(opts.out, { recursive: true });
  const json = {
    date: new Date().toISOString(),
    mode: opts.quick ? "quick" : "full",
    machine: m,
    config: { secretLatency: { source: model.source, perSize }, plan, contenders: names, accessTokensPerAccount: 3, elapsedMs },
    results: r,
    targets,
    profile: prof ? { size: profiledSize, top: prof } : undefined,
    clientCreationRetries: warmRetries,
  };
  writeFileSync(join(opts.out, "latest.json"), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(opts.out, "latest.svg"), svg(r, plan, names, opts, m, perSize));
}

const COLORS: Record<ContenderName, { color: string; dash?: string }> = {
  floor: { color: "#555555", dash: "6 4" },
  ours: { color: "#0078d4" },
  "read-every-call": { color: "#d13438" },
  "msal-node-extensions": { color: "#107c10" },
};

function svg(r: Results, plan: Plan, names: ContenderName[], opts: ReturnType<typeof parseArgs>, m: Record<string, unknown>, perSize: ReturnType<typeof latencyPerSize>): string {
  const series = (key: "hit" | "refresh"): Series[] =>
    names.map((c) => ({ name: c === "floor" ? "floor (MSAL, no cache plugin)" : c, ...COLORS[c], points: plan.sizes.map((s) => ({ x: s, y: r[key][s]?.[c]?.median ?? NaN })) }));
  return chartSvg(
    "Silent token request: median time per call against cache size",
    `${opts.quick ? "quick run, " : ""}${m.cpu}, ${m.cores} cores, node ${m.node}; SecretStorage get ${plan.sizes.map((s) => perSize[s]!.getMs).join(" / ")} ms by size; ${new Date().toISOString().slice(0, 10)}`,
    [
      { title: "(a) access token in the cache", yLabel: "median per call, lower is better (log)", series: series("hit") },
      { title: "(b) access token expired: one refresh", yLabel: "median per call, lower is better (log)", series: series("refresh") },
    ],
  );
}

/** A Markdown table; `left` columns are left-aligned (text), the others right-aligned (numbers). */
function table(rows: string[][], left = (i: number) => i < 2): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => (left(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  return [line(rows[0]!), `|${widths.map((w, i) => (left(i) ? `-${"-".repeat(w)}-` : `-${"-".repeat(w)}:`)).join("|")}|`, ...rows.slice(1).map(line)].join("\n");
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
