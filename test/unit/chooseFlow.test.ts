import * as assert from "assert";
import { chooseFlow } from "../../src/flows/chooseFlow";

describe("choosing the sign-in flow", () => {
  it("uses the loopback redirect locally and device code on remote or web hosts", () => {
    assert.strictEqual(chooseFlow("auto", { remoteName: undefined, web: false }), "loopback");
    assert.strictEqual(chooseFlow("auto", { remoteName: "ssh-remote", web: false }), "deviceCode");
    assert.strictEqual(chooseFlow("auto", { remoteName: undefined, web: true }), "deviceCode");
  });

  it("follows an explicit setting", () => {
    assert.strictEqual(chooseFlow("loopback", { remoteName: "wsl", web: true }), "loopback");
    assert.strictEqual(chooseFlow("deviceCode", { remoteName: undefined, web: false }), "deviceCode");
  });
});
