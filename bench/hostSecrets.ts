/**
 * `npm run bench:host-secrets`: what `context.secrets.get` and `.store` cost in a real VS Code
 * extension host, timed by an extension of its own secrets (the test consumer's "Measure Secret
 * Storage Latency" command) in code-server 4.139 driven by headless Chromium, at the sizes of the
 * bench's stored caches. Prints medians and p95 and writes bench/results/host-secrets.json, which
 * the benchmark's SecretStorage model (secretModel.ts, `hostLatency`) uses as its default latency.
 * A measurement, never a test: nothing here judges a timing.
 *
 *   node out/bench/hostSecrets.js [--iterations 100] [--out bench/results/host-secrets.json]
 */
import { parseArgs as parseCommandLine } from "node:util";
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { CodeServer, hostTools, measureSecretStorage, packageConsumer, Workbench } from "../test/host/harness";
import { QUIET_WORKBENCH_SETTINGS } from "../test/host/harness/journey";
import { HOST_SECRETS_FILE, HostSecretsResult } from "./secretModel";
import { machineBasics, round, summarize, Summary } from "./stats";

/**
 * A small value, and the size of ours' stored document at 1, 10, 100 and 1000 accounts (3 access
 * tokens each; bench/results/latest.json `cacheBytes`, plus the envelope).
 */
const SIZES: Array<{ bytes: number; label: string }> = [
  { bytes: 100, label: "small value" },
  { bytes: 8_500, label: "cache of 1 account" },
  { bytes: 84_100, label: "cache of 10 accounts" },
  { bytes: 840_000, label: "cache of 100 accounts" },
  { bytes: 8_400_000, label: "cache of 1000 accounts" },
];

function parseArgs(argv: string[]): { iterations: number; out: string } {
  const { values } = parseCommandLine({ args: argv, options: { iterations: { type: "string" }, out: { type: "string" } } });
  const iterations = Number(values.iterations ?? 100);
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error("--iterations must be a whole number >= 1");
  return { iterations, out: resolve(values.out ?? resolve(__dirname, "../..", HOST_SECRETS_FILE)) };
}

function stats(samples: number[]): Summary & { min: number } {
  const s = summarize(samples);
  return { n: s.n, median: round(s.median), p95: round(s.p95), mean: round(s.mean), min: round(Math.min(...samples)) };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  const tools = hostTools();
  const codeServer = new CodeServer();
  const folder = join(codeServer.baseDir, "workspace");
  mkdirSync(folder, { recursive: true });
  const reportFile = join(codeServer.baseDir, "consumer-report.json");
  codeServer.writeUserSettings({ ...QUIET_WORKBENCH_SETTINGS, "msalConsumer.reportFile": reportFile });
  let workbench: Workbench | undefined;
  const began = Date.now();
  const loadBefore = loadavg();
  try {
    await codeServer.installExtension(await packageConsumer());
    await codeServer.start();
    const wb = (workbench = await Workbench.launch());
    await wb.open(codeServer, folder);
    await codeServer.waitForLog("msal-vscode-tests.msal-consumer/MSAL Consumer", /activated/, 60_000);
    log(`host-secrets: code-server ${tools.codeServerVersion} at ${codeServer.url}; ${opts.iterations} stores and gets per size (a fifth of it for the largest), sizes ${SIZES.map((s) => s.bytes).join(", ")} bytes`);
    const run = (sizes: number[], iterations: number) => measureSecretStorage(wb, reportFile, { sizes, iterations, warmup: 5, pauseMs: 30, timeoutMs: 30 * 60_000 });
    const measured = await run(SIZES.slice(0, -1).map((s) => s.bytes), opts.iterations);
    // A store at 1000 accounts takes seconds here: fewer of them.
    const largest = await run([SIZES.at(-1)!.bytes], Math.max(5, Math.round(opts.iterations / 5)));
    measured.results.push(...largest.results);

    const secretErrors = wb.consoleErrors.filter((e) => /secrets\.provider|decrypt secrets/i.test(e));
    const sizes = measured.results.map((r, i) => ({
      bytes: r.bytes,
      label: SIZES[i]!.label,
      get: stats(r.get),
      store: stats(r.store),
      storeToChange: stats(r.storeToChange),
    }));
    const result: HostSecretsResult = {
      date: new Date().toISOString(),
      machine: machineBasics(),
      // The machine is shared: its load (1, 5, 15 min) tells how much to trust the figures.
      loadAverage: { before: loadBefore.map((x) => round(x, 2)), after: loadavg().map((x) => round(x, 2)) },
      host: { product: `code-server ${tools.codeServerVersion}`, ...measured.host, browser: tools.chromiumVersion },
      method:
        "The test consumer extension times its own context.secrets with performance.now() in the extension host: per size, " +
        `${measured.warmup} warm-up and ${measured.iterations} measured stores (${largest.iterations} of the largest size) of a different value of that length (each followed by the window's onDidChange ` +
        `for the key and a ${measured.pauseMs} ms pause), then as many gets. Only that key is stored meanwhile.`,
      iterations: measured.iterations,
      sizes,
      // code-server keeps secrets in the browser: a failed save there shows only in its console.
      browserSecretErrors: secretErrors.length,
      firstBrowserSecretError: secretErrors[0]?.split("\n")[0] ?? null,
      elapsedMs: Date.now() - began,
    };

    const fmt = (s: Summary): string => `${s.median.toFixed(2)} / ${s.p95.toFixed(2)}`;
    const rows = [["value", "bytes", "get p50 / p95 ms", "store p50 / p95 ms", "store→onDidChange p50 / p95 ms"], ...sizes.map((s) => [s.label, s.bytes.toLocaleString("en"), fmt(s.get), fmt(s.store), fmt(s.storeToChange)])];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    const line = (r: string[]): string => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
    process.stdout.write(`# SecretStorage in the extension host, ${result.host.product} (VS Code ${result.host.vscodeVersion}, ${result.host.uiKind}, remote ${result.host.remoteName ?? "none"}), ${result.date}\n`);
    process.stdout.write(`machine: ${result.machine.cpu}, ${result.machine.cores} cores, load ${result.loadAverage.before[0]} before, ${result.loadAverage.after[0]} after; n = ${measured.iterations} per cell (${largest.iterations} for the largest)\n\n`);
    process.stdout.write(`${[line(rows[0]!), `|${widths.map((w, i) => (i === 0 ? `-${"-".repeat(w)}-` : `-${"-".repeat(w)}:`)).join("|")}|`, ...rows.slice(1).map(line)].join("\n")}\n\n`);
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, `${JSON.stringify(result, null, 2)}\n`);
    if (secretErrors.length > 0) process.stdout.write(`browser console: ${secretErrors.length} error(s) saving secrets, first: ${result.firstBrowserSecretError}\n`);
    process.stdout.write(`took ${((Date.now() - began) / 1000).toFixed(1)} s; JSON: ${opts.out}\n`);
  } finally {
    await workbench?.close();
    await codeServer.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`host-secrets failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
