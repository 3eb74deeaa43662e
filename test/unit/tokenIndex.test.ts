import * as assert from "assert";
import { MsalCache } from "../../src/cache/cacheDocument";
import { RENEWAL_MARGIN_MS, TokenIndex } from "../../src/msal/tokenIndex";

const CLIENT = "aebc6443-996d-45c2-90f0-388ff96faa56";
const HOME = "oid-1.tid-home";
const NOW = 1_800_000_000_000;
const jwt = (exp: number) => `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ exp: Math.floor(exp / 1000) })).toString("base64url")}.sig`;

function cache(options: { atExpires?: number; idExpires?: number; target?: string; client?: string; realm?: string; refreshOn?: number } = {}): MsalCache {
  const realm = options.realm ?? "tid-home";
  return {
    Account: { a: { home_account_id: HOME, realm: "tid-home", username: "alice@contoso.test" } },
    IdToken: { i: { home_account_id: HOME, realm, client_id: CLIENT, credential_type: "IdToken", secret: jwt(options.idExpires ?? NOW + 3600_000) } },
    AccessToken: {
      t: {
        home_account_id: HOME,
        realm,
        client_id: options.client ?? CLIENT,
        credential_type: "AccessToken",
        token_type: "Bearer",
        target: options.target ?? "api://x/read api://x/write openid profile",
        secret: "the-access-token",
        expires_on: String(Math.floor((options.atExpires ?? NOW + 3600_000) / 1000)),
        ...(options.refreshOn ? { refresh_on: String(Math.floor(options.refreshOn / 1000)) } : {}),
      },
    },
  };
}

describe("token index", () => {
  it("answers a request whose scopes the cached token covers, case-insensitively, ignoring OpenID scopes", () => {
    const hit = new TokenIndex(cache(), CLIENT).lookup(HOME, undefined, ["API://X/Read", "offline_access"], NOW);
    assert.strictEqual(hit?.accessToken, "the-access-token");
    assert.strictEqual(hit?.account.username, "alice@contoso.test");
    assert.strictEqual(hit?.fromCache, true);
    assert.strictEqual(hit?.tenantId, "tid-home");
  });

  it("leaves to MSAL what it cannot answer with certainty", () => {
    const index = (o: Parameters<typeof cache>[0]) => new TokenIndex(cache(o), CLIENT);
    assert.strictEqual(index({}).lookup(HOME, undefined, ["api://x/admin"], NOW), undefined, "scope not covered");
    assert.strictEqual(index({ atExpires: NOW + RENEWAL_MARGIN_MS }).lookup(HOME, undefined, ["api://x/read"], NOW), undefined, "access token inside the renewal margin");
    assert.strictEqual(index({ idExpires: NOW + 60_000 }).lookup(HOME, undefined, ["api://x/read"], NOW), undefined, "id token about to expire");
    assert.strictEqual(index({ refreshOn: NOW - 1 }).lookup(HOME, undefined, ["api://x/read"], NOW), undefined, "MSAL wants to refresh proactively");
    assert.strictEqual(index({ client: "other" }).lookup(HOME, undefined, ["api://x/read"], NOW), undefined, "another client's token");
    assert.strictEqual(index({}).lookup(HOME, "tid-guest", ["api://x/read"], NOW), undefined, "another tenant");
    assert.strictEqual(index({}).lookup("someone.else", undefined, ["api://x/read"], NOW), undefined, "another account");
  });

  it("answers for a guest tenant from that tenant's tokens", () => {
    const hit = new TokenIndex(cache({ realm: "tid-guest" }), CLIENT).lookup(HOME, "TID-GUEST", ["api://x/read"], NOW);
    assert.strictEqual(hit?.tenantId, "tid-guest");
  });

  it("with an OpenID Provider: finds a subject's tokens (dots in it, no tenant) and labels it by its id token", () => {
    const sub = "bob.7c1e";
    const idToken = `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ exp: Math.floor((NOW + 3600_000) / 1000), sub, email: "bob@oidc.test" })).toString("base64url")}.sig`;
    const oidc: MsalCache = {
      Account: { a: { home_account_id: sub, realm: "", username: "" } },
      IdToken: { i: { home_account_id: sub, realm: "", client_id: CLIENT, credential_type: "IdToken", secret: idToken } },
      AccessToken: {
        t: { home_account_id: sub, realm: "", client_id: CLIENT, credential_type: "AccessToken", token_type: "Bearer", target: "openid profile email offline_access", secret: "opaque", expires_on: String(Math.floor((NOW + 3600_000) / 1000)) },
      },
    };
    const hit = new TokenIndex(oidc, CLIENT, "oidc").lookup(sub, undefined, ["email"], NOW);
    assert.strictEqual(hit?.accessToken, "opaque");
    assert.strictEqual(hit?.tenantId, "");
    assert.strictEqual(hit?.account.username, "bob@oidc.test");
    assert.strictEqual(new TokenIndex(oidc, CLIENT).lookup(sub, undefined, ["email"], NOW), undefined, "read as Entra, the dot would name a tenant");
  });
});
