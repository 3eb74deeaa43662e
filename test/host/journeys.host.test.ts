// The three user journeys in a real VS Code (code-server 4.139 = VS Code 1.139, web workbench in
// headless Chromium) against the fake Entra ID, one step per test, in order:
//   [install]  the VSIX installs, activates without errors, the provider shows in the Accounts menu
//   [cancel]   a sign-in started from the Accounts menu is cancelled from its progress notification
//   [consumer] another extension asks (createIfNone), gets a token; then silently; then per account
//   [challenge] it passes a resource's claims challenge: a token fetched anew carrying the claims,
//              silently when the refresh token satisfies them, else through VS Code's sign-in
//   [persist]  after a window reload and a code-server restart: still signed in, refresh_token grant
//   [signout]  Accounts menu → account → Sign Out removes it from the menu and from the stored cache
// Later steps skip (not fail) when a step they build on failed. The [tags] let
// scripts/host/broken-on-purpose.sh pick journeys with mocha -g.
//
//   npx mocha --timeout 300000 out/test/host/journeys.host.test.js
// With MSAL_HOST_SCREENSHOTS_DIR=media the steps also save the README screenshots (scripts/screenshots.sh).
import * as assert from 'assert';
import * as net from 'net';
import type { Page } from 'playwright-core';
import { startFakeEntra } from '../fakeEntra';
import type { FakeEntra, FakeRequestRecord } from '../fakeEntra/types';
import { hostTools, packageConsumer, readmeShot, requireExtensionVsix } from './harness';
import { decodeJwt, escapeRegExp, fakeEntraSettings, JourneyHost, SIGN_IN_ENTRY } from './harness/journey';

const RESOURCE = '6f7c9a1e-0000-4000-8000-000000000001';
const SCOPE = `${RESOURCE}/.default`;
const ALICE = 'alice@contoso.test';
const BOB = 'bob@contoso.test';
const PROGRESS = /Signing in to Microsoft Entra ID/;

/** A resource's 401 answer as Entra ID-protected APIs send it, asking for an authentication context. */
function claimsChallenge(acrs: string): { header: string; claims: Record<string, unknown> } {
  const claims = { access_token: { acrs: { essential: true, value: acrs } } };
  const encoded = Buffer.from(JSON.stringify(claims)).toString('base64');
  return {
    header: `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${encoded}"`,
    claims: claims.access_token,
  };
}

/** What a request to the fake asked of the access token (msal adds optional id_token claims to every request). */
function accessTokenClaimsSent(r: FakeRequestRecord | undefined): unknown {
  return (JSON.parse(r?.claims ?? '{}') as { access_token?: unknown }).access_token;
}

const hasEntry = (entries: string[], user: string): boolean => entries.some((e) => e.includes(user));

function isGrant(r: FakeRequestRecord, grant: string): boolean {
  return r.path.endsWith('/token') && r.status === 200 && (r.grantType === grant || (grant === 'device_code' && /device_code$/.test(r.grantType ?? '')));
}

/** Asserts the token was issued by the fake for SCOPE to `user`. */
function assertTokenForScope(token: string | null, user: string): Record<string, unknown> {
  assert.ok(token, 'no access token');
  const claims = decodeJwt(token);
  assert.ok(String(claims.aud).includes(RESOURCE), `aud ${String(claims.aud)} does not name the resource of ${SCOPE}`);
  // The fake (like Entra) gives `.default` the scopes granted to the app: user_impersonation here.
  assert.match(String(claims.scp), /\buser_impersonation\b/, `scp ${String(claims.scp)} does not match ${SCOPE}`);
  assert.strictEqual(claims.preferred_username, user, `token for ${String(claims.preferred_username)}, expected ${user}`);
  return claims;
}

/** Closes a page without waiting for ever (a page in the middle of a navigation may not close promptly). */
async function closePage(page: Page): Promise<void> {
  await Promise.race([page.close({ runBeforeUnload: false }).catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.setTimeout(2000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(false));
  });
}

describe('real host: user journeys (install, sign-in, another extension asks, persistence, sign-out)', function () {
  this.timeout(300_000);
  let fake: FakeEntra;
  let host: JourneyHost;

  before(async function () {
    hostTools();
    requireExtensionVsix();
    // 60 s tokens are inside MSAL's 5-minute refresh window: every silent call after a restart refreshes.
    fake = await startFakeEntra({ accessTokenLifetimeSec: 60 });
    host = new JourneyHost(fakeEntraSettings(fake, 'loopback'), SCOPE);
    await host.prepare(await packageConsumer());
  });
  afterEach(async function () {
    await host?.onTestEnd(this.currentTest, 'journeys');
  });
  after(async function () {
    await host?.stop();
    await fake?.stop();
  });

  it('[install] installs the VSIX, activates without errors and offers sign-in in the Accounts menu', async function () {
    await host.installAndStart();
    const log = await host.codeServer.waitForLog(`msal-vscode.msal-secretstorage-auth/Microsoft Entra ID Sign-in`, /Activated in \d+ ms/, 90_000);
    const ms = Number(/Activated in (\d+) ms/.exec(log)?.[1]);
    console.log(`      activation: "Activated in ${ms} ms" (VSIX install ${host.installMs} ms)`);
    host.step(`activated in ${ms} ms`);
    const entries = await host.waitForMenu('the provider in the Accounts menu', (e) => e.some((l) => SIGN_IN_ENTRY.test(l)));
    host.step(`Accounts menu: ${JSON.stringify(entries)}`);
    if (process.env.MSAL_HOST_SCREENSHOTS_DIR) {
      const wb = host.workbench;
      await wb.openAccountsMenu();
      await readmeShot(wb.page, 'accounts-menu-before', [wb.accountsButton(), wb.page.locator('.context-view .monaco-menu').last()], { pad: 24 });
      await wb.closeMenus();
    }
    const errors = host.extensionLog().split('\n').filter((l) => /\[error\]/.test(l));
    assert.deepStrictEqual(errors, [], 'the extension logged errors');
    host.reach('installed');
  });

  it('[cancel] Cancel in the "Signing in…" notification ends the attempt and frees the loopback port', async function () {
    host.requireMilestone(this, 'installed');
    const wb = host.workbench;
    const before = fake.requests.length;
    await wb.openAccountsMenu();
    const page = await wb.waitForNewPage(() => wb.clickMenuEntry(SIGN_IN_ENTRY), 60_000);
    try {
      host.step(`sign-in page opened: ${page.url()}`);
      // The fake's sign-in page is shown; the person does not pick a user.
      await page.locator(`button[data-testid="pick-user"][value="${ALICE}"]`).waitFor({ state: 'visible', timeout: 30_000 });
      await wb.page.bringToFront();
      const note = await wb.waitForNotification(PROGRESS, 30_000);
      host.step(`notification: ${JSON.stringify(note)}`);
      assert.ok(note.buttons.includes('Cancel'), `the progress notification has no Cancel button: ${JSON.stringify(note.buttons)}`);
      await readmeShot(wb.page, 'sign-in-progress', [wb.page.locator('.notifications-toasts .notification-toast-container').last()], {
        pad: 24,
        minSize: { width: 560, height: 160 },
      });
      const authorize = fake.requests.slice(before).filter((r) => r.path.endsWith('/authorize'));
      const redirectUri = authorize.at(-1)?.authorizeParams?.redirect_uri;
      assert.ok(redirectUri, `the fake saw no /authorize request with a redirect_uri: ${JSON.stringify(authorize)}`);
      const port = Number(new URL(redirectUri).port);
      assert.ok(await portOpen(port), `MSAL's loopback listener is not listening on ${port} during the sign-in`);

      await wb.clickNotificationButton(PROGRESS, 'Cancel');
      host.step('clicked Cancel');
      // The attempt ends: the progress notification goes away and the listener's port is closed.
      const deadline = Date.now() + 20_000;
      while ((await wb.notifications()).some((n) => PROGRESS.test(n.message))) {
        assert.ok(Date.now() < deadline, 'the "Signing in…" notification is still shown 20 s after Cancel');
        await wb.page.waitForTimeout(250);
      }
      host.step('progress notification gone');
      const portDeadline = Date.now() + 20_000;
      while (await portOpen(port)) {
        assert.ok(Date.now() < portDeadline, `the loopback port ${port} still accepts connections 20 s after Cancel`);
        await wb.page.waitForTimeout(250);
      }
      host.step(`loopback port ${port} closed`);
    } finally {
      await closePage(page);
    }
    const entries = await host.accountsMenu();
    assert.ok(!hasEntry(entries, ALICE) && !hasEntry(entries, BOB), `an account appeared after Cancel: ${JSON.stringify(entries)}`);
    const codeGrants = fake.requests.slice(before).filter((r) => r.path.endsWith('/token'));
    assert.deepStrictEqual(codeGrants.map((r) => r.grantType), [], 'the fake received token requests after a cancelled sign-in');
    // A cancel is the user's choice, not an error: nothing at error level.
    const errors = host.extensionLog().split('\n').filter((l) => /\[error\]/.test(l));
    assert.deepStrictEqual(errors, [], 'the extension logged errors for a cancelled sign-in');
    host.reach('cancelled');
  });

  it('[consumer] another extension asks with createIfNone: consent, sign-in page, a token for its scope (the second sign-in after Cancel)', async function () {
    host.requireMilestone(this, 'installed');
    const before = fake.requests.length;
    const { report, dialogs, pages } = await host.consumerInteractive('MSAL Consumer: Get Session (Sign In If Needed)', {
      user: ALICE,
      onDialog: async () => {
        await readmeShot(host.workbench.page, 'consent-dialog', [host.workbench.page.locator('.monaco-dialog-box').last()], { pad: 24 });
      },
    });
    assert.strictEqual(report.ok, true, `consumer error: ${report.error}`);
    assert.strictEqual(report.account?.label, ALICE);
    assert.ok(pages.length >= 1, 'no sign-in page was opened');
    host.step(`dialogs: ${JSON.stringify(dialogs)}`);
    assertTokenForScope(report.accessToken, ALICE);
    const grants = fake.requests.slice(before).filter((r) => isGrant(r, 'authorization_code'));
    assert.strictEqual(grants.length, 1, `expected one authorization_code grant, saw ${grants.length}`);
    assert.ok(grants[0].scope?.includes(SCOPE), `the grant's scope ${grants[0].scope} does not include ${SCOPE}`);
    const entries = await host.waitForMenu(`${ALICE} in the Accounts menu`, (e) => hasEntry(e, ALICE));
    host.step(`Accounts menu: ${JSON.stringify(entries)}`);
    host.reach('alice');

    const silent = await host.consumerCommand('MSAL Consumer: Get Session Silently');
    assert.strictEqual(silent.ok, true, `silent getSession failed: ${silent.error}`);
    assert.strictEqual(silent.account?.label, ALICE);
    assertTokenForScope(silent.accessToken, ALICE);
  });

  it('[consumer] with alice and bob signed in, the account option picks whose token the consumer gets', async function () {
    host.requireMilestone(this, 'alice');
    const wb = host.workbench;
    // Second account: the extension's own "Sign In" command (a person would do this from the palette).
    const codeGrants = fake.tokenRequests('authorization_code').length;
    const signInPage = await wb.waitForNewPage(() => wb.runCommand('Microsoft Entra ID: Sign In'), 60_000);
    try {
      const pick = signInPage.locator(`button[data-testid="pick-user"][value="${BOB}"]`);
      await pick.waitFor({ state: 'visible', timeout: 30_000 });
      await pick.click();
      host.step('picked bob');
      // Keep the page open until its form_post reached MSAL's listener (MSAL then redeems the code).
      const deadline = Date.now() + 30_000;
      while (fake.tokenRequests('authorization_code').length === codeGrants) {
        assert.ok(Date.now() < deadline, 'no authorization_code grant within 30 s of picking bob');
        await wb.page.waitForTimeout(250);
      }
      host.step('bob: code redeemed');
    } finally {
      await closePage(signInPage);
    }
    const entries = await host.waitForMenu(`${BOB} and ${ALICE} in the Accounts menu`, (e) => hasEntry(e, ALICE) && hasEntry(e, BOB));
    host.step(`Accounts menu: ${JSON.stringify(entries)}`);
    if (process.env.MSAL_HOST_SCREENSHOTS_DIR) {
      await wb.openAccountsMenu();
      await wb.openSubmenu(new RegExp(escapeRegExp(ALICE)));
      const menus = wb.page.locator('.context-view .monaco-menu');
      await readmeShot(wb.page, 'accounts-menu-after', [wb.accountsButton(), menus.first(), menus.last()], { pad: 24 });
      await wb.closeMenus();
    }
    host.reach('two-accounts');

    await host.setConsumer({ accountLabel: BOB });
    // The consumer was never granted bob's account: VS Code may ask (Allow); no sign-in page is needed.
    const forBob = await host.consumerInteractive('MSAL Consumer: Get Session (Sign In If Needed)', {});
    assert.strictEqual(forBob.report.ok, true, `consumer error for bob: ${forBob.report.error}`);
    assert.strictEqual(forBob.report.account?.label, BOB);
    assertTokenForScope(forBob.report.accessToken, BOB);

    await host.setConsumer({ accountLabel: ALICE });
    const forAlice = await host.consumerCommand('MSAL Consumer: Get Session Silently');
    assert.strictEqual(forAlice.ok, true, `consumer error for alice: ${forAlice.error}`);
    assert.strictEqual(forAlice.account?.label, ALICE);
    assertTokenForScope(forAlice.accessToken, ALICE);
    host.reach('account-option');
  });

  it('[challenge] getSession with a claims challenge: a token fetched anew with the claims, silently (the refresh token satisfies them)', async function () {
    host.requireMilestone(this, 'account-option');
    // The consumer asks for alice (account option, set by the previous step); it holds her token.
    const before = await host.consumerCommand('MSAL Consumer: Get Session Silently');
    assert.strictEqual(before.account?.label, ALICE);
    const challenge = claimsChallenge('c1');
    await host.setConsumer({ wwwAuthenticate: challenge.header });
    const since = fake.requests.length;
    // createIfNone, but alice already allowed the consumer and her refresh token suffices: no dialog, no page.
    const report = await host.consumerCommand('MSAL Consumer: Get Session for a Claims Challenge', 60_000);
    assert.strictEqual(report.ok, true, `consumer error: ${report.error}`);
    assert.strictEqual(report.account?.label, ALICE);
    const token = assertTokenForScope(report.accessToken, ALICE);
    assert.notStrictEqual(report.accessToken, before.accessToken, 'the cached token was returned for a claims challenge');
    assert.deepStrictEqual(token.acrs, ['c1'], `the token does not carry the claims: acrs ${JSON.stringify(token.acrs)}`);
    const requests = fake.requests.slice(since);
    const refreshes = requests.filter((r) => isGrant(r, 'refresh_token'));
    assert.strictEqual(refreshes.length, 1, `expected one refresh_token grant, saw ${JSON.stringify(requests.map((r) => `${r.path} ${r.grantType ?? ''} ${r.status}`))}`);
    assert.deepStrictEqual(accessTokenClaimsSent(refreshes[0]), challenge.claims, 'the refresh did not carry the claims');
    assert.deepStrictEqual(requests.filter((r) => r.path.endsWith('/authorize')).map((r) => r.path), [], 'a sign-in page was involved');
    host.step(`challenge answered silently: acrs ${JSON.stringify(token.acrs)}`);
    host.reach('challenge');
  });

  it('[challenge] claims that need the user: VS Code asks, the sign-in page opens with the claims, the new token carries them', async function () {
    host.requireMilestone(this, 'challenge');
    const challenge = claimsChallenge('c2');
    await host.setConsumer({ wwwAuthenticate: challenge.header });
    // What Entra ID answers a refresh whose claims need multi-factor authentication.
    fake.injectFault({
      endpoint: 'token',
      grantType: 'refresh_token',
      error: 'invalid_grant',
      suberror: 'basic_action',
      errorDescription: 'AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication to access the resource.',
    });
    const since = fake.requests.length;
    const { report, dialogs, pages } = await host.consumerInteractive('MSAL Consumer: Get Session for a Claims Challenge', { user: ALICE });
    assert.strictEqual(report.ok, true, `consumer error: ${report.error}`);
    assert.strictEqual(report.account?.label, ALICE);
    assert.deepStrictEqual(fake.pendingFaults(), [], 'the refresh with the claims was never tried');
    assert.ok(dialogs.length >= 1, 'VS Code did not ask before the sign-in');
    assert.ok(pages.length >= 1, 'no sign-in page was opened');
    const token = assertTokenForScope(report.accessToken, ALICE);
    assert.deepStrictEqual(token.acrs, ['c2'], `the token does not carry the claims: acrs ${JSON.stringify(token.acrs)}`);
    const requests = fake.requests.slice(since);
    const authorize = requests.filter((r) => r.path.endsWith('/authorize') && r.method === 'GET');
    assert.ok(authorize.length >= 1, 'no authorize request');
    assert.deepStrictEqual(accessTokenClaimsSent(authorize.at(-1)), challenge.claims, 'the sign-in did not ask for the claims');
    assert.strictEqual(requests.filter((r) => isGrant(r, 'authorization_code')).length, 1);
    // The refused claims did not sign alice out.
    const entries = await host.accountsMenu();
    assert.ok(hasEntry(entries, ALICE) && hasEntry(entries, BOB), `accounts after the challenge: ${JSON.stringify(entries)}`);
  });

  /** After a reload or restart: both accounts listed, a silent token for alice with no interaction, no new sign-in grant. */
  async function assertStillSignedIn(what: string, since: number): Promise<void> {
    const entries = await host.waitForMenu(`${ALICE} in the Accounts menu after the ${what}`, (e) => hasEntry(e, ALICE), 90_000);
    host.step(`Accounts menu after ${what}: ${JSON.stringify(entries)}`);
    assert.ok(hasEntry(entries, BOB), `${BOB} is missing after the ${what}: ${JSON.stringify(entries)}`);
    const report = await host.consumerCommand('MSAL Consumer: Get Session Silently', 60_000);
    assert.strictEqual(report.ok, true, `silent getSession after the ${what} failed: ${report.error}`);
    assert.strictEqual(report.account?.label, ALICE, `silent getSession after the ${what} returned ${JSON.stringify(report.account)}`);
    assertTokenForScope(report.accessToken, ALICE);
    const requests = fake.requests.slice(since);
    const interactive = requests.filter((r) => isGrant(r, 'authorization_code') || isGrant(r, 'device_code') || r.path.endsWith('/authorize'));
    assert.deepStrictEqual(interactive.map((r) => `${r.path} ${r.grantType ?? ''}`), [], `interactive sign-in requests after the ${what}`);
  }

  it('[persist] still signed in after a window reload, without interaction', async function () {
    host.requireMilestone(this, 'account-option');
    const since = fake.requests.length;
    await host.workbench.reload();
    host.step('reloaded');
    await assertStillSignedIn('reload', since);
    host.step(`grants since the reload: ${JSON.stringify(fake.requests.slice(since).filter((r) => r.path.endsWith('/token')).map((r) => r.grantType))}`);
    host.reach('reloaded');
  });

  it('[persist] still signed in after a code-server restart (same user data and port): a refresh_token grant, no new sign-in', async function () {
    host.requireMilestone(this, 'account-option');
    const since = fake.requests.length;
    const port = host.codeServer.port;
    await host.codeServer.restart();
    assert.strictEqual(host.codeServer.port, port);
    await host.workbench.open(host.codeServer, host.folder);
    host.step('restarted');
    await assertStillSignedIn('restart', since);
    const refreshes = fake.requests.slice(since).filter((r) => isGrant(r, 'refresh_token'));
    assert.ok(refreshes.length >= 1, 'no refresh_token grant after the restart although the access token was within its refresh window');
    host.reach('restarted');
  });

  it('[signout] Accounts menu → account → Sign Out removes it from the menu and from the stored cache', async function () {
    host.requireMilestone(this, 'two-accounts');
    const wb = host.workbench;
    const dialog = await host.signOutFromAccountsMenu(ALICE);
    assert.match(dialog, /alice@contoso\.test/, 'VS Code did not ask to confirm signing out an account another extension used');
    const entries = await host.waitForMenu(`${ALICE} gone from the Accounts menu`, (e) => !hasEntry(e, ALICE), 30_000);
    assert.ok(hasEntry(entries, BOB), `${BOB} disappeared too: ${JSON.stringify(entries)}`);

    // The stored cache (what msal.showDiagnostics reads back) no longer holds alice's refresh token.
    let diag = await host.diagnostics();
    const deadline = Date.now() + 15_000;
    const aliceIn = (d: typeof diag) => d.clients.flatMap((c) => c.accounts).filter((a) => a.username === ALICE);
    while (aliceIn(diag).some((a) => a.refreshTokens > 0) && Date.now() < deadline) {
      await wb.page.waitForTimeout(500);
      diag = await host.diagnostics();
    }
    host.step(`diagnostics: ${JSON.stringify(diag.clients.map((c) => ({ key: c.secretKey, bytes: c.storedBytes, accounts: c.accounts })))}`);
    assert.deepStrictEqual(aliceIn(diag).map((a) => a.refreshTokens).filter((n) => n > 0), [], `alice still has refresh tokens in the cache`);
    const bob = diag.clients.flatMap((c) => c.accounts).filter((a) => a.username === BOB);
    assert.ok(bob.some((a) => a.refreshTokens > 0), `bob lost his refresh token: ${JSON.stringify(bob)}`);
    assert.ok(diag.clients.some((c) => c.storedBytes > 0), 'nothing is stored');

    // The consumer's next silent request for alice gets no session.
    const forAlice = await host.consumerCommand('MSAL Consumer: Get Session Silently');
    assert.ok(!forAlice.accessToken, `the consumer still got a token for ${ALICE}: ${JSON.stringify(forAlice.account)}`);
    host.reach('signed-out-alice');
  });

  it('[signout] signing out the last account leaves the consumer without a session', async function () {
    host.requireMilestone(this, 'signed-out-alice');
    await host.signOutFromAccountsMenu(BOB);
    const entries = await host.waitForMenu(`${BOB} gone from the Accounts menu`, (e) => !hasEntry(e, BOB), 30_000);
    host.step(`Accounts menu: ${JSON.stringify(entries)}`);
    await host.setConsumer({ accountLabel: '' });
    const report = await host.consumerCommand('MSAL Consumer: Get Session Silently');
    assert.ok(!report.accessToken, `the consumer still got a token: ${JSON.stringify(report.account)}`);
    const diag = await host.diagnostics();
    const left = diag.clients.flatMap((c) => c.accounts).filter((a) => a.refreshTokens > 0);
    assert.deepStrictEqual(left.map((a) => a.username), [], 'refresh tokens left after signing out every account');
  });
});
