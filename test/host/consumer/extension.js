// Test-only consumer of the 'msal' authentication provider. Plain JavaScript, no dependencies.
// Each command writes { command, ok, accessToken, account, scopes, error, at } as JSON to the file
// named by the setting msalConsumer.reportFile, so the outer host test can read what it received.
'use strict';
const vscode = require('vscode');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

function config() {
  const c = vscode.workspace.getConfiguration('msalConsumer');
  const cfg = {
    reportFile: c.get('reportFile', ''),
    scopes: c.get('scopes', ['6f7c9a1e-0000-4000-8000-000000000001/.default']),
    providerId: c.get('providerId', 'msal'),
    accountLabel: c.get('accountLabel', ''),
    wwwAuthenticate: c.get('wwwAuthenticate', ''),
  };
  // Overrides the outer test writes next to the report file: read on every command, so they apply
  // at once (a changed settings.json reaches the extension host only when the workbench notices it).
  if (cfg.reportFile) {
    try {
      const o = JSON.parse(fs.readFileSync(`${cfg.reportFile}.options.json`, 'utf8'));
      if (typeof o.accountLabel === 'string') cfg.accountLabel = o.accountLabel;
      if (Array.isArray(o.scopes)) cfg.scopes = o.scopes;
      if (typeof o.wwwAuthenticate === 'string') cfg.wwwAuthenticate = o.wwwAuthenticate;
      if (o.measureSecrets && typeof o.measureSecrets === 'object') cfg.measureSecrets = o.measureSecrets;
    } catch {
      /* no overrides */
    }
  }
  return cfg;
}

let seq = 0;

function report(command, result) {
  const { reportFile } = config();
  const body = { command, seq: ++seq, at: new Date().toISOString(), ...result };
  if (!reportFile) return body;
  fs.mkdirSync(path.dirname(reportFile), { recursive: true });
  // Write then rename, so the reader never sees a half-written file.
  const tmp = `${reportFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(body, null, 2));
  fs.renameSync(tmp, reportFile);
  return body;
}

// `challenge`: ask with { wwwAuthenticate, fallbackScopes } (a resource's 401 answer) instead of the scopes.
async function getSession(command, options, challenge = false) {
  const { scopes, providerId, accountLabel, wwwAuthenticate } = config();
  try {
    if (accountLabel) {
      // Ask for one account by its label (the `account` option of getSession).
      const accounts = await vscode.authentication.getAccounts(providerId);
      const account = accounts.find((a) => a.label === accountLabel);
      if (!account) {
        return report(command, {
          ok: false,
          accessToken: null,
          account: null,
          scopes,
          error: `no account labelled ${accountLabel}; accounts: ${accounts.map((a) => a.label).join(', ')}`,
        });
      }
      options = { ...options, account };
    }
    const request = challenge ? { wwwAuthenticate, fallbackScopes: scopes } : scopes;
    const session = await vscode.authentication.getSession(providerId, request, options);
    return report(command, {
      ok: true,
      accessToken: session ? session.accessToken : null,
      account: session ? { id: session.account.id, label: session.account.label } : null,
      sessionId: session ? session.id : null,
      scopes: session ? [...session.scopes] : scopes,
      error: null,
    });
  } catch (e) {
    return report(command, {
      ok: false,
      accessToken: null,
      account: null,
      scopes,
      error: e && e.message ? e.message : String(e),
    });
  }
}

/**
 * Times this extension's own SecretStorage (`context.secrets`) from inside the extension host, for
 * the benchmark's SecretStorage model (bench/hostSecrets.ts). For each value size: `iterations`
 * stores of a value that differs each time (each followed by this window's onDidChange for the
 * key, and a pause so that the editor's side of the previous store has settled), then `iterations`
 * gets. Reports the raw samples in milliseconds; it never judges them. The keys are deleted after.
 */
async function measureSecrets(secrets, options) {
  const sizes = Array.isArray(options.sizes) ? options.sizes : [100, 8450, 84041, 839951];
  const iterations = Number(options.iterations) || 20;
  const warmup = Number(options.warmup) || 3;
  const pauseMs = Number(options.pauseMs) || 30;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const results = [];
  for (const bytes of sizes) {
    const key = `msalConsumer.measure:${bytes}`;
    // JSON-like text of base64url "tokens", the shape of a serialized token cache.
    let base = '';
    while (base.length < bytes) base += `"${crypto.randomBytes(30).toString('base64url')}":"${crypto.randomBytes(300).toString('base64url')}",`;
    base = base.slice(0, bytes);
    const samples = { bytes, store: [], storeToChange: [], get: [] };
    for (let i = -warmup; i < iterations; i++) {
      // Same length, different content: no layer can skip the write as unchanged.
      const value = `${String(i + warmup).padStart(8, '0')}${base.slice(8)}`;
      let fired;
      const changed = new Promise((resolve) => {
        const sub = secrets.onDidChange((e) => {
          if (e.key === key) {
            fired = performance.now();
            sub.dispose();
            resolve();
          }
        });
      });
      const start = performance.now();
      await secrets.store(key, value);
      const stored = performance.now();
      await Promise.race([changed, sleep(10_000)]);
      if (i >= 0) {
        samples.store.push(stored - start);
        if (fired !== undefined) samples.storeToChange.push(fired - start);
      }
      await sleep(pauseMs);
    }
    const expected = `${String(iterations + warmup - 1).padStart(8, '0')}${base.slice(8)}`;
    for (let i = -warmup; i < iterations; i++) {
      const start = performance.now();
      const value = await secrets.get(key);
      const took = performance.now() - start;
      if (value !== expected) throw new Error(`get(${key}) returned ${value === undefined ? 'nothing' : `${value.length} characters`}, not the ${bytes} stored`);
      if (i >= 0) samples.get.push(took);
      await sleep(1);
    }
    await secrets.delete(key);
    results.push(samples);
  }
  return { iterations, warmup, pauseMs, results };
}

function activate(context) {
  const log = vscode.window.createOutputChannel('MSAL Consumer', { log: true });
  context.subscriptions.push(
    log,
    vscode.commands.registerCommand('msalConsumer.getSessionSilent', () => getSession('getSessionSilent', { silent: true })),
    vscode.commands.registerCommand('msalConsumer.getSessionCreate', () => getSession('getSessionCreate', { createIfNone: true })),
    vscode.commands.registerCommand('msalConsumer.getSessionNoCreate', () => getSession('getSessionNoCreate', { createIfNone: false })),
    vscode.commands.registerCommand('msalConsumer.getSessionForChallenge', () => getSession('getSessionForChallenge', { createIfNone: true }, true)),
    vscode.commands.registerCommand('msalConsumer.getAccounts', async () => {
      const { providerId } = config();
      try {
        const accounts = await vscode.authentication.getAccounts(providerId);
        return report('getAccounts', { ok: true, accounts: accounts.map((a) => ({ id: a.id, label: a.label })), error: null });
      } catch (e) {
        return report('getAccounts', { ok: false, accounts: null, error: e && e.message ? e.message : String(e) });
      }
    }),
    vscode.commands.registerCommand('msalConsumer.reportSettings', () => {
      const { scopes, providerId, accountLabel } = config();
      return report('reportSettings', { ok: true, scopes, providerId, accountLabel, error: null });
    }),
    // What the msal extension's cache holds in this window (its diagnostics report, no editor opened).
    vscode.commands.registerCommand('msalConsumer.diagnostics', async () => {
      try {
        const diagnostics = await vscode.commands.executeCommand('msal.showDiagnostics', { open: false });
        return report('diagnostics', { ok: true, diagnostics, error: null });
      } catch (e) {
        return report('diagnostics', { ok: false, diagnostics: null, error: e && e.message ? e.message : String(e) });
      }
    }),
    vscode.commands.registerCommand('msalConsumer.measureSecrets', async () => {
      try {
        const measured = await measureSecrets(context.secrets, config().measureSecrets || {});
        return report('measureSecrets', {
          ok: true,
          host: { vscodeVersion: vscode.version, appHost: vscode.env.appHost, uiKind: vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop', remoteName: vscode.env.remoteName || null, node: process.version },
          ...measured,
          error: null,
        });
      } catch (e) {
        return report('measureSecrets', { ok: false, error: e && e.message ? e.message : String(e) });
      }
    }),
    vscode.authentication.onDidChangeSessions((e) => log.info(`onDidChangeSessions ${e.provider.id}`)),
  );
  log.info('activated');
  // Asking with createIfNone: false makes the Accounts menu offer
  // "Sign in with <provider label> to use MSAL Consumer (host tests) (1)".
  const { scopes, providerId } = config();
  vscode.authentication.getSession(providerId, scopes, { createIfNone: false }).then(
    (s) => log.info(`startup getSession: ${s ? `session for ${s.account.label}` : 'no session'}`),
    (e) => log.warn(`startup getSession failed: ${e && e.message ? e.message : e}`),
  );
}

function deactivate() {}

module.exports = { activate, deactivate };
