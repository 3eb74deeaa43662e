import * as assert from "assert";
import { CacheDocument } from "../../src/cache/cacheDocument";
import { decode, encode, MAX_STORED_BYTES } from "../../src/cache/storedFormat";

describe("stored cache format", () => {
  const document: CacheDocument = {
    msal: { Account: { a: { username: "alice" } }, RefreshToken: {}, AccessToken: {}, IdToken: {}, AppMetadata: {} },
    removed: { "x.y": 1700000000000 },
    added: {},
    stamps: { Account: { a: [2, "w1"] }, AccessToken: { gone: [3, "w2", 1700000000000] } },
  };

  it("round-trips MSAL's cache and the sign-out times inside a versioned envelope", () => {
    const stored = encode(document);
    assert.strictEqual(JSON.parse(stored).version, 1);
    const decoded = decode(stored);
    assert.ok(decoded.ok);
    assert.deepStrictEqual(decoded.document, document);
  });

  it("says why a stored value cannot be read", () => {
    const cases: [string, RegExp][] = [
      [encode(document).slice(0, 30), /not valid JSON/],
      ["[1,2]", /not a JSON object/],
      ['{"version":7,"msal":{}}', /format version 7 is unknown/],
      ['{"Account":{}}', /format version undefined is unknown/],
      ['{"version":1,"msal":{"Account":[]}}', /not in MSAL's schema/],
      ['{"version":1,"msal":"x"}', /not in MSAL's schema/],
      ['{"version":1,"msal":{},"removed":{"a":"yesterday"}}', /times are damaged/],
    ];
    for (const [stored, reason] of cases) {
      const decoded = decode(stored);
      assert.ok(!decoded.ok && reason.test(decoded.reason), `${stored}: ${JSON.stringify(decoded)}`);
    }
  });

  it("refuses a huge value without parsing it", () => {
    const decoded = decode("x".repeat(MAX_STORED_BYTES + 1));
    assert.ok(!decoded.ok);
    assert.match(decoded.reason, /over the limit/);
  });
});
