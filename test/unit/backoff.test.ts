import * as assert from "assert";
import { Backoff, FIRST_BACKOFF_MS, MAX_BACKOFF_MS, MAX_RETRY_AFTER_MS, parseRetryAfter } from "../../src/network/backoff";

describe("back-off", () => {
  let now = 1_000_000;
  const clock = () => now;

  it("honours Retry-After in seconds and as a date, capped", () => {
    assert.strictEqual(parseRetryAfter("30", now), 30_000);
    assert.strictEqual(parseRetryAfter(new Date(now + 5000).toUTCString(), now), 5000);
    assert.strictEqual(parseRetryAfter("soon", now), undefined);
    const backoff = new Backoff(clock);
    backoff.answered("h", 429, "99999");
    assert.strictEqual(backoff.blocked("h")?.until, now + MAX_RETRY_AFTER_MS);
  });

  it("waits longer after each failure, and forgets after a good answer", () => {
    const backoff = new Backoff(clock);
    backoff.answered("h", 503, undefined);
    assert.strictEqual(backoff.blocked("h")?.until, now + FIRST_BACKOFF_MS);
    backoff.unreachable("h", "reset");
    assert.strictEqual(backoff.blocked("h")?.until, now + 2 * FIRST_BACKOFF_MS);
    for (let i = 0; i < 20; i++) backoff.answered("h", 500, undefined);
    assert.strictEqual(backoff.blocked("h")?.until, now + MAX_BACKOFF_MS);
    now += MAX_BACKOFF_MS + 1;
    assert.strictEqual(backoff.blocked("h"), undefined, "may try again");
    backoff.answered("h", 400, undefined);
    backoff.answered("h", 500, undefined);
    assert.strictEqual(backoff.blocked("h")?.until, now + FIRST_BACKOFF_MS, "a 4xx answer reset the count");
  });

  it("keeps hosts apart", () => {
    const backoff = new Backoff(clock);
    backoff.answered("a", 429, "10");
    assert.ok(backoff.blocked("a"));
    assert.strictEqual(backoff.blocked("b"), undefined);
  });
});
