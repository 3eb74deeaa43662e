import * as assert from "assert";
import fc from "fast-check";
import { CacheDocument, emptyPending, mergeInto, MsalCache, recordChanges, SETTLED_TTL_MS, TOMBSTONE_TTL_MS } from "../../src/cache/cacheDocument";

const at = (id: string, secret: string) => ({ [`at-${id}`]: { home_account_id: id, secret } });
const accountCache = (id: string, secret = "s1"): MsalCache => ({ Account: { [id]: { home_account_id: id } }, AccessToken: at(id, secret) });
const doc = (msal: MsalCache, removed: Record<string, number> = {}, added: Record<string, number> = {}): CacheDocument => ({ msal, removed, added, stamps: {} });
const merge = (...caches: MsalCache[]): MsalCache => {
  const out: MsalCache = {};
  for (const c of caches) for (const [s, e] of Object.entries(c)) out[s] = { ...(out[s] ?? {}), ...e };
  return out;
};

describe("cache document merge", () => {
  it("adds our sign-in to what another window stored, without losing theirs", () => {
    const pending = emptyPending();
    recordChanges(pending, {}, accountCache("alice"), 10);
    const { merged } = mergeInto(doc(accountCache("bob")), pending, 20);
    assert.deepStrictEqual(Object.keys(merged.msal.Account).sort(), ["alice", "bob"]);
    assert.strictEqual(merged.added.alice, 10);
  });

  it("a sign-out leaves a tombstone that drops a stale window's later refresh of that account", () => {
    const signOut = emptyPending();
    recordChanges(signOut, accountCache("alice"), {}, 10);
    const afterSignOut = mergeInto(doc(accountCache("alice")), signOut, 10).merged;
    assert.deepStrictEqual(afterSignOut.msal.Account, {});
    assert.strictEqual(afterSignOut.removed.alice, 10);

    const staleRefresh = emptyPending();
    recordChanges(staleRefresh, accountCache("alice", "s1"), accountCache("alice", "s2"), 20);
    const { merged, pending } = mergeInto(afterSignOut, staleRefresh, 20);
    assert.deepStrictEqual(merged.msal.AccessToken, {}, "not written back");
    assert.strictEqual(pending.changes.size, 0, "and forgotten");
  });

  it("another window's newer change of an entry wins over ours", () => {
    const ours = emptyPending();
    recordChanges(ours, accountCache("alice", "s1"), accountCache("alice", "mine"), 10);
    const { merged, pending } = mergeInto(doc(accountCache("alice", "theirs")), ours, 10);
    assert.strictEqual((merged.msal.AccessToken["at-alice"] as { secret: string }).secret, "theirs");
    assert.strictEqual(pending.changes.size, 0);
  });

  it("re-applies our change when another window's write lost it", () => {
    const ours = emptyPending();
    recordChanges(ours, accountCache("alice", "s1"), accountCache("alice", "mine"), 10);
    const first = mergeInto(doc(accountCache("alice", "s1")), ours, 10);
    // Another window, which read before our write, stores its own state back over ours.
    const lost = doc(merge(accountCache("alice", "s1"), accountCache("bob")));
    const repaired = mergeInto(lost, first.pending, 11);
    assert.strictEqual((repaired.merged.msal.AccessToken["at-alice"] as { secret: string }).secret, "mine");
    assert.ok(repaired.merged.msal.Account.bob, "and keeps theirs");
    const confirmed = mergeInto(repaired.merged, repaired.pending, 12);
    assert.strictEqual(confirmed.pending.changes.size, 0, "confirmed once storage has it");
  });

  it("writes confirmed work again when a window that read before it stores its older copy over it", () => {
    const ours = emptyPending();
    recordChanges(ours, accountCache("alice", "s1"), merge(accountCache("alice", "mine"), accountCache("carol")), 10);
    const original = doc(accountCache("alice", "s1"));
    const written = mergeInto(original, ours, 10, { writer: "A" });
    const confirmed = mergeInto(written.merged, written.pending, 11, { writer: "A" });
    assert.strictEqual(confirmed.pending.changes.size + confirmed.pending.intents.size, 0, "storage has it");
    // The stale window read `original`, added bob, and stored: our refresh and carol are undone.
    const stale = mergeInto(original, ((p) => (recordChanges(p, {}, accountCache("bob"), 12), p))(emptyPending()), 12, { writer: "B" }).merged;
    const repaired = mergeInto(stale, emptyPending(), 13, { writer: "A", settled: confirmed.settled });
    assert.strictEqual((repaired.merged.msal.AccessToken["at-alice"] as { secret: string }).secret, "mine");
    assert.deepStrictEqual(Object.keys(repaired.merged.msal.Account).sort(), ["alice", "bob", "carol"]);
    assert.strictEqual(repaired.merged.added.carol, 10);
    // Once repaired, merging again changes nothing (no endless rewriting).
    assert.deepStrictEqual(mergeInto(repaired.merged, emptyPending(), 14, { writer: "A", settled: repaired.settled }).merged, repaired.merged);
  });

  it("does not write confirmed work again over a newer change, nor after its time", () => {
    const ours = emptyPending();
    recordChanges(ours, accountCache("alice", "s1"), accountCache("alice", "mine"), 10);
    const written = mergeInto(doc(accountCache("alice", "s1")), ours, 10, { writer: "A" });
    const { settled, merged } = mergeInto(written.merged, written.pending, 11, { writer: "A" });
    // Another window that had read our write refreshes the token again.
    const theirs = emptyPending();
    recordChanges(theirs, merged.msal, accountCache("alice", "newer"), 12);
    const newer = mergeInto(merged, theirs, 12, { writer: "B" }).merged;
    const after = mergeInto(newer, emptyPending(), 13, { writer: "A", settled });
    assert.strictEqual((after.merged.msal.AccessToken["at-alice"] as { secret: string }).secret, "newer");
    assert.strictEqual(after.settled.changes.size, 0, "forgotten");

    const undone = mergeInto(doc(accountCache("alice", "s1")), emptyPending(), 11 + SETTLED_TTL_MS + 1, { writer: "A", settled });
    assert.strictEqual((undone.merged.msal.AccessToken["at-alice"] as { secret: string }).secret, "s1", "too old to watch");
  });

  it("a sign-out not yet confirmed does not delete the entries of a later sign-in elsewhere", () => {
    const signOut = emptyPending();
    recordChanges(signOut, accountCache("alice"), {}, 10);
    // Before this window saw its sign-out confirmed, another window signed alice in again (same entries).
    const { merged } = mergeInto(doc(accountCache("alice"), {}, { alice: 20 }), signOut, 21, { writer: "A" });
    assert.deepStrictEqual(Object.keys(merged.msal.Account), ["alice"]);
    assert.ok(merged.msal.AccessToken["at-alice"]);
    assert.strictEqual(merged.removed.alice, undefined);
  });

  it("forgets tombstones after their time", () => {
    const { merged } = mergeInto(doc({}, { old: 0, recent: TOMBSTONE_TTL_MS }), emptyPending(), TOMBSTONE_TTL_MS + 1);
    assert.deepStrictEqual(merged.removed, { recent: TOMBSTONE_TTL_MS });
  });

  it("merging is idempotent and a merge result needs no further write (any caches)", () => {
    const ids = fc.constantFrom("a", "b", "c");
    const cache = fc.dictionary(ids, fc.constantFrom("s1", "s2", "s3"), { maxKeys: 3 }).map((m) => merge(...Object.entries(m).map(([id, secret]) => accountCache(id, secret))));
    fc.assert(
      fc.property(cache, cache, cache, (view, mine, theirs) => {
        const pending = emptyPending();
        recordChanges(pending, view, mine, 5);
        const first = mergeInto(doc(theirs), pending, 6, { writer: "A" });
        const second = mergeInto(first.merged, first.pending, 7, { writer: "A", settled: first.settled });
        assert.deepStrictEqual(second.merged, first.merged);
        assert.strictEqual(second.pending.changes.size + second.pending.intents.size, 0, "all confirmed");
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
