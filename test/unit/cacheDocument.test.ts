import * as assert from "assert";
import fc from "fast-check";
import { CacheDocument, emptyPending, mergeInto, MsalCache, recordChanges, TOMBSTONE_TTL_MS } from "../../src/cache/cacheDocument";

const at = (id: string, secret: string) => ({ [`at-${id}`]: { home_account_id: id, secret } });
const accountCache = (id: string, secret = "s1"): MsalCache => ({ Account: { [id]: { home_account_id: id } }, AccessToken: at(id, secret) });
const doc = (msal: MsalCache, removed: Record<string, number> = {}, added: Record<string, number> = {}): CacheDocument => ({ msal, removed, added });
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
        const first = mergeInto(doc(theirs), pending, 6);
        const second = mergeInto(first.merged, first.pending, 7);
        assert.deepStrictEqual(second.merged, first.merged);
        assert.strictEqual(second.pending.changes.size + second.pending.intents.size, 0, "all confirmed");
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
