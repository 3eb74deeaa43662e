import * as assert from "assert";
import fc from "fast-check";
import { ChallengeError, claimNames, decodeClaims, MAX_CLAIMS_LENGTH, readChallenges } from "../../src/challenges/claimsChallenge";

const SCOPE = "https://management.azure.com/.default";
// What Entra ID asks for after an event that revokes tokens (Continuous Access Evaluation).
const CAE_CLAIMS = '{"access_token":{"nbf":{"essential":true,"value":"1735689600"}}}';
// What a resource protected by a Conditional Access authentication context asks for.
const ACRS_CLAIMS = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}';
const b64 = (s: string) => Buffer.from(s).toString("base64");

/**
 * What VS Code 1.139 hands the provider for
 * `WWW-Authenticate: Bearer realm="", authorization_uri="…", error="insufficient_claims", claims="…"`:
 * one challenge per scheme, parameter values unquoted and still encoded.
 */
function entraChallenge(claims: string, extra: Record<string, string> = {}) {
  return {
    scheme: "Bearer",
    params: { realm: "", authorization_uri: "https://login.microsoftonline.com/common/oauth2/authorize", error: "insufficient_claims", claims, ...extra },
  };
}

describe("claims challenges", () => {
  it("reads Entra ID's challenge: base64 claims, the error, the caller's fallback scopes", () => {
    const request = readChallenges({ challenges: [entraChallenge(b64(CAE_CLAIMS))], fallbackScopes: [SCOPE] });
    assert.deepStrictEqual(request, { scopes: [SCOPE], claims: CAE_CLAIMS, error: "insufficient_claims" });
  });

  it("takes the challenge's own scope over the fallback, keeping the caller's VSCODE_* scopes", () => {
    const request = readChallenges({
      challenges: [entraChallenge(b64(ACRS_CLAIMS), { scope: "api://contoso/read  api://contoso/write" })],
      fallbackScopes: [SCOPE, "VSCODE_TENANT:contoso.com", "VSCODE_CLIENT_ID:aebc6443-996d-45c2-90f0-388ff96faa56"],
    });
    assert.deepStrictEqual(request.scopes, ["api://contoso/read", "api://contoso/write", "VSCODE_TENANT:contoso.com", "VSCODE_CLIENT_ID:aebc6443-996d-45c2-90f0-388ff96faa56"]);
  });

  it("picks the Bearer challenge with claims among several schemes, whatever their case", () => {
    const request = readChallenges({
      challenges: [
        { scheme: "Basic", params: { realm: "x" } },
        { scheme: "bearer", params: { realm: "" } },
        { scheme: "BEARER", params: { Claims: b64(ACRS_CLAIMS), ERROR: "insufficient_claims" } },
      ],
      fallbackScopes: [SCOPE],
    });
    assert.strictEqual(request.claims, ACRS_CLAIMS);
    assert.strictEqual(request.error, "insufficient_claims");
  });

  it("takes base64url without padding and plain JSON too, and passes compact JSON on", () => {
    assert.strictEqual(decodeClaims(Buffer.from(ACRS_CLAIMS).toString("base64url")), ACRS_CLAIMS);
    assert.strictEqual(decodeClaims(' { "access_token" : { "acrs" : { "essential" : true, "value" : "c1" } } } '), ACRS_CLAIMS);
  });

  it("round-trips any JSON object through base64", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (claims) => {
        const json = JSON.stringify(claims);
        assert.strictEqual(decodeClaims(b64(json)), json);
      }),
    );
  });

  it("without claims (a refused token, no more): no claims, so the provider fetches a fresh token", () => {
    const request = readChallenges({ challenges: [{ scheme: "Bearer", params: { error: "invalid_token", error_description: "The token expired" } }], fallbackScopes: [SCOPE] });
    assert.deepStrictEqual(request, { scopes: [SCOPE], claims: undefined, error: "invalid_token" });
  });

  it("refuses what it cannot act on, saying why", () => {
    const refuses = (input: unknown, message: RegExp) => assert.throws(() => readChallenges(input), (e: Error) => e instanceof ChallengeError && message.test(e.message));
    refuses(undefined, /no challenges.*wwwAuthenticate, fallbackScopes/);
    refuses({ challenges: "Bearer" }, /no challenges/);
    refuses({ challenges: [{ params: {} }], fallbackScopes: [SCOPE] }, /Challenge 0 has no authentication scheme/);
    refuses({ challenges: [{ scheme: "Basic", params: {} }], fallbackScopes: [SCOPE] }, /no Bearer challenge \(schemes: Basic\)/);
    refuses({ challenges: [], fallbackScopes: [SCOPE] }, /no Bearer challenge \(schemes: none\)/);
    refuses({ challenges: [entraChallenge(b64(ACRS_CLAIMS))] }, /no scope and no fallbackScopes/);
    refuses({ challenges: [entraChallenge(b64(ACRS_CLAIMS))], fallbackScopes: [] }, /no scope and no fallbackScopes/);
    refuses({ challenges: [entraChallenge(b64(ACRS_CLAIMS))], fallbackScopes: SCOPE }, /fallbackScopes must be an array of strings/);
    refuses({ challenges: [entraChallenge("not base64!")], fallbackScopes: [SCOPE] }, /neither base64 nor JSON/);
    refuses({ challenges: [entraChallenge(b64("not json"))], fallbackScopes: [SCOPE] }, /do not decode to JSON/);
    refuses({ challenges: [entraChallenge(b64("[1,2]"))], fallbackScopes: [SCOPE] }, /must be a JSON object/);
    refuses({ challenges: [entraChallenge("")], fallbackScopes: [SCOPE] }, /claims parameter is empty/);
    refuses({ challenges: [entraChallenge("A".repeat(MAX_CLAIMS_LENGTH + 1))], fallbackScopes: [SCOPE] }, /at most 16384/);
  });

  it("keeps an odd error value out of the log", () => {
    const request = readChallenges({ challenges: [entraChallenge(b64(ACRS_CLAIMS), { error: "bad\nline" })], fallbackScopes: [SCOPE] });
    assert.strictEqual(request.error, undefined);
  });

  it("names the claims asked for, without their values", () => {
    assert.deepStrictEqual(claimNames('{"access_token":{"acrs":{"value":"c1"},"nbf":{"value":"1"}},"id_token":{"auth_time":null}}'), [
      "access_token.acrs",
      "access_token.nbf",
      "id_token.auth_time",
    ]);
  });
});
