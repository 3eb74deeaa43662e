import * as fs from 'fs';
import * as path from 'path';

/** The project root (this file is test/host/harness/paths.ts, compiled to out/test/host/harness/paths.js). */
export const projectRoot = findProjectRoot(__dirname);

function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        const json = JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string };
        if (json.name === 'msal-secretstorage-auth') return dir;
      } catch {
        /* keep looking */
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the project root (package.json named msal-secretstorage-auth) above ${start}`);
    dir = parent;
  }
}

export const vscodeTestDir = path.join(projectRoot, '.vscode-test');
export const setupMarker = path.join(vscodeTestDir, 'host-setup.json');

export interface HostTools {
  node24: string;
  codeServerEntry: string;
  chromium: string;
  codeServerVersion: string;
  chromiumVersion?: string;
}

/**
 * What scripts/host/setup.sh installed. Throws a message that says what to run when something is
 * missing, so a test fails clearly instead of timing out.
 */
export function hostTools(): HostTools {
  const hint = 'run `bash scripts/host/setup.sh` first (installs chromium, Node 24 and code-server into .vscode-test/)';
  if (!fs.existsSync(setupMarker)) throw new Error(`real-host test tools are not installed: ${setupMarker} is missing; ${hint}`);
  const marker = JSON.parse(fs.readFileSync(setupMarker, 'utf8')) as HostTools;
  for (const [what, file] of [
    ['Node 24', marker.node24],
    ['code-server', marker.codeServerEntry],
    ['chromium', marker.chromium],
  ] as const) {
    if (!file || !fs.existsSync(file)) throw new Error(`real-host test tools incomplete: ${what} not found at ${file}; ${hint}`);
  }
  return marker;
}

/** The extension VSIX built by the lead's `npm run package`. */
export const extensionVsix = path.join(projectRoot, 'dist', 'msal-secretstorage-auth.vsix');
export const extensionId = 'msal-vscode.msal-secretstorage-auth';

/** The VSIX under test: MSAL_HOST_VSIX when set (e.g. a hand-built one), else dist/msal-secretstorage-auth.vsix. */
export function requireExtensionVsix(): string {
  const override = process.env.MSAL_HOST_VSIX;
  if (override) {
    if (!fs.existsSync(override)) throw new Error(`MSAL_HOST_VSIX=${override} does not exist`);
    return override;
  }
  if (!fs.existsSync(extensionVsix)) {
    throw new Error(`extension VSIX not found at ${extensionVsix}: run \`npm run package\` first`);
  }
  return extensionVsix;
}

/** Folder for screenshots and logs of the host tests (ignored by git). */
export const hostResultsDir = path.join(projectRoot, 'test-results', 'host');
