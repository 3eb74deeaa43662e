// A stand-in for the desktop `code` executable, for @vscode/test-cli / @vscode/test-electron on a
// machine without internet (they cannot download VS Code there). `.vscode-test.mjs` points
// `useInstallation.fromPath` at scripts/host/code-server-as-vscode.sh, which runs this file.
//
// It accepts the command line test-electron builds for desktop VS Code:
//   [workspace folder] --extensionTestsPath=<runner> --extensionDevelopmentPath=<dir> (repeatable)
//   --user-data-dir=<dir> --extensions-dir=<dir> [--install-extension <vsix>]... plus desktop-only
//   flags (--no-sandbox, --disable-updates, ...) that it ignores,
// and runs the same tests with the code-server recipe (test/host/harness/inHostMocha.ts): code-server
// with the smoke-test driver, the workbench in headless Chromium opened with a ?payload= holding the
// development extensions, the tests path and the extension-host environment (VSCODE_TEST_OPTIONS,
// which @vscode/test-cli's runner reads). Prints the tests' output and exits with their exit code.
//
// Environment: MSAL_LAUNCHER_VSIX=<a.vsix>[:<b.vsix>] installs VSIXes first (like test-cli's
// installExtensions, which would otherwise try to download VS Code's CLI); HOST_TEST_KEEP=1 keeps
// the temp dirs.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CodeServer } from '../harness/codeServer';
import { hostTools, projectRoot } from '../harness/paths';
import { runInHostMocha } from '../harness/inHostMocha';
import { Workbench } from '../harness/workbench';

interface LaunchArgs {
  testsPath?: string;
  devPaths: string[];
  folder?: string;
  installExtensions: string[];
  ignored: string[];
}

export function parseArgs(argv: string[]): LaunchArgs {
  const out: LaunchArgs = { devPaths: [], installExtensions: [], ignored: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => inline ?? argv[++i];
    switch (flag) {
      case '--extensionTestsPath':
        out.testsPath = path.resolve(value());
        break;
      case '--extensionDevelopmentPath':
        out.devPaths.push(path.resolve(value()));
        break;
      case '--install-extension':
        out.installExtensions.push(value());
        break;
      case '--folder-uri':
        out.folder = new URL(value()).pathname;
        break;
      case '--user-data-dir':
      case '--extensions-dir':
        value(); // code-server gets its own throwaway dirs (test-electron's are for desktop's layout)
        out.ignored.push(flag);
        break;
      default:
        if (a.startsWith('--')) out.ignored.push(a);
        else out.folder = path.resolve(a);
    }
  }
  return out;
}

/**
 * `vsce package --no-dependencies` of an extension folder into a temp VSIX. code-server honours
 * only one extensionDevelopmentPath of the payload (with two, only the last one was loaded), so
 * every development extension after the first is installed as a VSIX instead.
 */
function packageFolder(dir: string): Promise<string> {
  const tools = hostTools();
  const vsce = path.join(projectRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'msal-launcher-vsix-'));
  const out = path.join(outDir, `${path.basename(dir)}.vsix`);
  process.once('exit', () => fs.rmSync(outDir, { recursive: true, force: true }));
  return new Promise((resolve, reject) => {
    execFile(
      tools.node24,
      [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out],
      { cwd: dir, timeout: 120_000, env: { ...process.env, PATH: `${path.dirname(tools.node24)}${path.delimiter}${process.env.PATH ?? ''}` } },
      (err, stdout, stderr) => (err ? reject(new Error(`vsce package of ${dir} failed: ${err.message}\n${stdout}\n${stderr}`)) : resolve(out)),
    );
  });
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!args.testsPath) {
    console.error('code-server-as-vscode: only test runs are supported (--extensionTestsPath=... is required)');
    return 2;
  }
  if (args.devPaths.length === 0) {
    console.error('code-server-as-vscode: --extensionDevelopmentPath=... is required');
    return 2;
  }
  // What test-cli passes to the extension host (its runner reads VSCODE_TEST_OPTIONS).
  const hostEnv: Record<string, string> = { MSAL_HOST_KIND: 'code-server' };
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && (k === 'VSCODE_TEST_OPTIONS' || k.startsWith('MSAL_') || k.startsWith('MOCHA_'))) hostEnv[k] = v;
  }
  hostEnv.MSAL_HOST_KIND = 'code-server';

  const codeServer = new CodeServer({ smokeTestDriver: true, env: hostEnv });
  let workbench: Workbench | undefined;
  try {
    const folder = args.folder ?? path.join(codeServer.baseDir, 'workspace');
    fs.mkdirSync(folder, { recursive: true });
    codeServer.writeUserSettings({
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'chat.disableAIFeatures': true,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'update.mode': 'none',
    });
    const [first, ...rest] = args.devPaths;
    const vsixes = [...args.installExtensions, ...(process.env.MSAL_LAUNCHER_VSIX ?? '').split(':').filter(Boolean)];
    for (const dir of rest) vsixes.push(await packageFolder(dir));
    for (const vsix of vsixes) await codeServer.installExtension(vsix);
    await codeServer.start();
    workbench = await Workbench.launch();
    console.log(`code-server-as-vscode: code-server ${codeServer.url}, development extensions ${args.devPaths.join(', ')}, tests ${args.testsPath}`);
    const result = await runInHostMocha({
      codeServer,
      workbench,
      folder,
      testsPath: args.testsPath,
      devExtensionPath: first,
      extensionEnvironment: hostEnv,
      timeoutMs: Number(process.env.MSAL_LAUNCHER_TIMEOUT_MS ?? 300_000),
    });
    const noise = /^(Resolving connection|Resolved connection|Creating a socket|\[reconnection|\[Service Worker|\[AgentHost|\[AccountPolicyGate)/;
    for (const line of result.log) if (!noise.test(line)) console.log(line);
    console.log(`code-server-as-vscode: tests exited with ${result.exitCode} after ${result.durationMs} ms`);
    return result.exitCode;
  } finally {
    await workbench?.close();
    await codeServer.stop();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`code-server-as-vscode: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
