import { readFileSync } from "node:fs";
import { Session } from "node:inspector";
import { cpus, totalmem } from "node:os";

export interface Summary {
  n: number;
  median: number;
  p95: number;
  mean: number;
}

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length);
  return { n: sorted.length, median: at(0.5), p95: at(0.95), mean };
}

export interface ProfileLine {
  selfMs: number;
  selfPercent: number;
  fn: string;
  where: string;
}

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface CpuProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  /** Microseconds from the previous sample (the first: from startTime). */
  timeDeltas?: number[];
}

/** Runs `work` under V8's sampling profiler (what `node --cpu-prof` uses) and returns the profile. */
export async function profile(work: () => Promise<void>): Promise<CpuProfile> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))));
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 200 });
  await post("Profiler.start");
  try {
    await work();
  } finally {
    const { profile: result } = (await post("Profiler.stop")) as { profile: CpuProfile };
    session.disconnect();
    profileResult = result;
  }
  return profileResult!;
}
let profileResult: CpuProfile | undefined;

/** Top functions by self time (a `--cpu-prof` profile summarized). */
export function topFunctions(p: CpuProfile, count = 12): ProfileLine[] {
  const total = (p.endTime - p.startTime) / 1000;
  const samples = p.samples?.length ?? p.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
  const msPerSample = samples > 0 ? total / samples : 0;
  const byFn = new Map<string, ProfileLine>();
  for (const node of p.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : "";
    const fn = functionName || "(anonymous)";
    const key = `${fn}@${where}`;
    const line = byFn.get(key) ?? { selfMs: 0, selfPercent: 0, fn, where };
    line.selfMs += hits * msPerSample;
    byFn.set(key, line);
  }
  const lines = [...byFn.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, count);
  for (const line of lines) {
    line.selfMs = round(line.selfMs, 1);
    line.selfPercent = total > 0 ? round((100 * line.selfMs) / total, 1) : 0;
  }
  return lines;
}

/**
 * Time of a profile by category: `categorize` gets each sample's stack (sampled function first, then
 * its callers up to the root). A sample lasts until the next one (the last one: the mean interval).
 * With `window` (V8's clock, microseconds: the same as process.hrtime's), only samples taken
 * within it count.
 */
export function timeByCategory(p: CpuProfile, categorize: (stack: CallFrame[]) => string, window?: { fromUs: number; toUs: number }): Map<string, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const categoryOf = new Map<number, string>();
  const resolve = (id: number): string => {
    let category = categoryOf.get(id);
    if (category === undefined) {
      const stack: CallFrame[] = [];
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!.callFrame);
      category = categorize(stack);
      categoryOf.set(id, category);
    }
    return category;
  };
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  const meanMs = samples.length > 0 ? (p.endTime - p.startTime) / 1000 / samples.length : 0;
  const out = new Map<string, number>();
  let at = p.startTime;
  samples.forEach((id, i) => {
    at += deltas[i] ?? 0;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    const ms = i + 1 < deltas.length ? deltas[i + 1]! / 1000 : meanMs;
    const category = resolve(id);
    out.set(category, (out.get(category) ?? 0) + ms);
  });
  return out;
}

export function shortUrl(url: string): string {
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) return url.slice(nm + "node_modules/".length);
  const out = url.indexOf("/out/");
  return out >= 0 ? url.slice(out + 1) : url.replace(/^file:\/\//, "");
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The machine a result was measured on (results are only comparable on one machine). */
export function machineBasics(): { cpu: string; cores: number; memoryGiB: number; node: string; platform: string } {
  let cpu = cpus()[0]?.model ?? "unknown";
  try {
    cpu = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpu;
  } catch {
    // not Linux
  }
  return { cpu, cores: cpus().length, memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version, platform: `${process.platform} ${process.arch}` };
}
