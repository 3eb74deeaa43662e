/**
 * Last-resort cleanup of process groups started by the harness: on normal exit, on SIGINT/SIGTERM
 * and on an uncaught exception, every still-registered group is killed, so a failing or interrupted
 * test never leaves code-server (and its extension hosts) behind.
 */
import * as fs from 'fs';

const groups = new Set<number>();
const tempDirs = new Set<string>();
let installed = false;

function killAll(signal: NodeJS.Signals): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, signal);
    } catch {
      /* already gone */
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    killAll('SIGKILL');
    for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAll('SIGTERM');
      setTimeout(() => {
        killAll('SIGKILL');
        process.exit(sig === 'SIGINT' ? 130 : 143);
      }, 500).unref();
    });
  }
}

export function registerProcessGroup(pgid: number): void {
  install();
  groups.add(pgid);
}

export function unregisterProcessGroup(pgid: number): void {
  groups.delete(pgid);
}

/** Whether any process of the group is still alive. */
export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A temp dir removed at process exit (unless HOST_TEST_KEEP=1). */
export function registerTempDir(dir: string): void {
  install();
  if (process.env.HOST_TEST_KEEP !== '1') tempDirs.add(dir);
}

export function unregisterTempDir(dir: string): void {
  tempDirs.delete(dir);
}
