import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { format } from 'util';
import { registerTempDir } from './cleanup';
import { projectRoot } from './paths';
import type { CodeServer } from './codeServer';
import type { Workbench } from './workbench';

export interface InHostMochaOptions {
  codeServer: CodeServer;
  workbench: Workbench;
  /** Folder the test window opens. */
  folder: string;
  /** Absolute path of the compiled test index (exports `run(): Promise<void>`), e.g. out/test/host/inHost/index.js. */
  testsPath: string;
  /** Absolute path of the extension loaded as the development extension (overrides an installed one with the same id). */
  devExtensionPath: string;
  timeoutMs?: number;
  /** More development extensions (extensionDevelopmentPath entries of the payload). Caution: code-server 4.139 loaded only the LAST one when given two; install the others as VSIXes instead. */
  extraDevExtensionPaths?: string[];
  /**
   * Environment variables for the extension host (the payload's `extensionEnvironment`, what
   * desktop's `--extensionEnvironment` / test-electron's `extensionTestsEnv` give).
   */
  extensionEnvironment?: Record<string, string>;
}

export interface InHostMochaResult {
  exitCode: number;
  /** Console output of the test run (mocha's reporter), one entry per console call. */
  log: string[];
  durationMs: number;
}

/**
 * Runs mocha inside code-server's extension host with the `?payload=` recipe (code-server has no
 * --extensionTestsPath): code-server must run with `--vscode-option enable-smoke-test-driver`
 * (without it the payload's tests never run), codeAutomationExit/codeAutomationLog are exposed on
 * the browser context, and the workbench is opened with extensionDevelopmentPath +
 * extensionTestsPath as vscode-remote URIs.
 *
 * A server started without the smoke-test driver (the default, since that mode hides notification
 * toasts) is restarted with it first: same port and user data, so the browser's secrets survive.
 * It stays on afterwards (restart({ smokeTestDriver: false }) to get toasts back).
 *
 * The current workbench page is closed first (two code-server windows do not share live secrets
 * and the last writer wins), and the test window is closed afterwards: call workbench.open() again
 * to continue with the UI.
 */
export async function runInHostMocha(opts: InHostMochaOptions): Promise<InHostMochaResult> {
  const { codeServer, workbench } = opts;
  for (const p of [opts.testsPath, opts.devExtensionPath, ...(opts.extraDevExtensionPaths ?? []), opts.folder]) {
    if (!fs.existsSync(p)) throw new Error(`runInHostMocha: ${p} does not exist (compiled with \`npx tsc -p tsconfig.test.json\`?)`);
  }
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const log: string[] = [];
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));
  await workbench.setAutomationHandlers(
    (code) => resolveExit(code),
    (type, args) => {
      // The workbench forwards console calls printf-style ('%s%s', ...).
      const line = format(...(Array.isArray(args) ? args : [args]));
      log.push(type === 'log' || type === 'info' ? line : `[${type}] ${line}`);
    },
  );

  const authority = new URL(codeServer.url).host;
  const remote = (p: string): string => `vscode-remote://${authority}${p}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(opts.devExtensionPath)],
    ...(opts.extraDevExtensionPaths ?? []).map((p) => ['extensionDevelopmentPath', remote(p)]),
    ['extensionTestsPath', remote(opts.testsPath)],
    ...(opts.extensionEnvironment ? [['extensionEnvironment', JSON.stringify(opts.extensionEnvironment)]] : []),
  ]);

  for (const p of workbench.context.pages()) await p.close().catch(() => undefined);
  if (!codeServer.smokeTestDriver) await codeServer.restart({ smokeTestDriver: true });
  const page = await workbench.context.newPage();
  workbench.adoptPage(page);
  const started = Date.now();
  const url = `${codeServer.url}/?${new URLSearchParams({ folder: opts.folder, payload }).toString()}`;
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  let timer: NodeJS.Timeout | undefined;
  try {
    const exitCode = await Promise.race([
      exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`in-host mocha did not finish within ${timeoutMs} ms; log so far:\n${log.join('\n')}`)),
          timeoutMs,
        );
      }),
    ]);
    return { exitCode, log, durationMs: Date.now() - started };
  } finally {
    if (timer) clearTimeout(timer);
    await workbench.setAutomationHandlers(undefined, undefined);
    await page.close().catch(() => undefined);
  }
}

export interface StagedInHostTests {
  /** Use as runInHostMocha's devExtensionPath. */
  devExtensionPath: string;
  /** Use as runInHostMocha's testsPath. */
  testsPath: string;
}

/**
 * Copies an extension folder and compiled in-host tests into one temp folder:
 * `<tmp>/` = the extension, `<tmp>/inHost/` = the tests, `<tmp>/node_modules` -> the project's
 * node_modules (for mocha).
 *
 * Why: the extension host hands `require('vscode')` the API of the extension whose folder holds
 * the requiring file. Tests outside every extension folder (such as out/test/host/inHost/) get a
 * "null extension" identity that was never granted access to any account, so a silent
 * getSession returns undefined for them even when the account is signed in. Staged this way, the
 * tests act as the development extension (e.g. the consumer, which the sign-in granted access).
 */
export function stageInHostTests(extensionDir: string, compiledTestsDir: string): StagedInHostTests {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'msal-inhost-'));
  registerTempDir(root);
  fs.cpSync(extensionDir, root, { recursive: true, filter: (src) => !src.endsWith('.vsix') && path.basename(src) !== 'node_modules' });
  fs.cpSync(compiledTestsDir, path.join(root, 'inHost'), { recursive: true });
  fs.symlinkSync(path.join(projectRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return { devExtensionPath: root, testsPath: path.join(root, 'inHost', 'index.js') };
}
