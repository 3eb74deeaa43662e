/**
 * `npm run bench:profile-propagation`: where the time of the bench's workload (d) goes, a sign-in
 * in window A until window B's onDidChangeAccounts, at 100 accounts by default. Same windows as
 * the bench (two MsalClients over one SecretStorage model, latency from the host measurement):
 *
 *   together  as the bench runs it: B's change event arrives while A, on the same thread, is still
 *             finishing its sign-in (in the editor each window has its own extension host);
 *   alone     B's change event is held until A is idle, so only B's own work is timed; then again
 *             under V8's sampling profiler, its time split by what B was doing;
 *   steps     each step of B's work called directly on the stored document, for the savings a
 *             change to that step would bring.
 *
 * Prints Markdown tables and writes bench/results/propagation-profile.json (and the last profile,
 * propagation.cpuprofile, for Chrome DevTools). A measurement: it never fails on a timing.
 *
 *   node out/bench/profilePropagation.js [--accounts 100] [--iterations 8] [--secret-latency-ms <ms>]
 */
import { parseArgs as parseCommandLine } from "node:util";
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { emptyPending, mergeInto, sameCache } from "../src/cache/cacheDocument";
import { decode, encode } from "../src/cache/storedFormat";
import { accountsFromCache } from "../src/msal/accounts";
import { TokenIndex } from "../src/msal/tokenIndex";
import { DEFAULT_USERS, startFakeEntra, TENANT_ID } from "../test/fakeEntra";
import { CLIENT_ID } from "../test/support/clients";
import { barePca, realTemplate, synthesize } from "./cacheBuilder";
import { benchLatency } from "./secretModel";
import { CallFrame, CpuProfile, machineBasics, profile, round, summarize, timeByCategory } from "./stats";
import { Delivery, TwoWindows } from "./twoWindows";

function parseArgs(argv: string[]): { accounts: number; iterations: number; latencyMs?: number; out: string } {
  const { values } = parseCommandLine({
    args: argv,
    options: { accounts: { type: "string" }, iterations: { type: "string" }, "secret-latency-ms": { type: "string" }, out: { type: "string" } },
  });
  const [accounts, iterations] = [Number(values.accounts ?? 100), Number(values.iterations ?? 8)];
  for (const [name, v] of [["--accounts", accounts], ["--iterations", iterations]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a whole number >= 1`);
  }
  const latencyMs = values["secret-latency-ms"] === undefined ? undefined : Number(values["secret-latency-ms"]);
  return { accounts, iterations, latencyMs, out: resolve(values.out ?? resolve(__dirname, "../../bench/results")) };
}

/** Ours and the model's functions that name a category (the innermost one on a stack wins). */
function ownCategory(frame: CallFrame): string | undefined {
  const { functionName: fn } = frame;
  const file = frame.url.replace(/\\/g, "/");
  if (file.endsWith("/bench/secretModel.js")) return fn === "copy" ? "SecretStorage read: copy of the value (models IPC)" : "SecretStorage read: modelled latency";
  if (file.endsWith("/src/cache/storedFormat.js")) {
    if (fn === "decode") return "decode: JSON.parse and schema check of the stored document";
    if (fn === "encode") return "encode: JSON.stringify of the merged document";
  }
  if (file.endsWith("/src/cache/cacheDocument.js")) {
    if (fn === "mergeInto") return "mergeInto: 3-way merge (copies every section)";
    if (fn === "sameCache") return "sameCache: canonical comparison of every entry with MSAL's view";
    if (fn === "recordChanges") return "recordChanges: entry-by-entry diff of MSAL's cache (writer)";
  }
  if (file.endsWith("/src/cache/secretCachePlugin.js")) {
    if (fn === "readAndMerge") return "readAndMerge itself (text comparisons)";
    if (fn === "afterCacheAccess") return "afterCacheAccess: MSAL serialize and deserialize (writer)";
  }
  if (file.endsWith("/src/msal/accounts.js") || (file.endsWith("/src/msal/msalClient.js") && (fn === "report" || fn === "storageChanged"))) {
    return "accounts from the stored cache, diff, event";
  }
  return undefined;
}

/** What a sample was doing: V8's pseudo-frames, then ours (innermost first), then MSAL by entry point. */
function category(stack: CallFrame[]): string {
  const leaf = stack[0]!.functionName;
  if (leaf === "(idle)") return "idle (waiting)";
  if (leaf === "(garbage collector)") return "garbage collection";
  if (leaf === "(program)") return "V8/Node internals (program)";
  for (const frame of stack) {
    const own = ownCategory(frame);
    if (own) return own;
  }
  const msal = stack.filter((f) => f.url.includes("/node_modules/@azure/msal-"));
  if (msal.some((f) => f.functionName === "getAllAccounts")) return "MSAL getAllAccounts (the writer lists its accounts after the sign-in)";
  if (msal.length > 0) return "MSAL: token response and cache writes (writer)";
  if (stack.some((f) => f.url.includes("/test/fakeEntra/"))) return "fake Entra ID (the test server)";
  return "other";
}

/** Median time of `run` over `times` calls (after one warm-up call). */
async function timeIt(run: () => unknown, times = 15): Promise<number> {
  await run();
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return round(summarize(samples).median, 2);
}

const RUNS = ["together", "alone", "togetherProfiled", "aloneProfiled"] as const;
type RunName = (typeof RUNS)[number];

interface Timeline {
  /** From A's write of the sign-in to B's change listener running. */
  writeToListener: number;
  /** From B's listener to the start of B's read. */
  listenerToRead: number;
  /** B's SecretStorage get. */
  read: number;
  /** From B's read returning to B's onDidChangeAccounts. */
  readToEvent: number;
  /** From A's write (together) or B's listener (alone) to B's onDidChangeAccounts. */
  total: number;
  /** `total` without B's read. */
  outsideRead: number;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const root = resolve(__dirname, "../..");
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  const model = benchLatency(opts.latencyMs, root);
  const user = { username: "prop-profile@contoso.test", name: "Propagation Profile", oid: randomUUID(), tid: TENANT_ID };
  const fake = await startFakeEntra({ users: [...DEFAULT_USERS.map((u) => ({ ...u })), user], accessTokenLifetimeSec: 3600, idTokenLifetimeSec: 86_400 });
  const began = Date.now();
  try {
    const template = await realTemplate(fake, DEFAULT_USERS[0]!.username);
    const cache = synthesize(template, opts.accounts);
    const windows = new TwoWindows("ours", fake, cache.json, model.latency);
    const before = windows.storage.values.get(windows.key)!;
    log(`profile-propagation: ${opts.accounts} accounts, ${before.length.toLocaleString("en")} characters stored; SecretStorage latency: ${model.source}`);
    log(`profile-propagation:   get ${model.latency("get", before.length).toFixed(1)} ms, store ${model.latency("store", before.length).toFixed(1)} ms at this size`);

    // V8's profile clock is process.hrtime in microseconds; the stamps are performance.now().
    const clockOffsetUs = Number(process.hrtime.bigint()) / 1000 - performance.now() * 1000;
    type Window = { fromUs: number; toUs: number };
    const oneSignIn = async (delivery: Delivery): Promise<{ timeline: Timeline; window: Window }> => {
      const p = await windows.propagate(user.username, delivery);
      const from = delivery === "together" ? p.write : p.listener;
      return {
        timeline: {
          writeToListener: delivery === "together" ? p.listener - p.write : NaN,
          listenerToRead: p.read.start - p.listener,
          read: p.read.end - p.read.start,
          readToEvent: p.fired - p.read.end,
          total: p.fired - from,
          outsideRead: p.fired - from - (p.read.end - p.read.start),
        },
        window: { fromUs: from * 1000 + clockOffsetUs, toUs: p.fired * 1000 + clockOffsetUs },
      };
    };

    const runs: Record<RunName, Timeline[]> = { together: [], alone: [], togetherProfiled: [], aloneProfiled: [] };
    const profiled: Record<Delivery, Window[]> = { together: [], alone: [] };
    let cpuProfile: CpuProfile;
    try {
      await windows.start();
      await oneSignIn("together"); // warm-up
      // Each round runs both deliveries, so that a change in the machine's load hits them alike.
      for (let i = 0; i < opts.iterations; i++) {
        runs.together.push((await oneSignIn("together")).timeline);
        runs.alone.push((await oneSignIn("alone")).timeline);
        log(`profile-propagation:   round ${i + 1}/${opts.iterations}: together ${runs.together.at(-1)!.total.toFixed(1)} ms, B alone ${runs.alone.at(-1)!.total.toFixed(1)} ms`);
      }
      // Then the same under the profiler, one profile for all rounds (starting it costs tens of ms).
      cpuProfile = await profile(async () => {
        for (let i = 0; i < opts.iterations; i++) {
          for (const delivery of ["together", "alone"] as const) {
            const { timeline, window } = await oneSignIn(delivery);
            runs[delivery === "together" ? "togetherProfiled" : "aloneProfiled"].push(timeline);
            profiled[delivery].push(window);
          }
        }
      });
    } finally {
      windows.dispose();
    }
    // The stored document now: the same accounts, and the tombstone of the signed-out one.
    const after = windows.storage.values.get(windows.key)!;

    const medians = (list: Timeline[]): Timeline => {
      const m = (f: keyof Timeline): number => round(summarize(list.map((t) => t[f]).filter((x) => !Number.isNaN(x))).median, 2);
      return { writeToListener: m("writeToListener"), listenerToRead: m("listenerToRead"), read: m("read"), readToEvent: m("readToEvent"), total: m("total"), outsideRead: m("outsideRead") };
    };
    const timeline = Object.fromEntries(RUNS.map((k) => [k, medians(runs[k])])) as Record<RunName, Timeline>;

    // Time by category within each profiled run's window, per propagation.
    const breakdown = (list: Window[]): Array<{ what: string; msPerPropagation: number; share: number }> => {
      const totals = new Map<string, number>();
      for (const w of list) for (const [c, ms] of timeByCategory(cpuProfile, category, w)) totals.set(c, (totals.get(c) ?? 0) + ms);
      const all = [...totals.values()].reduce((sum, x) => sum + x, 0);
      return [...totals]
        .map(([what, ms]) => ({ what, msPerPropagation: round(ms / list.length, 2), share: round((100 * ms) / all, 1) }))
        .sort((x, y) => y.msPerPropagation - x.msPerPropagation);
    };
    const breakdownAlone = breakdown(profiled.alone);
    const breakdownTogether = breakdown(profiled.together);
    const samples = cpuProfile.samples?.length ?? 0;
    const meanIntervalUs = round((cpuProfile.endTime - cpuProfile.startTime) / Math.max(1, samples), 0);

    // Each step of B's work on the stored documents, called directly.
    const beforeDoc = decode(before), afterDoc = decode(after);
    if (!beforeDoc.ok || !afterDoc.ok) throw new Error("the stored document cannot be decoded");
    const view = JSON.parse(JSON.stringify(beforeDoc.document.msal)) as typeof beforeDoc.document.msal;
    const mergedDoc = mergeInto(afterDoc.document, emptyPending(), Date.now()).merged;
    const pca = barePca(fake);
    const msalJson = JSON.stringify(afterDoc.document.msal);
    const steps = [
      { step: "JSON.parse of the stored text", onPath: true, ms: await timeIt(() => JSON.parse(after)) },
      { step: "decode (JSON.parse + schema check)", onPath: true, ms: await timeIt(() => decode(after)) },
      { step: "mergeInto with nothing pending", onPath: true, ms: await timeIt(() => mergeInto(afterDoc.document, emptyPending(), Date.now())) },
      { step: "encode of the merged document", onPath: true, ms: await timeIt(() => encode(mergedDoc)) },
      { step: "sameCache(merged, MSAL's view)", onPath: true, ms: await timeIt(() => sameCache(mergedDoc.msal, view)) },
      { step: "accountsFromCache", onPath: true, ms: await timeIt(() => accountsFromCache(mergedDoc.msal, CLIENT_ID)) },
      { step: "MSAL deserialize (at the next token request, not on this path)", onPath: false, ms: await timeIt(() => pca.getTokenCache().deserialize(msalJson)) },
      { step: "token index rebuild (at the next cache hit, not on this path)", onPath: false, ms: await timeIt(() => new TokenIndex(mergedDoc.msal, CLIENT_ID)) },
      { step: "MSAL getAllAccounts on the loaded cache (the writer, after its sign-in)", onPath: false, ms: await timeIt(() => pca.getAllAccounts()) },
    ];

    const result = {
      date: new Date().toISOString(),
      machine: machineBasics(),
      accounts: opts.accounts,
      storedCharacters: after.length,
      secretLatency: { source: model.source, getMs: round(model.latency("get", after.length), 2), storeMs: round(model.latency("store", after.length), 2) },
      iterations: opts.iterations,
      timelineMedians: timeline,
      breakdownBAlone: breakdownAlone,
      breakdownTogether,
      profile: { samples, meanIntervalUs },
      steps,
      elapsedMs: Date.now() - began,
    };

    const out: string[] = [];
    const table = (rows: string[][]): void => {
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      const line = (r: string[]): string => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
      out.push(line(rows[0]!), `|${widths.map((w, i) => (i === 0 ? `-${"-".repeat(w)}-` : `-${"-".repeat(w)}:`)).join("|")}|`, ...rows.slice(1).map(line), "");
    };
    const f = (x: number): string => (Number.isNaN(x) ? "-" : x.toFixed(1));
    out.push(`# Cross-window propagation at ${opts.accounts} accounts (${after.length.toLocaleString("en")} characters stored), ${result.date}`);
    out.push(`machine: ${result.machine.cpu}, ${result.machine.cores} cores; SecretStorage: get ${result.secretLatency.getMs} ms, store ${result.secretLatency.storeMs} ms (${model.source}); medians of ${opts.iterations}`);
    out.push(`profile: ${samples} samples, one every ${meanIntervalUs} µs on average (V8 samples less often than asked on a busy machine)`, "");
    const names: Record<RunName, string> = { together: "together (as the bench)", alone: "B alone", togetherProfiled: "together, profiled", aloneProfiled: "B alone, profiled" };
    table([
      ["run", "A's write → B's listener ms", "listener → read ms", "B's read ms", "read → B's event ms", "total ms", "total without B's read ms"],
      ...RUNS.map((k) => [names[k], f(timeline[k].writeToListener), f(timeline[k].listenerToRead), f(timeline[k].read), f(timeline[k].readToEvent), f(timeline[k].total), f(timeline[k].outsideRead)]),
    ]);
    out.push("B alone, profiled: time by what B was doing, per propagation (from B's listener to its event)");
    table([["what", "ms", "share %"], ...breakdownAlone.map((x) => [x.what, x.msPerPropagation.toFixed(2), x.share.toFixed(1)])]);
    out.push("Together, profiled: what ran between A's write and B's event (both windows on one thread), per propagation");
    table([["what", "ms", "share %"], ...breakdownTogether.map((x) => [x.what, x.msPerPropagation.toFixed(2), x.share.toFixed(1)])]);
    out.push("Each step on the stored document, called directly (median ms)");
    table([["step", "ms"], ...steps.map((s) => [s.step, s.ms.toFixed(2)])]);
    process.stdout.write(`${out.join("\n")}\ntook ${((Date.now() - began) / 1000).toFixed(1)} s; JSON: ${join(opts.out, "propagation-profile.json")}\n`);
    mkdirSync(opts.out, { recursive: true });
    writeFileSync(join(opts.out, "propagation-profile.json"), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(join(opts.out, "propagation.cpuprofile"), JSON.stringify(cpuProfile));
  } finally {
    await fake.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`profile-propagation failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
