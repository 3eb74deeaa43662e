import * as assert from "assert";
import { actionsFor, adviceFor, classifyError, mayBeRotatedElsewhere, userMessage } from "../../src/msal/errors";

const msalError = (name: string, errorCode: string, message = "", subError = "") =>
  Object.assign(new Error(message), { name, errorCode, subError });

describe("error classification", () => {
  it("treats every kind of rejected refresh token as 'sign in again'", () => {
    assert.strictEqual(classifyError(msalError("ServerError", "invalid_grant", "AADSTS700082: expired")), "reauth");
    assert.strictEqual(classifyError(msalError("InteractionRequiredAuthError", "interaction_required")), "reauth");
    assert.strictEqual(classifyError(msalError("ServerError", "invalid_request", "", "bad_token")), "reauth");
    assert.strictEqual(classifyError(msalError("InteractionRequiredAuthError", "no_tokens_found")), "reauth");
  });

  it("waits for another window's rotated token only where a rejection may be a reuse", () => {
    assert.ok(mayBeRotatedElsewhere(msalError("ServerError", "invalid_grant", "AADSTS70000: The provided grant has already been used.")));
    assert.ok(mayBeRotatedElsewhere(msalError("ServerError", "invalid_grant", "grant request is invalid")), "another provider: no code");
    for (const code of ["50173", "700082", "50076", "65001"]) {
      assert.ok(!mayBeRotatedElsewhere(msalError("ServerError", "invalid_grant", `AADSTS${code}: dead`)), code);
    }
  });

  it("separates network, server, cancellation and the rest", () => {
    assert.strictEqual(classifyError(msalError("ClientAuthError", "network_error")), "network");
    assert.strictEqual(classifyError(msalError("ServerError", "temporarily_unavailable")), "server");
    assert.strictEqual(classifyError(msalError("ServerError", "access_denied")), "cancelled");
    assert.strictEqual(classifyError(Object.assign(new Error("x"), { name: "SignInAbortedError" })), "cancelled");
    assert.strictEqual(classifyError("weird"), "other");
  });

  it("tells what to do for the common Entra errors", () => {
    assert.match(adviceFor(new Error("AADSTS50011: The redirect URI does not match")) ?? "", /register "http:\/\/localhost" as a redirect URI/);
    assert.match(adviceFor(new Error("AADSTS700016: Application not found")) ?? "", /msal\.clientId/);
    assert.match(adviceFor(new Error("AADSTS90002: Tenant not found")) ?? "", /msal\.tenant/);
  });

  it("never shows a credential in a message", () => {
    const message = userMessage(new Error("failed for refresh_token=0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.BBBB and eyJhbGciOi.eyJzdWIiOi.sig"));
    assert.ok(!message.includes("0.AAAA"));
    assert.ok(!message.includes("eyJhbGciOi"));
  });
});

describe("error actions", () => {
  it("offers the setting or page that fixes a common Entra error", () => {
    assert.deepStrictEqual(actionsFor(new Error("AADSTS50011: redirect URI mismatch")).map((a) => a.kind), ["redirectUriHelp", "openSetting"]);
    assert.deepStrictEqual(actionsFor(new Error("AADSTS700016: app not found")), [{ kind: "openSetting", setting: "msal.clientId" }]);
    assert.deepStrictEqual(actionsFor(new Error("AADSTS90002: tenant not found")), [{ kind: "openSetting", setting: "msal.tenant" }]);
    assert.deepStrictEqual(actionsFor(new Error("something else")), []);
  });
});
