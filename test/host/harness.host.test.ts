// Smoke test of the real-host harness itself, without the extension under test (so it tells
// "the machine/harness is broken" apart from "the extension is broken"): code-server starts,
// the workbench opens in Chromium, the Accounts menu opens, and mocha runs inside the extension host.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CodeServer, consumerDir, hostResultsDir, measureSecretStorage, packageConsumer, processGroupAlive, projectRoot, runInHostMocha, Workbench } from './harness';

describe('real host: harness smoke test (code-server + Chromium, no extension under test)', function () {
  this.timeout(120_000);
  let codeServer: CodeServer | undefined;
  let workbench: Workbench | undefined;
  let folder: string;
  let reportFile: string;

  before(async function () {
    codeServer = new CodeServer();
    folder = path.join(codeServer.baseDir, 'workspace');
    fs.mkdirSync(folder);
    reportFile = path.join(codeServer.baseDir, 'consumer-report.json');
    codeServer.writeUserSettings({
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'msalHostTest.requireProvider': false,
      'msalConsumer.reportFile': reportFile,
    });
    await codeServer.installExtension(await packageConsumer());
    await codeServer.start();
    workbench = await Workbench.launch();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && workbench) {
      await workbench.screenshot(path.join(hostResultsDir, `harness-${this.currentTest.title.replace(/[^a-z0-9]+/gi, '_')}.png`));
    }
  });

  after(async function () {
    await workbench?.close();
    await codeServer?.stop();
  });

  it('opens the workbench and the Accounts menu', async function () {
    await workbench!.open(codeServer!, folder);
    await codeServer!.waitForLog('msal-vscode-tests.msal-consumer/MSAL Consumer', /activated/, 60_000);
    const entries = await workbench!.openAccountsMenu();
    await workbench!.closeMenus();
    assert.ok(entries.length > 0, 'the Accounts menu is empty');
  });

  // The measurement behind `npm run bench:host-secrets`, in short: it must produce numbers; their
  // size is never judged here (a benchmark, not a test).
  it('times SecretStorage get and store from inside the extension host', async function () {
    const sizes = [100, 8450, 839951];
    const measured = await measureSecretStorage(workbench!, reportFile, { sizes, iterations: 3, warmup: 1, pauseMs: 10 });
    assert.deepStrictEqual(measured.results.map((r) => r.bytes), sizes);
    for (const r of measured.results) {
      for (const [what, samples] of Object.entries({ get: r.get, store: r.store, storeToChange: r.storeToChange })) {
        assert.strictEqual(samples.length, 3, `${what} at ${r.bytes} bytes: ${JSON.stringify(samples)}`);
        assert.ok(samples.every((ms) => Number.isFinite(ms) && ms >= 0), `${what} at ${r.bytes} bytes: ${JSON.stringify(samples)}`);
      }
    }
    assert.strictEqual(measured.host.uiKind, 'web');
  });

  it('runs mocha inside the extension host (payload recipe)', async function () {
    const result = await runInHostMocha({
      codeServer: codeServer!,
      workbench: workbench!,
      folder,
      testsPath: path.join(projectRoot, 'out', 'test', 'host', 'inHost', 'index.js'),
      devExtensionPath: consumerDir,
    });
    assert.strictEqual(result.exitCode, 0, result.log.join('\n'));
    assert.ok(result.log.some((l) => /passing/.test(l)), result.log.join('\n'));
  });

  it('stop() leaves no process of the group behind', async function () {
    const cs = codeServer!;
    const pgid = cs.pid;
    assert.ok(pgid, 'code-server is not running');
    assert.strictEqual(processGroupAlive(pgid), true);
    await cs.stop();
    assert.strictEqual(processGroupAlive(pgid), false, `processes of group ${pgid} survived stop()`);
  });
});
