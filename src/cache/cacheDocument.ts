/**
 * The stored cache as a document that windows merge into instead of overwriting: MSAL's cache
 * sections, plus the times accounts were last signed out (`removed`, the tombstones that keep a
 * late write from another window from bringing an account back) and last signed in (`added`).
 * Pure: no MSAL, no editor.
 */
export type Entry = Record<string, unknown>;
export type MsalCache = Record<string, Record<string, Entry>>;

export interface CacheDocument {
  msal: MsalCache;
  /** homeAccountId → when it was signed out (epoch ms). */
  removed: Record<string, number>;
  /** homeAccountId → when it was last signed in interactively (epoch ms). */
  added: Record<string, number>;
}

/** One entry this window changed: what it was (`before`) and what this window made it (`after`). */
export interface EntryChange {
  readonly section: string;
  readonly key: string;
  readonly before?: Entry;
  readonly after?: Entry;
}

/** An account signed in or out in this window, to be carried into the stored document. */
export interface AccountIntent {
  readonly kind: "signedIn" | "signedOut";
  readonly homeAccountId: string;
  readonly at: number;
}

/** What this window changed and has not yet seen confirmed in storage. */
export interface Pending {
  readonly changes: Map<string, EntryChange>;
  readonly intents: Map<string, AccountIntent>;
}

/** Tombstones older than this are dropped: any window that was away longer reloads on focus anyway. */
export const TOMBSTONE_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const ACCOUNT_SECTION = "Account";

export function emptyDocument(): CacheDocument {
  return { msal: {}, removed: {}, added: {} };
}

export function emptyPending(): Pending {
  return { changes: new Map(), intents: new Map() };
}

export function hasPending(pending: Pending): boolean {
  return pending.changes.size > 0 || pending.intents.size > 0;
}

/** Entries compared by content; MSAL writes the same fields in the same order, but be safe. */
export function sameEntry(a: Entry | undefined, b: Entry | undefined): boolean {
  if (a === undefined || b === undefined) {
    return a === b;
  }
  return canonical(a) === canonical(b);
}

/** Same sections and keys with the same entries, whatever the order. */
export function sameCache(a: MsalCache, b: MsalCache): boolean {
  const sections = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const section of sections) {
    const [x, y] = [a[section] ?? {}, b[section] ?? {}];
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length || keys.some((k) => !sameEntry(x[k], y[k]))) {
      return false;
    }
  }
  return true;
}

function canonical(entry: Entry): string {
  return JSON.stringify(Object.keys(entry).sort().map((k) => [k, entry[k]]));
}

function homeOf(entry: Entry | undefined): string | undefined {
  const id = entry?.home_account_id;
  return typeof id === "string" && id ? id : undefined;
}

function accountIds(cache: MsalCache): Set<string> {
  return new Set(Object.values(cache[ACCOUNT_SECTION] ?? {}).map(homeOf).filter((id): id is string => !!id));
}

/**
 * Records what changed between the cache this window last synced (`view`) and MSAL's cache now
 * (`mine`): entry changes, and accounts that appeared (signed in) or disappeared (signed out).
 */
export function recordChanges(pending: Pending, view: MsalCache, mine: MsalCache, now: number): void {
  for (const section of new Set([...Object.keys(view), ...Object.keys(mine)])) {
    const before = view[section] ?? {};
    const after = mine[section] ?? {};
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (!sameEntry(before[key], after[key])) {
        const id = `${section}\u0000${key}`;
        // Coalesce: keep what storage had before the first of our changes.
        const earlier = pending.changes.get(id);
        pending.changes.set(id, { section, key, before: earlier ? earlier.before : before[key], after: after[key] });
      }
    }
  }
  const [had, has] = [accountIds(view), accountIds(mine)];
  for (const id of has) {
    if (!had.has(id)) {
      pending.intents.set(id, { kind: "signedIn", homeAccountId: id, at: now });
    }
  }
  for (const id of had) {
    if (!has.has(id)) {
      pending.intents.set(id, { kind: "signedOut", homeAccountId: id, at: now });
    }
  }
}

/**
 * An explicit interactive sign-in of an account this window already had (so no entry appeared).
 * Its entries are asserted again: where another window's sign-out removed them, they come back.
 */
export function recordSignIn(pending: Pending, homeAccountId: string, now: number, mine: MsalCache): void {
  pending.intents.set(homeAccountId, { kind: "signedIn", homeAccountId, at: now });
  for (const [section, entries] of Object.entries(mine)) {
    for (const [key, entry] of Object.entries(entries)) {
      const id = `${section}\u0000${key}`;
      if (homeOf(entry) === homeAccountId) {
        const earlier = pending.changes.get(id);
        pending.changes.set(id, { section, key, before: earlier ? earlier.before : entry, after: entry });
      }
    }
  }
}

/**
 * Applies this window's pending work to what storage holds now (`theirs`), three-way per entry:
 * a change is applied where storage still has what we started from, dropped where another window
 * changed the entry since (theirs wins), and confirmed (forgotten) where storage already has it.
 * Sign-outs leave a tombstone that drops later token writes for that account, unless a sign-in
 * happened after it. Returns the merged document and what is still pending.
 */
export function mergeInto(
  theirs: CacheDocument,
  pending: Pending,
  now: number,
  /** Keep (rather than drop) token writes blocked by a tombstone: a sign-in in flight may lift it. */
  holdBlocked = false,
): { merged: CacheDocument; pending: Pending } {
  const merged: CacheDocument = {
    msal: Object.fromEntries(Object.entries(theirs.msal).map(([s, entries]) => [s, { ...entries }])),
    removed: { ...theirs.removed },
    added: { ...theirs.added },
  };
  const remaining = emptyPending();

  // Accounts signed in interactively by this window in this merge: their entries are the newest.
  const signedInNow = new Set<string>();
  const intents = [...pending.intents.values()].sort((a, b) => a.at - b.at);
  for (const intent of intents) {
    const id = intent.homeAccountId;
    if (intent.kind === "signedOut") {
      if ((merged.added[id] ?? -Infinity) > intent.at) {
        continue; // signed in again elsewhere after our sign-out
      }
      const confirmed = (theirs.removed[id] ?? -Infinity) >= intent.at && !holdsAccount(theirs.msal, id);
      merged.removed[id] = Math.max(merged.removed[id] ?? -Infinity, intent.at);
      delete merged.added[id];
      removeAccountEntries(merged.msal, id);
      if (!confirmed) remaining.intents.set(id, intent);
    } else {
      if ((merged.removed[id] ?? -Infinity) > intent.at) {
        continue; // signed out elsewhere after our sign-in
      }
      const confirmed = theirs.removed[id] === undefined && (theirs.added[id] ?? -Infinity) >= intent.at;
      delete merged.removed[id];
      merged.added[id] = Math.max(merged.added[id] ?? -Infinity, intent.at);
      signedInNow.add(id);
      if (!confirmed) remaining.intents.set(id, intent);
    }
  }

  for (const [id, change] of pending.changes) {
    const account = homeOf(change.after) ?? homeOf(change.before);
    if (change.after && account && merged.removed[account] !== undefined) {
      if (holdBlocked) remaining.changes.set(id, change);
      continue; // a token for a signed-out account: never written back
    }
    const section = (merged.msal[change.section] ??= {});
    const current = section[change.key];
    if (sameEntry(current, change.after)) {
      if (!sameEntry(theirs.msal[change.section]?.[change.key], change.after)) remaining.changes.set(id, change);
      continue;
    }
    const freshSignIn = change.after !== undefined && account !== undefined && signedInNow.has(account);
    if (!freshSignIn && !sameEntry(current, change.before)) {
      continue; // another window changed this entry since: theirs wins
    }
    if (change.after) {
      section[change.key] = change.after;
    } else {
      delete section[change.key];
    }
    remaining.changes.set(id, change);
  }

  pruneTimes(merged.removed, now);
  pruneTimes(merged.added, now);
  return { merged, pending: remaining };
}

function holdsAccount(cache: MsalCache, homeAccountId: string): boolean {
  return Object.values(cache).some((entries) => Object.values(entries).some((e) => homeOf(e) === homeAccountId));
}

function removeAccountEntries(cache: MsalCache, homeAccountId: string): void {
  for (const entries of Object.values(cache)) {
    for (const [key, entry] of Object.entries(entries)) {
      if (homeOf(entry) === homeAccountId) {
        delete entries[key];
      }
    }
  }
}

function pruneTimes(times: Record<string, number>, now: number): void {
  for (const [id, at] of Object.entries(times)) {
    if (now - at > TOMBSTONE_TTL_MS) {
      delete times[id];
    }
  }
}

/** The refresh tokens of an account, to tell whether another window rotated it. */
export function refreshTokensOf(cache: MsalCache, homeAccountId: string): string[] {
  return Object.values(cache.RefreshToken ?? {})
    .filter((e) => homeOf(e) === homeAccountId)
    .map((e) => String(e.secret ?? ""))
    .sort();
}
