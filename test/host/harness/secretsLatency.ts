// Times VS Code's SecretStorage from inside a real extension host: the test consumer's command
// "MSAL Consumer: Measure Secret Storage Latency" times its own context.secrets and writes the raw
// samples to its report file. Used by the harness smoke test (numbers are produced) and by
// bench/hostSecrets.ts (`npm run bench:host-secrets`, the measurement the bench's model uses).
import * as fs from 'fs';
import type { Workbench } from './workbench';

export const MEASURE_SECRETS_COMMAND = 'MSAL Consumer: Measure Secret Storage Latency';

export interface MeasureSecretsOptions {
  /** Value sizes in characters (ASCII, so bytes too). */
  sizes: number[];
  iterations: number;
  warmup?: number;
  /** Pause after each store, so that the editor's side of a store has settled before the next. */
  pauseMs?: number;
  timeoutMs?: number;
}

/** Milliseconds per call, as measured with performance.now() in the extension host. */
export interface SecretSamples {
  bytes: number;
  store: number[];
  /** From the start of `store` until this window's `onDidChange` for the key. */
  storeToChange: number[];
  get: number[];
}

export interface MeasuredSecrets {
  host: { vscodeVersion: string; appHost: string; uiKind: 'web' | 'desktop'; remoteName: string | null; node: string };
  iterations: number;
  warmup: number;
  pauseMs: number;
  results: SecretSamples[];
}

/**
 * Runs the consumer's measurement through the command palette of an open workbench and returns
 * its samples. `reportFile` is the consumer's `msalConsumer.reportFile` setting.
 */
export async function measureSecretStorage(workbench: Workbench, reportFile: string, options: MeasureSecretsOptions): Promise<MeasuredSecrets> {
  const optionsFile = `${reportFile}.options.json`;
  const current = fs.existsSync(optionsFile) ? (JSON.parse(fs.readFileSync(optionsFile, 'utf8')) as Record<string, unknown>) : {};
  const { timeoutMs = 300_000, ...measureSecrets } = options;
  fs.writeFileSync(optionsFile, JSON.stringify({ ...current, measureSecrets }));
  fs.rmSync(reportFile, { force: true });
  await workbench.runCommand(MEASURE_SECRETS_COMMAND);
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(reportFile)) {
    if (Date.now() > deadline) throw new Error(`"${MEASURE_SECRETS_COMMAND}" wrote no report to ${reportFile} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as { command: string; ok: boolean; error: string | null } & Partial<MeasuredSecrets>;
  if (report.command !== 'measureSecrets' || !report.ok || !report.host || !report.results) {
    throw new Error(`"${MEASURE_SECRETS_COMMAND}" failed: ${report.error ?? JSON.stringify(report).slice(0, 300)}`);
  }
  return { host: report.host, iterations: report.iterations!, warmup: report.warmup!, pauseMs: report.pauseMs!, results: report.results };
}
