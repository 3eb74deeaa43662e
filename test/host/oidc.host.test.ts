// OpenID Connect mode in a real VS Code (code-server 4.139, web workbench in headless Chromium):
// the extension set to `msal.protocol: "oidc"` against oidc-provider (a certified OpenID Provider)
// on https://127.0.0.2 (loopback), and a person signing in from the Accounts menu on the provider's own
// login and consent pages. The provider's test CA is trusted by this code-server's extension host
// only (NODE_EXTRA_CA_CERTS in its environment) and by this browser only (its key's hash).
//
//   bash scripts/host/test.sh -g 'OpenID Connect'
import * as assert from 'assert';
import { OIDC_USERS, OidcTestProvider, startOidcProvider } from '../oidcProvider';
import { findLeaks } from '../support/leakScan';
import { extensionId, hostTools, packageConsumer, requireExtensionVsix } from './harness';
import { escapeRegExp, JourneyHost, LOG_CHANNEL, SIGN_IN_ENTRY } from './harness/journey';

const [ALICE] = OIDC_USERS;
const LABEL = 'alice@oidc.test';

describe('real host: OpenID Connect mode (msal.protocol oidc) against oidc-provider', function () {
  this.timeout(180_000);
  let op: OidcTestProvider;
  let host: JourneyHost;

  before(async function () {
    hostTools(); // clear message when scripts/host/setup.sh has not run
    requireExtensionVsix(); // clear message when `npm run package` has not run
    const consumerVsix = await packageConsumer();
    // 127.0.0.2: a URL of 127.0.0.1 would reach the browser through code-server's plain-http port proxy.
    op = await startOidcProvider({ host: '127.0.0.2' });
    host = new JourneyHost(
      { 'msal.protocol': 'oidc', 'msal.authority': op.issuer, 'msal.clientId': op.clientId, 'msal.signInFlow': 'loopback' },
      'openid',
      {
        codeServer: { env: { NODE_EXTRA_CA_CERTS: op.certificates.caFile } },
        workbench: { extraArgs: [`--ignore-certificate-errors-spki-list=${op.certificates.spkiSha256}`] },
      },
    );
    await host.prepare(consumerVsix);
    await host.installAndStart();
  });
  afterEach(async function () {
    await host?.onTestEnd(this.currentTest, 'oidc');
  });
  after(async function () {
    await host?.stop();
    await op?.stop();
  });

  it('signs in from the Accounts menu on the provider\'s pages, and the account appears in the menu', async function () {
    const wb = host.workbench;
    await host.codeServer.waitForLog(`${extensionId}/${LOG_CHANNEL}`, /Activated in/, 60_000);
    await wb.waitForAccountsEntry(SIGN_IN_ENTRY, 60_000);
    await wb.clickMenuEntry(SIGN_IN_ENTRY);
    // VS Code's link protection asks before opening a site that is not a trusted domain, as it
    // would for any real provider; the person opens it.
    const deadline = Date.now() + 60_000;
    let question: string | undefined;
    while (!(question = await wb.dialogText()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.match(question ?? '', new RegExp(`open the external website\\?[\\s\\S]*${escapeRegExp(op.issuer)}/auth`), `dialog: ${question}`);
    const page = await wb.waitForNewPage(() => wb.clickDialogButton('Open'), 60_000);
    host.step(`sign-in page opened: ${page.url()}`);
    assert.ok(page.url().startsWith(`${op.issuer}/`), `the provider's page opened as it is, not through a proxy: ${page.url()}`);
    await wb.waitForNotification(new RegExp(`Signing in to ${escapeRegExp(new URL(op.issuer).host)}`), 15_000);
    await page.locator('[data-testid="login-name"]').fill(ALICE.login, { timeout: 30_000 });
    await page.locator('[data-testid="login-submit"]').click();
    await page.locator('[data-testid="consent-allow"]').click({ timeout: 30_000 });
    host.step('signed in and allowed on the provider\'s pages');
    // The provider's form_post reaches MSAL's loopback listener, which shows the extension's page.
    await page.getByText('You are signed in.').waitFor({ state: 'visible', timeout: 30_000 });
    const entries = await wb.waitForAccountsEntry(new RegExp(escapeRegExp(LABEL)), 60_000);
    host.step(`Accounts menu: ${JSON.stringify(entries)}`);
    await wb.closeMenus();
    await page.close().catch(() => undefined);
    assert.ok(entries.some((e) => e.includes(LABEL)), JSON.stringify(entries));
    assert.deepStrictEqual(op.tokenRequests('authorization_code').map((r) => r.status), [200]);
    assert.strictEqual(op.authorizeRequests.at(-1)?.prompt, 'consent');
    host.reach('signed-in');
  });

  it('gives another extension a token silently afterwards', async function () {
    host.requireMilestone(this, 'signed-in');
    const report = await host.consumerCommand('MSAL Consumer: Get Session Silently');
    assert.strictEqual(report.ok, true, `consumer error: ${report.error}`);
    assert.strictEqual(report.account?.label, LABEL);
    assert.strictEqual(report.account?.id, ALICE.sub);
    assert.ok(report.accessToken, 'no access token');
  });

  it('refuses a device code sign-in (auto on this remote host) with a message that says what to do', async function () {
    host.requireMilestone(this, 'signed-in');
    host.codeServer.updateUserSettings({ 'msal.signInFlow': 'auto' });
    // A reload makes the new settings.json certain to be read (code-server did not pick up an edit
    // of the file within 30 s here).
    await host.workbench.reload();
    const deadline = Date.now() + 60_000;
    let signInFlow: string | undefined;
    while ((signInFlow = (await host.diagnostics().catch(() => undefined))?.settings?.signInFlow) !== 'auto') {
      assert.ok(Date.now() < deadline, `the extension did not see msal.signInFlow change to auto (it has ${signInFlow})`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    await host.workbench.runCommand('Microsoft Entra ID: Sign In');
    // The sign-in's own error, with the button to the setting (the command repeats the message without one).
    const note = await host.workbench.waitForNotification(/^Sign-in to .* failed: .*not available with an OpenID Provider.*set "msal\.signInFlow" to "loopback"/, 15_000);
    host.step(`notification: ${note.message} ${JSON.stringify(note.buttons)}`);
    assert.ok(note.buttons.includes('Open Settings'), JSON.stringify(note.buttons));
    assert.strictEqual(host.workbench.context.pages().length, 1, 'no sign-in page was opened');
  });

  it("keeps every credential the provider issued out of the extension's log", async function () {
    host.requireMilestone(this, 'signed-in');
    const log = host.extensionLog().split('\n');
    assert.ok(log.some((l) => /Signed in /.test(l)), 'the log has the sign-in');
    assert.deepStrictEqual(findLeaks([log]), []);
  });
});
