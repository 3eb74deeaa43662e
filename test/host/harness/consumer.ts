import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hostTools, projectRoot } from './paths';

/** Source folder of the test-only consumer extension (plain JavaScript, not compiled). */
export const consumerDir = path.join(projectRoot, 'test', 'host', 'consumer');
export const consumerId = 'msal-vscode-tests.msal-consumer';

let cached: Promise<string> | undefined;

/**
 * Packages test/host/consumer into a VSIX in a temp dir with `vsce package --no-dependencies`
 * (run with Node 24: @vscode/vsce 4.x needs Node >= 22). Cached per process.
 */
export function packageConsumer(): Promise<string> {
  cached ??= (async () => {
    const tools = hostTools();
    const vsce = path.join(projectRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
    if (!fs.existsSync(vsce)) throw new Error(`${vsce} not found: run \`npm install\` (devDependency @vscode/vsce)`);
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'msal-consumer-vsix-'));
    const out = path.join(outDir, 'msal-consumer.vsix');
    await new Promise<void>((resolve, reject) => {
      execFile(
        tools.node24,
        [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out],
        { cwd: consumerDir, timeout: 120_000, env: { ...process.env, PATH: `${path.dirname(tools.node24)}${path.delimiter}${process.env.PATH ?? ''}` } },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`vsce package of ${consumerDir} failed: ${err.message}\n${stdout}\n${stderr}`));
          else resolve();
        },
      );
    });
    process.once('exit', () => fs.rmSync(outDir, { recursive: true, force: true }));
    return out;
  })();
  return cached;
}
