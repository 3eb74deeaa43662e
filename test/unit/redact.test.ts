import * as assert from "assert";
import { redact } from "../../src/logging/redact";

describe("redact", () => {
  const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU";
  const refreshToken = "0.AX4AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdefghijklmnopqrstuvwxyz.AgABAAEAAAD";

  it("removes JWTs wherever they appear", () => {
    assert.strictEqual(redact(`token ${jwt} end`), "token <redacted-jwt> end");
  });

  it("removes credential parameters in query strings, forms and JSON", () => {
    const text = `code=abc123&state=xyz&refresh_token=${refreshToken} {"access_token":"short","client_secret":"s3cr3t"}`;
    const out = redact(text);
    for (const secret of ["abc123", "xyz", refreshToken, "short", "s3cr3t"]) {
      assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
    }
    assert.match(out, /code=<redacted>/);
  });

  it("removes bearer tokens and long opaque runs, but keeps account ids and URLs", () => {
    const accountId = "00000000-0000-4000-8000-00000000a11c.72f988bf-86f1-41af-91ab-2d7cd011db47";
    const out = redact(`Bearer abc.def ${refreshToken} ${accountId} https://login.microsoftonline.com/organizations/oauth2/v2.0/token`);
    assert.ok(!out.includes("abc.def"));
    assert.ok(!out.includes(refreshToken));
    assert.ok(out.includes(accountId));
    assert.ok(out.includes("https://login.microsoftonline.com/organizations/oauth2/v2.0/token"));
  });

  it("leaves ordinary messages alone", () => {
    const message = "Signed in alice@contoso.test; 2 accounts; AADSTS50011: redirect URI mismatch.";
    assert.strictEqual(redact(message), message);
  });
});

describe("redact, what it must leave alone", () => {
  it("keeps version numbers after the word code", () => {
    assert.strictEqual(redact("VS Code: 1.139.1, error code: 500"), "VS Code: 1.139.1, error code: 500");
  });

  it("still removes a JSON code field and a form code", () => {
    assert.strictEqual(redact('{"code":"abc","x":1}'), '{"code":"<redacted>","x":1}');
    assert.strictEqual(redact("?code=abc&state=s1"), "?code=<redacted>&state=<redacted>");
  });
});
