import * as assert from "assert";
import fc from "fast-check";
import { MAX_SCOPES, parseScopes, ScopeError } from "../../src/scopes/scopeRequest";

describe("scope parsing", () => {
  it("sorts, removes duplicates and keeps what the caller asked for", () => {
    const request = parseScopes(["https://graph.microsoft.com/Mail.Read", "offline_access", "https://graph.microsoft.com/Mail.Read"]);
    assert.deepStrictEqual(request.scopes, ["https://graph.microsoft.com/Mail.Read", "offline_access"]);
    assert.deepStrictEqual(request.original, ["https://graph.microsoft.com/Mail.Read", "offline_access", "https://graph.microsoft.com/Mail.Read"]);
  });

  it("takes client and tenant from the special scopes and never sends them", () => {
    const request = parseScopes(["VSCODE_CLIENT_ID:aebc6443-996d-45c2-90f0-388ff96faa56", "VSCODE_TENANT:contoso.onmicrosoft.com", "api://x/.default"]);
    assert.strictEqual(request.clientId, "aebc6443-996d-45c2-90f0-388ff96faa56");
    assert.strictEqual(request.tenant, "contoso.onmicrosoft.com");
    assert.deepStrictEqual(request.scopes, ["api://x/.default"]);
  });

  it("adds User.Read when only OpenID scopes remain, as the built-in provider does", () => {
    assert.deepStrictEqual(parseScopes(["openid", "profile"]).scopes, ["User.Read", "openid", "profile"]);
    assert.deepStrictEqual(parseScopes(["VSCODE_TENANT:common"]).scopes, ["User.Read"]);
  });

  it("with an OpenID Provider: adds nothing, takes the provider's client ids and refuses tenants", () => {
    assert.deepStrictEqual(parseScopes(["profile", "openid"], "oidc").scopes, ["openid", "profile"], "no Microsoft Graph scope");
    assert.deepStrictEqual(parseScopes([], "oidc").scopes, [], "MSAL adds openid profile offline_access itself");
    assert.strictEqual(parseScopes(["VSCODE_CLIENT_ID:vscode-desktop", "email"], "oidc").clientId, "vscode-desktop");
    assert.throws(() => parseScopes(["VSCODE_CLIENT_ID:a@b"], "oidc"), /the value must be the client ID of your application at the OpenID Provider/);
    assert.throws(() => parseScopes(["VSCODE_TENANT:common", "email"], "oidc"), (err: Error) => err instanceof ScopeError && /cannot be used with an OpenID Provider/.test(err.message));
  });

  it("refuses malformed input with a message", () => {
    const cases: [unknown, RegExp][] = [
      ["User.Read", /must be an array of strings; got a string/],
      [null, /got null/],
      [[""], /Scope 0 must be a non-empty string/],
      [[42], /Scope 0 must be a non-empty string; got a value of type number/],
      [["a b"], /space, a control character/],
      [["User.Read\u0000"], /control character/],
      [["x\n"], /control character/],
      [Array.from({ length: 5000 }, (_, i) => `s${i}`), /Too many scopes: 5000 given, at most 100/],
      [["x".repeat(2000)], /at most 1024/],
      [["VSCODE_CLIENT_ID:nope"], /must be a GUID/],
      [["VSCODE_TENANT:a/b"], /VSCODE_TENANT:a\/b/],
      [["VSCODE_TENANT:a", "VSCODE_TENANT:b"], /given twice/],
    ];
    for (const [input, message] of cases) {
      assert.throws(() => parseScopes(input), (err: Error) => err instanceof ScopeError && message.test(err.message), `input ${JSON.stringify(input)?.slice(0, 60)}`);
    }
  });

  it("either refuses with a ScopeError or returns sorted scopes without special ones, for any input", () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(fc.oneof(fc.string(), fc.constantFrom("VSCODE_TENANT:common", "VSCODE_CLIENT_ID:x")), { maxLength: MAX_SCOPES + 5 }), fc.anything()), (input) => {
        try {
          const request = parseScopes(input);
          assert.deepStrictEqual(request.scopes, [...request.scopes].sort());
          assert.ok(request.scopes.length > 0);
          assert.ok(request.scopes.every((s) => !s.startsWith("VSCODE_") && [...s].every((c) => c.charCodeAt(0) > 0x20)));
        } catch (err) {
          if (!(err instanceof ScopeError)) throw err;
        }
      }),
      { numRuns: 500, seed: 42 },
    );
  });
});
