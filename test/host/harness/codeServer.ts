import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { processGroupAlive, registerProcessGroup, registerTempDir, unregisterProcessGroup, unregisterTempDir } from './cleanup';
import { hostTools, HostTools } from './paths';

export interface CodeServerOptions {
  /** Root for user data, extensions, XDG folders and logs; a fresh temp dir when omitted. */
  baseDir?: string;
  /** Port to bind on 127.0.0.1; a free one when omitted. Kept across restart() (secrets live in the browser's localStorage, keyed by origin). */
  port?: number;
  /** Extra code-server arguments. */
  extraArgs?: string[];
  /** Extra environment for code-server (and so for the extension host). */
  env?: Record<string, string>;
  /**
   * Pass `--vscode-option enable-smoke-test-driver`. Off by default: with it the workbench never
   * shows notification toasts (they only reach the notification center). runInHostMocha does not
   * need it (codeAutomationExit is called whenever the page exposes it).
   */
  smokeTestDriver?: boolean;
  /** Keep the temp dir after stop() (for debugging). Also when HOST_TEST_KEEP=1. */
  keep?: boolean;
}

/** A code-server (VS Code 1.139 server + web workbench) running on Node 24 in its own process group. */
export class CodeServer {
  readonly baseDir: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly logFile: string;
  port = 0;
  private proc: ChildProcess | undefined;
  private pgid: number | undefined;
  private readonly tools: HostTools;
  private readonly ownsBaseDir: boolean;
  private outputTail = '';
  private exited: Promise<void> = Promise.resolve();
  private smokeTest: boolean;

  constructor(private readonly options: CodeServerOptions = {}) {
    this.tools = hostTools();
    this.ownsBaseDir = !options.baseDir;
    this.baseDir = options.baseDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'msal-host-'));
    if (this.ownsBaseDir && !options.keep) registerTempDir(this.baseDir);
    this.userDataDir = path.join(this.baseDir, 'user-data');
    this.extensionsDir = path.join(this.baseDir, 'extensions');
    this.logFile = path.join(this.baseDir, 'code-server.log');
    for (const d of [this.userDataDir, this.extensionsDir, ...Object.values(this.xdgDirs())]) fs.mkdirSync(d, { recursive: true });
    if (options.port) this.port = options.port;
    this.smokeTest = options.smokeTestDriver ?? false;
  }

  /** Whether the server runs with `--vscode-option enable-smoke-test-driver` (needed by runInHostMocha). */
  get smokeTestDriver(): boolean {
    return this.smokeTest;
  }

  get url(): string {
    if (!this.port) throw new Error('code-server has not been started');
    return `http://127.0.0.1:${this.port}`;
  }

  /** Process (and process-group) id of the running server. */
  get pid(): number | undefined {
    return this.pgid;
  }

  get running(): boolean {
    return this.pgid !== undefined && processGroupAlive(this.pgid);
  }

  private xdgDirs(): Record<string, string> {
    return {
      XDG_CONFIG_HOME: path.join(this.baseDir, 'xdg', 'config'),
      XDG_DATA_HOME: path.join(this.baseDir, 'xdg', 'data'),
      XDG_CACHE_HOME: path.join(this.baseDir, 'xdg', 'cache'),
      XDG_STATE_HOME: path.join(this.baseDir, 'xdg', 'state'),
      XDG_RUNTIME_DIR: path.join(this.baseDir, 'xdg', 'runtime'),
    };
  }

  private env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    // Do not leak the outer test runner's VS Code / Electron / npm variables into the server.
    for (const [k, v] of Object.entries(process.env)) {
      if (/^(VSCODE_|ELECTRON_|npm_|NODE_OPTIONS$|MOCHA_)/.test(k)) continue;
      env[k] = v;
    }
    env.PATH = `${path.dirname(this.tools.node24)}${path.delimiter}${process.env.PATH ?? ''}`;
    env.HOME = path.join(this.baseDir, 'home');
    fs.mkdirSync(env.HOME, { recursive: true });
    Object.assign(env, this.xdgDirs(), this.options.env ?? {});
    return env;
  }

  /** Writes <user-data-dir>/User/settings.json (replacing it). Call before start(), or while running (VS Code picks it up live). */
  writeUserSettings(settings: Record<string, unknown>): void {
    const dir = path.join(this.userDataDir, 'User');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
  }

  /** Merges into User/settings.json. */
  updateUserSettings(patch: Record<string, unknown>): void {
    this.writeUserSettings({ ...this.readUserSettings(), ...patch });
  }

  readUserSettings(): Record<string, unknown> {
    const file = path.join(this.userDataDir, 'User', 'settings.json');
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  }

  /** `code-server --install-extension <vsix> --force` into this server's extensions dir (takes ~1.5 s). */
  async installExtension(vsixPath: string): Promise<void> {
    if (!fs.existsSync(vsixPath)) throw new Error(`VSIX not found: ${vsixPath}`);
    const args = [
      this.tools.codeServerEntry,
      '--user-data-dir', this.userDataDir,
      '--extensions-dir', this.extensionsDir,
      '--install-extension', vsixPath,
      '--force',
    ];
    await new Promise<void>((resolve, reject) => {
      execFile(this.tools.node24, args, { env: this.env(), timeout: 120_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`installing ${vsixPath} failed: ${err.message}\n${stdout}\n${stderr}`));
        else resolve();
      });
    });
  }

  /** Starts code-server and waits until /healthz answers. */
  async start(timeoutMs = 90_000): Promise<void> {
    if (this.proc) throw new Error('code-server already started');
    if (!this.port) this.port = await freePort();
    const args = [
      this.tools.codeServerEntry,
      '--bind-addr', `127.0.0.1:${this.port}`,
      '--auth', 'none',
      '--user-data-dir', this.userDataDir,
      '--extensions-dir', this.extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      ...(this.smokeTest ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
      ...(this.options.extraArgs ?? []),
    ];
    const log = fs.openSync(this.logFile, 'a');
    fs.writeSync(log, `\n=== start ${new Date().toISOString()} port ${this.port}\n`);
    const proc = spawn(this.tools.node24, args, {
      cwd: this.baseDir,
      env: this.env(),
      detached: true, // own process group: stop() kills every helper process with it
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    if (proc.pid === undefined) throw new Error('spawning code-server failed');
    this.pgid = proc.pid;
    registerProcessGroup(proc.pid);
    const onData = (chunk: Buffer): void => {
      fs.writeSync(log, chunk);
      this.outputTail = (this.outputTail + chunk.toString()).slice(-4000);
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => proc.once('exit', () => {
      try {
        fs.closeSync(log);
      } catch {
        /* closed */
      }
      resolve();
    }));
    let exitedEarly = false;
    void this.exited.then(() => (exitedEarly = true));

    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exitedEarly) throw new Error(`code-server exited during start (exit code ${proc.exitCode}); output:\n${this.outputTail}`);
      if ((await httpStatus(`${this.url}/healthz`)) === 200) return;
      await delay(250);
    }
    await this.stop();
    throw new Error(`code-server did not answer ${this.url}/healthz within ${timeoutMs} ms; output:\n${this.outputTail}`);
  }

  /** Kills the whole process group: SIGTERM, then SIGKILL after the grace period. Removes the temp dir unless kept. */
  async stop(graceMs = 5000): Promise<void> {
    await this.kill(graceMs);
    if (this.ownsBaseDir && !this.options.keep && process.env.HOST_TEST_KEEP !== '1') {
      fs.rmSync(this.baseDir, { recursive: true, force: true });
      unregisterTempDir(this.baseDir);
    }
  }

  /**
   * Stops and starts again with the same user data, extensions and port (the port matters: the
   * browser keeps code-server's secrets in localStorage, per origin). Optionally switches the
   * smoke-test driver on or off.
   */
  async restart(opts: { smokeTestDriver?: boolean } = {}): Promise<void> {
    await this.kill(5000);
    if (opts.smokeTestDriver !== undefined) this.smokeTest = opts.smokeTestDriver;
    await this.start();
  }

  private async kill(graceMs: number): Promise<void> {
    const pgid = this.pgid;
    if (pgid === undefined) return;
    try {
      process.kill(-pgid, 'SIGTERM');
    } catch {
      /* gone */
    }
    const deadline = Date.now() + graceMs;
    while (processGroupAlive(pgid) && Date.now() < deadline) await delay(100);
    if (processGroupAlive(pgid)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* gone */
      }
      const killDeadline = Date.now() + 5000;
      while (processGroupAlive(pgid) && Date.now() < killDeadline) await delay(100);
    }
    await Promise.race([this.exited, delay(2000)]);
    unregisterProcessGroup(pgid);
    this.proc = undefined;
    this.pgid = undefined;
  }

  /** Last lines of code-server's output. */
  get output(): string {
    return this.outputTail;
  }

  /** Files under <user-data-dir>/logs whose path contains `nameContains` (e.g. an output channel name). */
  findLogFiles(nameContains: string): string[] {
    const root = path.join(this.userDataDir, 'logs');
    const found: string[] = [];
    const walk = (dir: string): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.includes(nameContains)) found.push(p);
      }
    };
    walk(root);
    return found;
  }

  /** Waits until a log file whose path contains `nameContains` has content matching `pattern`; returns that content. */
  async waitForLog(nameContains: string, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      for (const f of this.findLogFiles(nameContains)) {
        last = fs.readFileSync(f, 'utf8');
        if (pattern.test(last)) return last;
      }
      await delay(250);
    }
    const files = this.findLogFiles('').map((f) => path.relative(this.userDataDir, f));
    throw new Error(
      `no log "${nameContains}" matching ${pattern} within ${timeoutMs} ms; last content:\n${last.slice(-2000)}\nlog files:\n${files.join('\n')}`,
    );
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function httpStatus(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => {
      req.destroy();
      resolve(undefined);
    });
  });
}
