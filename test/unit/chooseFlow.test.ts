import * as assert from "assert";
import { chooseFlow, unavailableFlow } from "../../src/flows/chooseFlow";

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

  it("refuses device code with an OpenID Provider, saying whether the setting or the host chose it", () => {
    assert.strictEqual(unavailableFlow("deviceCode", "deviceCode", "oidc"), "setting");
    assert.strictEqual(unavailableFlow("deviceCode", "auto", "oidc"), "host");
    assert.strictEqual(unavailableFlow("loopback", "auto", "oidc"), undefined);
    assert.strictEqual(unavailableFlow("deviceCode", "deviceCode", "entra"), undefined);
  });
});
