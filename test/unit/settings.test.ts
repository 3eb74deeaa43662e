import * as assert from "assert";
import { customTarget, requestAuthority } from "../../src/config/authority";
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
});
