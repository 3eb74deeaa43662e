import * as assert from "assert";
import { chooseFlow } from "../../src/flows/chooseFlow";

describe("choosing the sign-in flow", () => {
  it("uses the loopback redirect locally and device code on remote or web hosts", () => {
    assert.strictEqual(chooseFlow("auto", { remote: false, web: false }), "loopback");
    assert.strictEqual(chooseFlow("auto", { remote: true, web: false }), "deviceCode");
    assert.strictEqual(chooseFlow("auto", { remote: false, web: true }), "deviceCode");
  });

  it("follows an explicit setting", () => {
    assert.strictEqual(chooseFlow("loopback", { remote: true, web: true }), "loopback");
    assert.strictEqual(chooseFlow("deviceCode", { remote: false, web: false }), "deviceCode");
  });
});
