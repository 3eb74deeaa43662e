import * as assert from "assert";
import { summarizeCache } from "../../src/diagnostics/cacheSummary";
import { renderReport } from "../../src/diagnostics/diagnosticsReport";

const HOME = "oid-a.tid-home";
const cache = {
  Account: {
    a1: { home_account_id: HOME, realm: "tid-guest", username: "alice@contoso.test" },
    a2: { home_account_id: HOME, realm: "tid-home", username: "alice@contoso.test" },
  },
  RefreshToken: { r: { home_account_id: HOME, secret: "0.RT-SECRET-VALUE-THAT-MUST-NOT-APPEAR-ANYWHERE-IN-A-REPORT" } },
  AccessToken: { t1: { home_account_id: HOME, secret: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln" }, t2: { home_account_id: HOME, secret: "x" } },
  IdToken: {},
};

describe("diagnostics", () => {
  it("summarizes accounts with their tenants (home first) and token counts", () => {
    assert.deepStrictEqual(summarizeCache(cache), [
      { username: "alice@contoso.test", homeAccountId: HOME, tenants: ["tid-home", "tid-guest"], refreshTokens: 1, accessTokens: 2, idTokens: 0 },
    ]);
  });

  it("renders a report with no secret in it", () => {
    const text = renderReport({
      generatedAt: "2026-11-24T00:00:00.000Z",
      extension: { id: "msal-vscode.msal-secretstorage-auth", version: "0.1.0" },
      host: { vscodeVersion: "1.139.1", uiKind: "web", remoteName: "ssh-remote", extensionKind: "workspace" },
      msalNodeVersion: "7.2.3",
      settings: { clientId: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", tenant: "organizations" },
      clients: [{ secretKey: "msal.cache:x@y", clientId: "x", storedBytes: 10, storageFailing: false, accounts: summarizeCache(cache) }],
      recentErrors: ["refresh failed: refresh_token=0.RT-SECRET-VALUE-THAT-MUST-NOT-APPEAR-ANYWHERE-IN-A-REPORT"],
    });
    assert.match(text, /alice@contoso\.test .*tenants tid-home, tid-guest; 1 refresh, 2 access, 0 id tokens/);
    assert.match(text, /VS Code: 1\.139\.1 \(web, remote ssh-remote/);
    assert.ok(!text.includes("RT-SECRET-VALUE"), text);
  });
});
