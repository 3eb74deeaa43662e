// Real-host journey: the packaged extension inside code-server (VS Code 1.139 server + web
// workbench) driven in headless Chromium, signing in against the fake Entra ID.
//
//   bash scripts/host/setup.sh && npm run package && npx tsc -p tsconfig.test.json
//   npx mocha --timeout 180000 'out/test/host/**/*.host.test.js'
//
// Screenshots and server logs of failed tests go to test-results/host/.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { startFakeEntra } from '../fakeEntra';
import type { FakeEntra } from '../fakeEntra/types';
import {
  CodeServer,
  consumerDir,
  extensionId,
  hostTools,
  packageConsumer,
  projectRoot,
  readmeShot,
  requireExtensionVsix,
  runInHostMocha,
  stageInHostTests,
  Workbench,
} from './harness';
import { ConsumerReport, decodeJwt, fakeEntraSettings, journeySettings, LOG_CHANNEL, saveFailure, SIGN_IN_ENTRY } from './harness/journey';

const SCOPE = '6f7c9a1e-0000-4000-8000-000000000001/.default';
const USER = 'alice@contoso.test';
const inHostTests = path.join(projectRoot, 'out', 'test', 'host', 'inHost', 'index.js');

/** The in-host log without the workbench's own console noise (connection messages, error stacks). */
function mochaOutput(log: string[]): string {
  const noise = /^(Resolving connection|Resolved connection|Creating a socket|\[reconnection|\[Service Worker|\[AgentHost|\[AccountPolicyGate)/;
  return log.filter((l) => !noise.test(l) && (!/^\[(error|warn)\]/.test(l) || /failing|AssertionError/.test(l))).join('\n');
}

async function waitForFile(file: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${file} was not written within ${timeoutMs} ms`);
}

/** One code-server + one browser context for a describe block; everything stopped in after(). */
class HostFixture {
  codeServer!: CodeServer;
  workbench!: Workbench;
  folder!: string;
  reportFile!: string;
  /** Journey milestones reached so far (later steps skip when the one they need was not reached). */
  private readonly reached = new Set<string>();
  private readonly t0 = Date.now();
  readonly trace: string[] = [];

  /** Records a step with its time (printed live with HOST_TEST_DEBUG=1, saved with a failure). */
  step(message: string): void {
    const line = `+${((Date.now() - this.t0) / 1000).toFixed(1)}s ${message}`;
    this.trace.push(line);
    if (process.env.HOST_TEST_DEBUG === '1') console.log(`      [host] ${line}`);
  }

  async start(fake: FakeEntra, signInFlow: 'loopback' | 'deviceCode', consumerVsix: string): Promise<void> {
    this.step('start');
    this.codeServer = new CodeServer();
    this.folder = path.join(this.codeServer.baseDir, 'workspace');
    fs.mkdirSync(this.folder, { recursive: true });
    this.reportFile = path.join(this.codeServer.baseDir, 'consumer-report.json');
    this.codeServer.writeUserSettings(journeySettings(fakeEntraSettings(fake, signInFlow), this.reportFile, SCOPE));
    await this.codeServer.installExtension(requireExtensionVsix());
    await this.codeServer.installExtension(consumerVsix);
    this.step('extensions installed');
    await this.codeServer.start();
    this.step(`code-server up at ${this.codeServer.url}`);
    this.workbench = await Workbench.launch();
    await this.workbench.open(this.codeServer, this.folder);
    this.step('workbench ready');
  }

  /** Waits for the extension's log channel to say it activated. */
  async waitForActivation(timeoutMs = 60_000): Promise<void> {
    await this.codeServer.waitForLog(`${extensionId}/${LOG_CHANNEL}`, /Activated in/, timeoutMs);
  }

  extensionLog(): string {
    return this.codeServer
      .findLogFiles(`${extensionId}/${LOG_CHANNEL}`)
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
  }

  /** Runs a consumer command from the command palette and returns the report it wrote. */
  async consumerCommand(title: string, timeoutMs = 30_000): Promise<ConsumerReport> {
    fs.rmSync(this.reportFile, { force: true });
    await this.workbench.runCommand(title);
    return JSON.parse(await waitForFile(this.reportFile, timeoutMs)) as ConsumerReport;
  }

  reach(milestone: string): void {
    this.reached.add(milestone);
  }

  /** Skips the current test when an earlier step it builds on failed (instead of failing confusingly). */
  requireMilestone(ctx: Mocha.Context, milestone: string): void {
    if (!this.reached.has(milestone)) {
      this.step(`skipped: needs "${milestone}", which an earlier step did not reach`);
      ctx.skip();
    }
  }

  async onTestEnd(test: Mocha.Test | undefined, name: string): Promise<void> {
    await saveFailure(test, name, this);
  }

  async stop(): Promise<void> {
    await this.workbench?.close();
    await this.codeServer?.stop();
  }
}

describe('real host: sign-in in code-server', function () {
  this.timeout(180_000);
  let fake: FakeEntra;
  let consumerVsix: string;

  before(async function () {
    hostTools(); // clear message when scripts/host/setup.sh has not run
    requireExtensionVsix(); // clear message when `npm run package` has not run
    assert.ok(fs.existsSync(inHostTests), `${inHostTests} missing: run \`npx tsc -p tsconfig.test.json\``);
    consumerVsix = await packageConsumer();
    fake = await startFakeEntra({});
  });

  after(async function () {
    await fake?.stop();
  });

  describe('loopback flow', function () {
    const host = new HostFixture();
    let signInPage: Page | undefined;

    before(async function () {
      await host.start(fake, 'loopback', consumerVsix);
    });
    afterEach(async function () {
      await host.onTestEnd(this.currentTest, 'loopback');
    });
    after(async function () {
      await signInPage?.close().catch(() => undefined);
      await host.stop();
    });

    it('activates the extension and offers the sign-in in the Accounts menu', async function () {
      await host.waitForActivation();
      host.step('activated');
      const entries = await host.workbench.waitForAccountsEntry(SIGN_IN_ENTRY, 60_000);
      await host.workbench.closeMenus();
      assert.ok(entries.some((e) => SIGN_IN_ENTRY.test(e)), JSON.stringify(entries));
      host.reach('offered');
    });

    it('signs in through the browser page the extension opens', async function () {
      host.requireMilestone(this, 'offered');
      const wb = host.workbench;
      await wb.openAccountsMenu();
      signInPage = await wb.waitForNewPage(() => wb.clickMenuEntry(SIGN_IN_ENTRY), 60_000);
      // While the browser page is open, the extension shows its progress notification.
      await wb.waitForNotification(/Signing in to Microsoft Entra ID/, 15_000);
      host.step(`sign-in page opened: ${signInPage.url()}`);
      const pick = signInPage.locator(`button[data-testid="pick-user"][value="${USER}"]`);
      await pick.waitFor({ state: 'visible', timeout: 30_000 });
      await pick.click();
      // form_post to msal's loopback listener; the page then shows the listener's answer.
      await signInPage.waitForLoadState('domcontentloaded');
      host.step('user picked');
      const entries = await wb.waitForAccountsEntry(new RegExp(USER.replace(/\./g, '\\.')), 60_000);
      host.step(`Accounts menu: ${JSON.stringify(entries)}`);
      await wb.closeMenus();
      assert.ok(entries.some((e) => e.includes(USER)), JSON.stringify(entries));
      assert.ok(fake.tokenRequests('authorization_code').length >= 1, 'the fake saw no authorization_code token request');
      host.reach('signed-in');
    });

    it("satisfies the consumer's sign-in request (the Accounts menu stops offering it)", async function () {
      host.requireMilestone(this, 'signed-in');
      // VS Code drops a pending "Sign in … to use <extension>" request when the provider reports an
      // added session whose scopes equal the requested ones (onDidChangeSessions), or on createSession.
      const deadline = Date.now() + 10_000;
      let entries: string[] = [];
      do {
        entries = await host.workbench.openAccountsMenu();
        await host.workbench.closeMenus();
        if (!entries.some((e) => SIGN_IN_ENTRY.test(e))) break;
        await new Promise((r) => setTimeout(r, 1000));
      } while (Date.now() < deadline);
      host.step(`Accounts menu after sign-in: ${JSON.stringify(entries)}`);
      assert.ok(
        !entries.some((e) => SIGN_IN_ENTRY.test(e)),
        `the Accounts menu still offers the consumer's sign-in after signing in: ${JSON.stringify(entries)}`,
      );
    });

    it('gives the consumer the access token the fake issued (silent getSession)', async function () {
      host.requireMilestone(this, 'signed-in');
      const report = await host.consumerCommand('MSAL Consumer: Get Session Silently');
      host.step(`consumer report: ok=${report.ok} account=${report.account?.label} scopes=${JSON.stringify(report.scopes)} error=${report.error}`);
      assert.strictEqual(report.ok, true, `consumer error: ${report.error}`);
      assert.ok(report.accessToken, 'no access token');
      assert.strictEqual(report.account?.label, USER);
      const claims = decodeJwt(report.accessToken);
      const resource = SCOPE.split('/')[0];
      assert.ok(
        String(claims.aud).includes(resource),
        `token aud ${String(claims.aud)} does not match the scope ${SCOPE}`,
      );
      assert.strictEqual(claims.preferred_username, USER);
    });

    it('is seen by mocha inside the extension host after a server restart (silent getSession returns the account)', async function () {
      host.requireMilestone(this, 'signed-in');
      host.codeServer.updateUserSettings({ 'msalHostTest.expectedAccount': USER, 'msalHostTest.requireProvider': true });
      // The tests run as the consumer (which the sign-in granted access), see stageInHostTests.
      const staged = stageInHostTests(consumerDir, path.dirname(inHostTests));
      const result = await runInHostMocha({
        codeServer: host.codeServer,
        workbench: host.workbench,
        folder: host.folder,
        ...staged,
        timeoutMs: 120_000,
      });
      const output = mochaOutput(result.log);
      host.step(`in-host mocha exit ${result.exitCode} in ${result.durationMs} ms`);
      assert.strictEqual(result.exitCode, 0, `in-host mocha failed:\n${output}`);
      assert.match(output, /passing/);
      assert.doesNotMatch(output, /pending/, `some in-host tests were skipped:\n${output}`);
    });
  });

  describe('device code flow', function () {
    const host = new HostFixture();
    const opened: Page[] = [];

    before(async function () {
      await host.start(fake, 'deviceCode', consumerVsix);
    });
    afterEach(async function () {
      await host.onTestEnd(this.currentTest, 'devicecode');
    });
    after(async function () {
      for (const p of opened) await p.close().catch(() => undefined);
      await host.stop();
    });

    it('signs in with the code shown in the notification', async function () {
      const wb = host.workbench;
      await host.waitForActivation();
      host.step('activated');
      await wb.waitForAccountsEntry(SIGN_IN_ENTRY, 60_000);
      await wb.clickMenuEntry(SIGN_IN_ENTRY);
      host.step('clicked sign-in entry');
      const note = await wb.waitForNotification(/enter the code/, 60_000);
      host.step(`notification: ${note.message} ${JSON.stringify(note.buttons)}`);
      assert.ok(note.buttons.includes('Copy and open'), `buttons: ${JSON.stringify(note.buttons)}`);
      // README screenshot (only with MSAL_HOST_SCREENSHOTS_DIR set, see scripts/screenshots.sh).
      const toasts = wb.page.locator('.notifications-toasts .notification-toast-container');
      await readmeShot(wb.page, 'device-code', [toasts.filter({ hasText: /enter the code/ }).first(), toasts.last()], {
        pad: 24,
        minSize: { width: 560, height: 160 },
      });
      const code = /enter the code ([A-Z0-9-]+)/.exec(note.message)?.[1];
      assert.ok(code, `no code in "${note.message}"`);
      // "Copy and open" opens the verification page (through code-server's port proxy).
      const page = await wb.waitForNewPage(() => wb.clickNotificationButton(/enter the code/, 'Copy and open'), 30_000);
      opened.push(page);
      host.step(`verification page opened: ${page.url()}`);
      assert.match(page.url(), /devicelogin/);
      await page.locator('input[data-testid="device-code-input"]').fill(code);
      await page.locator('button[data-testid="device-code-submit"]').click();
      const pick = page.locator(`button[data-testid="pick-user"][value="${USER}"]`);
      await pick.waitFor({ state: 'visible', timeout: 30_000 });
      await pick.click();
      await page.locator('[data-testid="device-done"]').waitFor({ state: 'visible', timeout: 30_000 });
      host.step('device login done');
      const entries = await wb.waitForAccountsEntry(new RegExp(USER.replace(/\./g, '\\.')), 60_000);
      host.step(`Accounts menu: ${JSON.stringify(entries)}`);
      await wb.closeMenus();
      assert.ok(entries.some((e) => e.includes(USER)), JSON.stringify(entries));
      assert.ok(fake.tokenRequests('urn:ietf:params:oauth:grant-type:device_code').length + fake.tokenRequests('device_code').length >= 1);
      host.reach('signed-in');
    });

    it('gives the consumer a token silently afterwards', async function () {
      host.requireMilestone(this, 'signed-in');
      const report = await host.consumerCommand('MSAL Consumer: Get Session Silently');
      assert.strictEqual(report.ok, true, `consumer error: ${report.error}`);
      assert.strictEqual(report.account?.label, USER);
      assert.strictEqual(decodeJwt(report.accessToken ?? '').preferred_username, USER);
    });
  });
});
