import * as assert from "assert";
import type { AccountInfo } from "@azure/msal-node";
import { promptFor } from "../../src/flows/loopbackFlow";
import { accountLabel, accountsFromCache, labelled } from "../../src/msal/accounts";
import { oidcAuthorizeUrl, oidcRequestBody, oidcRequestHeaders } from "../../src/msal/oidcRequests";

describe("OpenID Connect mode (pure parts)", () => {
  it("labels an account by username, else its email claim, its name, its subject", () => {
    const account = { homeAccountId: "sub-1", username: "" };
    assert.strictEqual(accountLabel({ ...account, username: "alice@example.com" }, { email: "other@example.com" }), "alice@example.com");
    assert.strictEqual(accountLabel({ ...account, name: "Alice" }, { email: "alice@example.com" }), "alice@example.com");
    assert.strictEqual(accountLabel({ ...account, name: "Alice" }), "Alice");
    assert.strictEqual(accountLabel(account, { name: "Alice L." }), "Alice L.");
    assert.strictEqual(accountLabel(account, { email: 42 }), "sub-1", "only string claims");
    const msalAccount: AccountInfo = { homeAccountId: "sub-1", environment: "id.example.com", tenantId: "", username: "", localAccountId: "sub-1", idTokenClaims: { email: "a@example.com" } };
    assert.strictEqual(labelled(msalAccount).username, "a@example.com");
    assert.strictEqual(labelled({ ...msalAccount, username: "x" }).username, "x");
  });

  it("labels the accounts of a stored cache the same way, from their id tokens", () => {
    const idToken = `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ sub: "sub-1", email: "a@example.com" })).toString("base64url")}.sig`;
    const accounts = accountsFromCache({
      Account: { a: { home_account_id: "sub-1", realm: "", username: "", environment: "id.example.com" } },
      IdToken: { i: { home_account_id: "sub-1", realm: "", client_id: "client-1", secret: idToken } },
    }, "client-1");
    assert.deepStrictEqual([...accounts.values()].map((a) => a.username), ["a@example.com"]);
  });

  it("asks an OpenID Provider for consent (the refresh token depends on it) and never for select_account", () => {
    assert.strictEqual(promptFor("oidc", undefined), "consent");
    assert.strictEqual(promptFor("oidc", "alice@example.com"), "consent");
    assert.strictEqual(promptFor("entra", undefined), "select_account");
    assert.strictEqual(promptFor("entra", "alice@contoso.com"), undefined);
  });

  it("removes the parameters msal-node adds for Entra ID, and only those", () => {
    const entraClaims = encodeURIComponent(JSON.stringify({ id_token: { signin_state: { essential: false }, login_hint: { essential: false }, tenant_region_sub_scope: { essential: false } } }));
    const url = oidcAuthorizeUrl(
      `https://id.example.com/auth?client_id=app&scope=openid%20profile&client_info=1&clidata=1&client-request-id=c&x-client-SKU=msal.js.node&x-client-VER=7&x-app-name=x&code_challenge=abc&claims=${entraClaims}&state=s`,
    );
    const params = new URL(url).searchParams;
    assert.deepStrictEqual([...params.keys()], ["client_id", "scope", "code_challenge", "state"]);
    assert.strictEqual(params.get("scope"), "openid profile");
    const asked = { id_token: { acr: { essential: true }, signin_state: { essential: false } }, userinfo: { email: null } };
    const kept = new URL(oidcAuthorizeUrl(`https://id.example.com/auth?claims=${encodeURIComponent(JSON.stringify(asked))}`)).searchParams.get("claims");
    assert.deepStrictEqual(JSON.parse(kept ?? "null"), { id_token: { acr: { essential: true } }, userinfo: { email: null } }, "a claims request of the caller's own stays");
    const body = new URLSearchParams(oidcRequestBody(`grant_type=refresh_token&refresh_token=r&client_info=1&x-ms-lib-capability=retry-after%2C%20h429&x-client-OS=linux&claims=${entraClaims}&scope=openid`));
    assert.deepStrictEqual([...body.keys()], ["grant_type", "refresh_token", "scope"]);
    const headers = oidcRequestHeaders({ "Content-Type": "application/x-www-form-urlencoded", "X-AnchorMailbox": "UPN: alice@example.com", "x-client-SKU": "msal.js.node", "return-client-request-id": "true" });
    assert.deepStrictEqual(headers, { "Content-Type": "application/x-www-form-urlencoded" });
  });
});
