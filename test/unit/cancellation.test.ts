import * as assert from "assert";
import { SignInAbortedError, watchAbort } from "../../src/util/cancellation";
import { TestSignal } from "../support/signal";

describe("watchAbort", () => {
  it("ends on cancel, once, and says so", async () => {
    const signal = new TestSignal();
    const calls: string[] = [];
    const watch = watchAbort(signal, 60_000, (r) => calls.push(r.reason));
    signal.cancel();
    signal.cancel();
    await assert.rejects(watch.aborted, (err: Error) => err instanceof SignInAbortedError && err.reason === "cancelled");
    assert.deepStrictEqual(calls, ["cancelled"]);
    watch.dispose();
  });

  it("ends on time-out with a message naming the time", async () => {
    const watch = watchAbort(new TestSignal(), 20, () => undefined);
    await assert.rejects(watch.aborted, /timed out after 0 seconds/);
    assert.strictEqual(watch.reason?.reason, "timeout");
  });

  it("ends at once when the token was already cancelled", () => {
    const signal = new TestSignal();
    signal.cancel();
    const watch = watchAbort(signal, 60_000, () => undefined);
    assert.strictEqual(watch.reason?.reason, "cancelled");
    watch.dispose();
  });

  it("does nothing after dispose", async () => {
    const signal = new TestSignal();
    const watch = watchAbort(signal, 10, () => assert.fail("aborted after dispose"));
    watch.dispose();
    signal.cancel();
    await new Promise((r) => setTimeout(r, 30));
    assert.strictEqual(watch.reason, undefined);
  });
});
