// Runs inside code-server's extension host. Expectations come from user settings written by the
// outer test (test/host/signin.host.test.ts): msalHostTest.scopes, msalHostTest.expectedAccount.
import * as assert from 'assert';
import * as vscode from 'vscode';

const extensionId = 'msal-vscode.msal-secretstorage-auth';
const providerId = 'msal';

function settings(): { scopes: string[]; expectedAccount: string; requireProvider: boolean } {
  const cfg = vscode.workspace.getConfiguration('msalHostTest');
  return {
    scopes: cfg.get<string[]>('scopes', ['6f7c9a1e-0000-4000-8000-000000000001/.default']),
    expectedAccount: cfg.get<string>('expectedAccount', ''),
    requireProvider: cfg.get<boolean>('requireProvider', true),
  };
}

describe('msal provider inside the extension host', function () {
  before(function () {
    if (!settings().requireProvider) this.skip();
  });

  it('the extension is installed and activates', async function () {
    const ext = vscode.extensions.getExtension(extensionId);
    assert.ok(ext, `extension ${extensionId} not found; installed: ${vscode.extensions.all.map((e) => e.id).filter((id) => !id.startsWith('vscode.')).join(', ')}`);
    if (!ext.isActive) await ext.activate();
    assert.strictEqual(ext.isActive, true);
  });

  it(`vscode.authentication knows provider '${providerId}' (silent getSession does not throw)`, async function () {
    const session = await vscode.authentication.getSession(providerId, settings().scopes, { silent: true });
    assert.ok(session === undefined || typeof session.accessToken === 'string');
  });

  it('a silent getSession returns the signed-in account', async function () {
    const { scopes, expectedAccount } = settings();
    if (!expectedAccount) this.skip();
    const first = await vscode.authentication.getSession(providerId, scopes, { silent: true });
    // Diagnostic: when the first call finds nothing, poll a little to tell "never" from "not yet".
    let session = first;
    const started = Date.now();
    while (!session && Date.now() - started < 15_000) {
      await new Promise((r) => setTimeout(r, 500));
      session = await vscode.authentication.getSession(providerId, scopes, { silent: true });
    }
    const accounts = await vscode.authentication.getAccounts(providerId);
    assert.ok(
      session,
      `no session for ${JSON.stringify(scopes)} within 15 s although ${expectedAccount} signed in through the UI; getAccounts: ${JSON.stringify(accounts.map((a) => a.label))}`,
    );
    assert.ok(first, `the first silent getSession right after activation returned nothing; one came ${Date.now() - started} ms later`);
    assert.strictEqual(session.account.label, expectedAccount);
    assert.ok(session.accessToken.length > 0);
    assert.ok(accounts.some((a) => a.label === expectedAccount), `getAccounts: ${JSON.stringify(accounts)}`);
  });
});

describe('msal provider: what other extensions may and may not ask', function () {
  before(function () {
    if (!settings().requireProvider) this.skip();
  });

  it('refuses malformed scopes with a message that says what is wrong', async function () {
    await assert.rejects(
      Promise.resolve(vscode.authentication.getSession(providerId, ['User.Read', 'has space'], { silent: true })),
      /Scope 1 contains a space/,
    );
    await assert.rejects(
      Promise.resolve(vscode.authentication.getSession(providerId, Array.from({ length: 3000 }, (_, i) => `s${i}`), { silent: true })),
      /Too many scopes: 3000 given/,
    );
  });

  it('the account option picks the account, and VSCODE_TENANT is not sent as a scope', async function () {
    const { scopes, expectedAccount } = settings();
    if (!expectedAccount) this.skip();
    const [account] = (await vscode.authentication.getAccounts(providerId)).filter((a) => a.label === expectedAccount);
    assert.ok(account, 'the signed-in account is listed');
    const session = await vscode.authentication.getSession(providerId, [...scopes, 'VSCODE_TENANT:organizations'], { account, silent: true });
    assert.ok(session, 'a session for the chosen account');
    assert.strictEqual(session.account.id, account.id);
    assert.ok(session.scopes.includes('VSCODE_TENANT:organizations'), 'the session reports the scopes as asked');
  });
});

describe('extension host basics', function () {
  // MSAL_HOST_KIND=desktop when run by @vscode/test-cli in desktop VS Code (.vscode-test.mjs);
  // unset or 'code-server' under the code-server harness.
  if (process.env.MSAL_HOST_KIND === 'desktop') {
    it('runs in desktop VS Code (local, desktop UI)', function () {
      assert.strictEqual(vscode.env.uiKind, vscode.UIKind.Desktop);
    });
  } else {
    it('runs in code-server (remote, web UI)', function () {
      assert.strictEqual(vscode.env.uiKind, vscode.UIKind.Web);
      assert.ok(vscode.env.remoteName, 'remoteName is set');
    });
  }

  it('the test consumer extension is present', function () {
    assert.ok(vscode.extensions.getExtension('msal-vscode-tests.msal-consumer'));
  });
});
