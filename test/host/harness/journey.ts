// Shared fixture of the user-journey host tests (test/host/journeys.host.test.ts): one code-server,
// one browser context (secrets live in its localStorage), the consumer extension, and helpers that
// drive what a person would do: consumer commands, consent dialogs, the sign-in page.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import type { FakeEntra } from '../../fakeEntra/types';
import { CodeServer, CodeServerOptions } from './codeServer';
import { extensionId, hostResultsDir, requireExtensionVsix } from './paths';
import { readmeViewport } from './readmeShots';
import { Workbench, WorkbenchOptions } from './workbench';

export const LOG_CHANNEL = 'Microsoft Entra ID Sign-in';
export const SIGN_IN_ENTRY = /Sign in with Microsoft Entra ID to use .*MSAL Consumer/;

export interface ConsumerReport {
  command: string;
  ok: boolean;
  accessToken: string | null;
  account: { id: string; label: string } | null;
  scopes: string[];
  error: string | null;
  accountLabel?: string;
  diagnostics?: DiagnosticsReport | null;
}

/** The part of `msal.showDiagnostics`' return value the journeys read. */
export interface DiagnosticsReport {
  settings?: Record<string, string>;
  clients: {
    secretKey: string;
    clientId: string;
    storedBytes: number;
    accounts: { username: string; homeAccountId: string; tenants: unknown; refreshTokens: number; accessTokens: number; idTokens: number }[];
  }[];
}

/** What happened while a consumer command ran. */
export interface Interaction {
  report: ConsumerReport;
  /** Texts of the modal dialogs that appeared (and were answered). */
  dialogs: string[];
  /** Pages the browser context opened (e.g. the sign-in page). */
  pages: Page[];
}

/**
 * Saves screenshots of every page, the step trace and the logs of a failed test to
 * test-results/host/ (nothing for a test that passed).
 */
export async function saveFailure(
  test: Mocha.Test | undefined,
  name: string,
  host: { workbench?: Workbench; codeServer?: CodeServer; trace: readonly string[]; extensionLog(): string },
): Promise<void> {
  if (!test || test.state !== 'failed') return;
  const base = path.join(hostResultsDir, `${name}-${test.title.replace(/[^a-z0-9]+/gi, '_').slice(0, 60)}`);
  fs.mkdirSync(hostResultsDir, { recursive: true });
  for (const [i, p] of host.workbench?.context.pages().entries() ?? []) await host.workbench!.screenshot(`${base}-page${i}.png`, p);
  fs.writeFileSync(`${base}-trace.txt`, host.trace.join('\n'));
  if (host.codeServer) {
    fs.writeFileSync(`${base}-extension.log`, host.extensionLog());
    fs.writeFileSync(`${base}-code-server.log`, host.codeServer.output);
  }
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function decodeJwt(token: string): Record<string, unknown> {
  const parts = token.split('.');
  assert.strictEqual(parts.length, 3, `not a JWT: ${token.slice(0, 20)}…`);
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The extension's settings (msal.*) that point it at the fake Entra ID. */
export function fakeEntraSettings(fake: FakeEntra, signInFlow: 'loopback' | 'deviceCode'): Record<string, unknown> {
  return { 'msal.authority': fake.authority('organizations'), 'msal.signInFlow': signInFlow };
}

/** Settings that keep the workbench quiet: no welcome page, tips, trust prompt, telemetry, AI panel or update checks. */
export const QUIET_WORKBENCH_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.colorTheme': 'Default Dark Modern',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'git.enabled': false,
  'github.gitAuthentication': false,
};

/** Settings that keep the workbench quiet, with the extension's own (`extension`) and the consumer's. */
export function journeySettings(extension: Record<string, unknown>, reportFile: string, scope: string): Record<string, unknown> {
  return {
    ...extension,
    'msalConsumer.reportFile': reportFile,
    'msalConsumer.scopes': [scope],
    'msalConsumer.accountLabel': '',
    'msalHostTest.scopes': [scope],
    ...QUIET_WORKBENCH_SETTINGS,
  };
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export class JourneyHost {
  codeServer!: CodeServer;
  workbench!: Workbench;
  folder!: string;
  reportFile!: string;
  installMs = 0;
  private readonly reached = new Set<string>();
  private readonly t0 = Date.now();
  readonly trace: string[] = [];

  constructor(
    /** The extension's settings (msal.*), e.g. fakeEntraSettings(fake, 'loopback'). */
    private readonly extensionSettings: Record<string, unknown>,
    private readonly scope: string,
    /** What the identity provider under test needs of code-server and the browser (e.g. trust in its CA). */
    private readonly options: { codeServer?: CodeServerOptions; workbench?: WorkbenchOptions } = {},
  ) {}

  step(message: string): void {
    const line = `+${((Date.now() - this.t0) / 1000).toFixed(1)}s ${message}`;
    this.trace.push(line);
    if (process.env.HOST_TEST_DEBUG === '1') console.log(`      [host] ${line}`);
  }

  /** Prepares code-server (settings, consumer installed) without the extension under test. */
  async prepare(consumerVsix: string): Promise<void> {
    this.codeServer = new CodeServer(this.options.codeServer);
    this.folder = path.join(this.codeServer.baseDir, 'workspace');
    fs.mkdirSync(this.folder, { recursive: true });
    this.reportFile = path.join(this.codeServer.baseDir, 'consumer-report.json');
    this.codeServer.writeUserSettings(journeySettings(this.extensionSettings, this.reportFile, this.scope));
    await this.codeServer.installExtension(consumerVsix);
    this.workbench = await Workbench.launch({ viewport: readmeViewport, ...this.options.workbench });
    this.step('prepared (consumer installed, browser launched)');
  }

  /** Installs the VSIX under test (timed), starts code-server and opens the workbench. */
  async installAndStart(): Promise<void> {
    const t = Date.now();
    await this.codeServer.installExtension(requireExtensionVsix());
    this.installMs = Date.now() - t;
    this.step(`VSIX installed in ${this.installMs} ms`);
    await this.codeServer.start();
    await this.workbench.open(this.codeServer, this.folder);
    this.step(`workbench ready at ${this.codeServer.url}`);
  }

  /** Log files of the extension's output channel, newest session last. */
  extensionLogFiles(): string[] {
    return this.codeServer.findLogFiles(`${extensionId}/${LOG_CHANNEL}`).sort();
  }

  extensionLog(): string {
    return this.extensionLogFiles()
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
  }

  reach(milestone: string): void {
    this.reached.add(milestone);
  }

  requireMilestone(ctx: Mocha.Context, milestone: string): void {
    if (!this.reached.has(milestone)) {
      this.step(`skipped: needs "${milestone}", which an earlier step did not reach`);
      ctx.skip();
    }
  }

  // ---------------------------------------------------------------- consumer

  /**
   * Sets what the consumer asks for (`accountLabel`: the account option by label, '' for none;
   * `wwwAuthenticate`: the header its claims-challenge command passes).
   * Written to <reportFile>.options.json, which the consumer reads on every command.
   */
  async setConsumer(patch: { accountLabel?: string; scopes?: string[]; wwwAuthenticate?: string }): Promise<void> {
    const file = `${this.reportFile}.options.json`;
    const current = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
    fs.writeFileSync(file, JSON.stringify({ ...current, ...patch }));
    const r = await this.consumerCommand('MSAL Consumer: Report Settings');
    if (patch.accountLabel !== undefined) assert.strictEqual(r.accountLabel, patch.accountLabel, 'the consumer did not pick up its options');
  }

  /**
   * Runs a consumer command from the command palette and answers what VS Code and the sign-in page
   * show until the consumer writes its report: modal dialogs get `dialogButton` (default Allow;
   * `null` = fail on any dialog), a sign-in page gets `user` picked (no user = fail on any page).
   */
  async consumerInteractive(
    title: string,
    opts: { user?: string; dialogButton?: string | null; timeoutMs?: number; onDialog?: (text: string) => Promise<void>; onSignInPage?: (page: Page) => Promise<void> } = {},
  ): Promise<Interaction> {
    const wb = this.workbench;
    const pages: Page[] = [];
    const dialogs: string[] = [];
    const onPage = (p: Page): void => void pages.push(p);
    wb.context.on('page', onPage);
    fs.rmSync(this.reportFile, { force: true });
    const handled = new Set<Page>();
    try {
      await wb.runCommand(title);
      const report = await waitFor(
        `the report of "${title}"`,
        async () => {
          if (fs.existsSync(this.reportFile)) return JSON.parse(fs.readFileSync(this.reportFile, 'utf8')) as ConsumerReport;
          const text = await wb.dialogText().catch(() => undefined);
          if (text) {
            dialogs.push(text);
            this.step(`dialog: ${text.replace(/\s+/g, ' ')}`);
            if (opts.dialogButton === null) throw new Error(`"${title}" showed a dialog although none was expected: ${text}`);
            await opts.onDialog?.(text);
            await wb.clickDialogButton(opts.dialogButton ?? 'Allow');
          }
          for (const p of pages) {
            if (handled.has(p) || p.isClosed()) continue;
            handled.add(p);
            await p.waitForLoadState('domcontentloaded');
            this.step(`page opened: ${p.url()}`);
            if (!opts.user) throw new Error(`"${title}" opened a page although no interaction was expected: ${p.url()}`);
            await opts.onSignInPage?.(p);
            const pick = p.locator(`button[data-testid="pick-user"][value="${opts.user}"]`);
            await pick.waitFor({ state: 'visible', timeout: 30_000 });
            await pick.click();
            this.step(`picked ${opts.user}`);
          }
          return undefined;
        },
        opts.timeoutMs ?? 90_000,
      );
      this.step(`"${title}": ok=${report.ok} account=${report.account?.label} error=${report.error} dialogs=${dialogs.length} pages=${pages.length}`);
      return { report, dialogs, pages };
    } finally {
      wb.context.off('page', onPage);
      for (const p of pages) await Promise.race([p.close({ runBeforeUnload: false }).catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
    }
  }

  /** A consumer command that must need no interaction at all (no dialog, no page). */
  async consumerCommand(title: string, timeoutMs = 30_000): Promise<ConsumerReport> {
    const { report } = await this.consumerInteractive(title, { dialogButton: null, timeoutMs });
    return report;
  }

  /** What the extension's token cache holds in this window (msal.showDiagnostics, through the consumer). */
  async diagnostics(): Promise<DiagnosticsReport> {
    const r = await this.consumerCommand('MSAL Consumer: Read Sign-in Diagnostics');
    assert.ok(r.ok && r.diagnostics, `msal.showDiagnostics failed: ${r.error}`);
    return r.diagnostics;
  }

  // ---------------------------------------------------------------- Accounts menu

  async accountsMenu(): Promise<string[]> {
    const entries = await this.workbench.openAccountsMenu();
    await this.workbench.closeMenus();
    return entries;
  }

  /** Polls the Accounts menu until `accept(entries)` holds; returns the entries. */
  async waitForMenu(what: string, accept: (entries: string[]) => boolean, timeoutMs = 60_000): Promise<string[]> {
    let last: string[] = [];
    try {
      return await waitFor(
        what,
        async () => {
          last = await this.accountsMenu().catch(() => []);
          return accept(last) ? last : undefined;
        },
        timeoutMs,
        1000,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}; Accounts menu: ${JSON.stringify(last)}`);
    }
  }

  /**
   * Accounts menu → `user` → Sign Out, and accepts VS Code's confirmation ("The account … has been
   * used by: … Sign out from these extensions?") when it comes. Returns the dialog's text ('' when
   * none came within 10 s).
   */
  async signOutFromAccountsMenu(user: string): Promise<string> {
    const wb = this.workbench;
    const page = wb.page;
    await wb.openAccountsMenu();
    const submenu = await wb.openSubmenu(new RegExp(escapeRegExp(user)));
    this.step(`${user} submenu: ${JSON.stringify(submenu)}`);
    const item = page
      .locator('.context-view .monaco-menu')
      .last()
      .locator('.action-menu-item')
      .filter({ has: page.locator('.action-label', { hasText: /^Sign Out$/ }) })
      .first();
    // A mouse click on a submenu entry did not always trigger it here; hover + Enter does.
    await item.hover({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    const dialog = page.locator('.monaco-dialog-box').last();
    const shown = await dialog.waitFor({ state: 'visible', timeout: 10_000 }).then(
      () => true,
      () => false,
    );
    if (!shown) {
      this.step(`no confirmation dialog for signing out ${user}`);
      return '';
    }
    const text = await wb.clickDialogButton('Sign Out');
    this.step(`sign-out confirmation: ${text.replace(/\s+/g, ' ')}`);
    return text;
  }

  // ---------------------------------------------------------------- failures, cleanup

  async onTestEnd(test: Mocha.Test | undefined, name: string): Promise<void> {
    await saveFailure(test, name, this);
  }

  async stop(): Promise<void> {
    await this.workbench?.close();
    await this.codeServer?.stop();
  }
}
