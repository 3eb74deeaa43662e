import * as assert from "assert";
import { customTarget, oidcTarget, requestAuthority } from "../../src/config/authority";
import { DEFAULT_CLIENT_ID, resolveSettings } from "../../src/config/settings";

describe("settings", () => {
  it("works without configuration: the developer client, organizations, public cloud", () => {
    const result = resolveSettings({});
    assert.ok(result.ok);
    assert.strictEqual(result.settings.clientId, DEFAULT_CLIENT_ID);
    assert.strictEqual(result.settings.tenant, "organizations");
    assert.strictEqual(requestAuthority(result.settings.target, "organizations"), "https://login.microsoftonline.com/organizations");
    assert.strictEqual(result.settings.signInFlow, "auto");
  });

  it("picks the sovereign clouds", () => {
    const gov = resolveSettings({ cloud: "usGovernment", tenant: "contoso.onmicrosoft.us" });
    assert.ok(gov.ok);
    assert.strictEqual(requestAuthority(gov.settings.target, gov.settings.tenant), "https://login.microsoftonline.us/contoso.onmicrosoft.us");
    const china = resolveSettings({ cloud: "china" });
    assert.ok(china.ok);
    assert.strictEqual(china.settings.target.key, "https://login.chinacloudapi.cn");
  });

  it("names each bad setting and its expected form", () => {
    const result = resolveSettings({ clientId: "not-a-guid", tenant: "a b", cloud: "mars", signInFlow: "carrier-pigeon" });
    assert.ok(!result.ok);
    const text = result.errors.join("\n");
    assert.match(text, /"msal\.clientId" must be a GUID/);
    assert.match(text, /"msal\.tenant" must be "organizations"/);
    assert.match(text, /"msal\.cloud" must be one of public, usGovernment, china/);
    assert.match(text, /"msal\.signInFlow" must be one of auto, loopback, deviceCode/);
  });

  it("refuses a non-string value instead of guessing", () => {
    const result = resolveSettings({ clientId: 42 });
    assert.ok(!result.ok);
    assert.match(result.errors[0], /"msal\.clientId" must be a string; got 42/);
  });

  it("accepts plain http only on loopback", () => {
    for (const host of ["127.0.0.1:8400", "localhost:8400", "[::1]:8400"]) {
      const { target, tenant } = customTarget(`http://${host}/organizations`);
      assert.strictEqual(target.loopbackUrl, `http://${host}`);
      assert.strictEqual(tenant, "organizations");
      assert.strictEqual(requestAuthority(target, "contoso.com"), "https://login.microsoftonline.com/contoso.com");
    }
    for (const url of ["http://example.com/organizations", "http://10.0.0.5/x", "http://127.0.0.1.example.com/x"]) {
      assert.throws(() => customTarget(url), /http is accepted only on loopback/);
    }
  });

  it("takes an https custom authority as it is and trusts its host", () => {
    const { target } = customTarget("https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin/");
    assert.strictEqual(target.msalBase, "https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin");
    assert.deepStrictEqual(target.knownAuthorities, ["contoso.b2clogin.com"]);
    assert.strictEqual(requestAuthority(target, "ignored"), target.msalBase);
  });

  it("refuses authorities with credentials, queries, other schemes or garbage", () => {
    assert.throws(() => customTarget("https://user:pw@login.example.com/t"), /must not contain a user name/);
    assert.throws(() => customTarget("https://login.example.com/t?x=1"), /must not contain/);
    assert.throws(() => customTarget("ftp://login.example.com/t"), /must be an https URL/);
    assert.throws(() => customTarget("not a url"), /must be an absolute URL/);
    const result = resolveSettings({ authority: "http://evil.example/organizations" });
    assert.ok(!result.ok);
    assert.match(result.errors[0], /"msal\.authority"/);
  });

  it("takes the tenant of a loopback authority", () => {
    const result = resolveSettings({ authority: "http://127.0.0.1:9999/contoso.com", tenant: "organizations" });
    assert.ok(result.ok);
    assert.strictEqual(result.settings.tenant, "contoso.com");
    assert.strictEqual(result.settings.target.key, "http://127.0.0.1:9999");
  });

  describe("generic OpenID Connect (msal.protocol oidc)", () => {
    it("takes the issuer from msal.authority and a client id of the provider's own form", () => {
      const result = resolveSettings({ protocol: "oidc", authority: "https://id.example.com/realms/dev/", clientId: "vscode-desktop", tenant: "not a tenant", cloud: "mars" });
      assert.ok(result.ok, JSON.stringify(result));
      const { target, clientId, tenant } = result.settings;
      assert.strictEqual(target.protocol, "oidc");
      assert.strictEqual(clientId, "vscode-desktop");
      assert.strictEqual(tenant, "", "an OpenID Provider has no tenant; msal.tenant and msal.cloud are not read");
      assert.strictEqual(requestAuthority(target, tenant), "https://id.example.com/realms/dev");
      assert.deepStrictEqual(target.knownAuthorities, ["id.example.com"], "trusted as it is: no Microsoft instance discovery");
      assert.strictEqual(target.loopbackUrl, undefined);
    });

    it("keeps its caches apart from an Entra authority at the same URL", () => {
      const oidc = oidcTarget("https://login.example.com/tenant");
      const entra = customTarget("https://login.example.com/tenant").target;
      assert.notStrictEqual(oidc.key, entra.key);
      assert.strictEqual(oidcTarget("https://login.example.com/tenant/").key, oidc.key, "a trailing slash names the same issuer");
    });

    it("requires the issuer URL and a client registered at the provider, naming the settings", () => {
      const missing = resolveSettings({ protocol: "oidc", clientId: "04b07795-8ddb-461a-bbee-02f9e1bf7b46" });
      assert.ok(!missing.ok);
      const text = missing.errors.join("\n");
      assert.match(text, /"msal\.authority" must be the https issuer URL of your OpenID Provider when "msal\.protocol" is "oidc"/);
      assert.match(text, /"msal\.clientId" must be the client ID of your application at the OpenID Provider/);
    });

    it("refuses plain http, credentials in the URL and client ids that would break the secret's key", () => {
      const http = resolveSettings({ protocol: "oidc", authority: "http://127.0.0.1:8443", clientId: "app" });
      assert.ok(!http.ok);
      assert.match(http.errors[0], /"msal\.authority" must be the https issuer URL/);
      assert.throws(() => oidcTarget("https://user:pw@id.example.com"), /must not contain a user name/);
      const at = resolveSettings({ protocol: "oidc", authority: "https://id.example.com", clientId: "app@example" });
      assert.ok(!at.ok);
      assert.match(at.errors[0], /"msal\.clientId" must be the client ID of your application at the OpenID Provider: 1 to 255 letters/);
    });

    it("refuses an unknown protocol", () => {
      const result = resolveSettings({ protocol: "saml" });
      assert.ok(!result.ok);
      assert.match(result.errors[0], /"msal\.protocol" must be one of entra, oidc; got "saml"/);
    });

    it("leaves Entra as the default protocol", () => {
      const result = resolveSettings({});
      assert.ok(result.ok);
      assert.strictEqual(result.settings.target.protocol, "entra");
    });
  });
});
