/**
 * The stored cache as a document that windows merge into instead of overwriting: MSAL's cache
 * sections, the times accounts were last signed out (`removed`, the tombstones that keep a late
 * write from another window from bringing an account back) and last signed in (`added`), and a
 * stamp per entry saying which write made it what it is (`stamps`).
 * Pure: no MSAL, no editor.
 */
export type Entry = Record<string, unknown>;
export type MsalCache = Record<string, Record<string, Entry>>;

/**
 * Which write last set an entry: a count that every write of the entry raises, and the writing
 * window's id (to order two writes made from the same count). A deleted entry keeps its stamp with
 * the time it was deleted, for STAMP_TTL_MS. Without compare-and-swap, a window that read storage
 * before our write can store its older copy over it; the stamps let us tell that undo (a lower
 * stamp) from a real later change (a higher one).
 */
export type Stamp = readonly [count: number, writer: string, deletedAt?: number];
export type Stamps = Record<string, Record<string, Stamp>>;

export interface CacheDocument {
  msal: MsalCache;
  /** homeAccountId → when it was signed out (epoch ms). */
  removed: Record<string, number>;
  /** homeAccountId → when it was last signed in interactively (epoch ms). */
  added: Record<string, number>;
  /** Section → key → the write that last set (or deleted) the entry. */
  stamps: Stamps;
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

/** An entry this window wrote and then saw in storage, with the stamp it has there. */
export interface SettledChange {
  readonly section: string;
  readonly key: string;
  readonly after?: Entry;
  readonly stamp: Stamp;
  readonly settledAt: number;
}

/**
 * Work of this window that storage confirmed, remembered for SETTLED_TTL_MS: a window that read the
 * secret before our write and stores after it undoes our work without knowing it, and only this
 * window can apply it again. It does so only where the stamps (entries) or times (accounts) show
 * that storage went back to something older, never over a newer change, so windows cannot keep
 * rewriting each other's work.
 */
export interface Settled {
  readonly changes: Map<string, SettledChange>;
  readonly intents: Map<string, AccountIntent & { readonly settledAt: number }>;
}

export interface MergeOptions {
  /** This window's confirmed work (see Settled). */
  readonly settled?: Settled;
  /** This window's id in stamps. */
  readonly writer?: string;
  /** Keep (rather than drop) token writes blocked by a tombstone: a sign-in in flight may lift it. */
  readonly holdBlocked?: boolean;
}

/** Tombstones older than this are dropped: any window that was away longer reloads on focus anyway. */
export const TOMBSTONE_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/**
 * How long confirmed work is watched for an undo. A stale write lands at most a read plus a write
 * after the read it was based on: the storage time-out (10 s) bounds it, unless a hung keyring
 * answers much later; ten minutes covers that with room.
 */
export const SETTLED_TTL_MS = 10 * 60 * 1000;
/** Stamps of deleted entries outlive every window's memory of what it wrote (SETTLED_TTL_MS). */
export const STAMP_TTL_MS = 3 * SETTLED_TTL_MS;
const ACCOUNT_SECTION = "Account";
const NO_STAMP: Stamp = [0, ""];

export function emptyDocument(): CacheDocument {
  return { msal: {}, removed: {}, added: {}, stamps: {} };
}

export function emptyPending(): Pending {
  return { changes: new Map(), intents: new Map() };
}

export function emptySettled(): Settled {
  return { changes: new Map(), intents: new Map() };
}

/** Orders writes of one entry: by count, then by writer (any fixed order will do). */
export function compareStamps(a: Stamp, b: Stamp): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

export function hasPending(pending: Pending): boolean {
  return pending.changes.size > 0 || pending.intents.size > 0;
}

export function hasSettled(settled: Settled): boolean {
  return settled.changes.size > 0 || settled.intents.size > 0;
}

/** Entries compared by content; MSAL writes the same fields in the same order, but be safe. */
export function sameEntry(a: Entry | undefined, b: Entry | undefined): boolean {
  if (a === undefined || b === undefined) {
    return a === b;
  }
  // MSAL writes an entry's fields in one order, so the plain text nearly always decides it.
  return JSON.stringify(a) === JSON.stringify(b) || canonical(a) === canonical(b);
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
 * Applies this window's work to what storage holds now (`theirs`).
 *
 * Pending work, three-way per entry: a change is applied where storage still has what we started
 * from, dropped where another window changed the entry since (theirs wins), and confirmed (moved to
 * the settled work) where storage already has it. Sign-outs leave a tombstone that drops later
 * token writes for that account, unless a sign-in happened after it.
 *
 * Settled work is applied again where storage went back to something older than it (an entry with
 * a lower stamp, an account whose sign-in or sign-out time is older), and forgotten where a newer
 * change replaced it. Returns the merged document and what is still pending and settled.
 */
export function mergeInto(theirs: CacheDocument, pending: Pending, now: number, options: MergeOptions = {}): { merged: CacheDocument; pending: Pending; settled: Settled } {
  const writer = options.writer ?? "";
  const merged: CacheDocument = {
    msal: copySections(theirs.msal),
    removed: { ...theirs.removed },
    added: { ...theirs.added },
    stamps: copySections(theirs.stamps),
  };
  const remaining = emptyPending();
  const settled = emptySettled();
  for (const [id, change] of options.settled?.changes ?? []) {
    if (now - change.settledAt <= SETTLED_TTL_MS && !pending.changes.has(id)) settled.changes.set(id, change);
  }
  for (const [id, intent] of options.settled?.intents ?? []) {
    if (now - intent.settledAt <= SETTLED_TTL_MS && !pending.intents.has(id)) settled.intents.set(id, intent);
  }

  // Accounts signed in interactively by this window in this merge: their entries are the newest.
  const signedInNow = new Set<string>();
  // Accounts whose sign-out here was overtaken by a later sign-in elsewhere: the entries that
  // sign-out deleted must stay (a new sign-in's Account entry equals the old one, so the three-way
  // check alone would delete it again).
  const signOutOvertaken = new Set<string>();
  const intents = [...[...pending.intents.values()].map((intent) => ({ intent, isPending: true })), ...[...settled.intents.values()].map((intent) => ({ intent, isPending: false }))].sort(
    (a, b) => a.intent.at - b.intent.at,
  );
  for (const { intent, isPending } of intents) {
    const id = intent.homeAccountId;
    const signedOut = intent.kind === "signedOut";
    // Signed in (out) elsewhere after our sign-out (in): that wins.
    if (((signedOut ? merged.added[id] : merged.removed[id]) ?? -Infinity) > intent.at) {
      settled.intents.delete(id);
      if (signedOut && isPending) signOutOvertaken.add(id);
      continue;
    }
    if (signedOut) {
      merged.removed[id] = Math.max(merged.removed[id] ?? -Infinity, intent.at);
      delete merged.added[id];
      removeAccountEntries(merged, id);
    } else {
      delete merged.removed[id];
      merged.added[id] = Math.max(merged.added[id] ?? -Infinity, intent.at);
    }
    if (!isPending) continue;
    const confirmed = signedOut
      ? (theirs.removed[id] ?? -Infinity) >= intent.at && !holdsAccount(theirs.msal, id)
      : theirs.removed[id] === undefined && (theirs.added[id] ?? -Infinity) >= intent.at;
    if (confirmed) settled.intents.set(id, { ...intent, settledAt: now });
    else remaining.intents.set(id, intent);
    if (!signedOut) signedInNow.add(id);
  }

  for (const [id, change] of pending.changes) {
    const account = homeOf(change.after) ?? homeOf(change.before);
    if (!change.after && account && signOutOvertaken.has(account)) {
      continue;
    }
    if (change.after && account && merged.removed[account] !== undefined) {
      if (options.holdBlocked) remaining.changes.set(id, change);
      continue; // a token for a signed-out account: never written back
    }
    const current = merged.msal[change.section]?.[change.key];
    if (sameEntry(current, change.after)) {
      const stored = theirs.msal[change.section]?.[change.key];
      if (!sameEntry(stored, change.after)) remaining.changes.set(id, change);
      else settled.changes.set(id, { section: change.section, key: change.key, after: change.after, stamp: stampOf(theirs, change.section, change.key), settledAt: now });
      continue;
    }
    const freshSignIn = change.after !== undefined && account !== undefined && signedInNow.has(account);
    if (!freshSignIn && !sameEntry(current, change.before)) {
      continue; // another window changed this entry since: theirs wins
    }
    const [count] = stampOf(merged, change.section, change.key);
    setEntry(merged, change.section, change.key, change.after, change.after ? [count + 1, writer] : [count + 1, writer, now]);
    remaining.changes.set(id, change);
  }

  for (const [id, change] of settled.changes) {
    const account = homeOf(change.after);
    const order = compareStamps(stampOf(merged, change.section, change.key), change.stamp);
    if ((account && merged.removed[account] !== undefined) || order > 0) {
      settled.changes.delete(id); // signed out since, or changed since by a newer write
    } else if (order < 0) {
      setEntry(merged, change.section, change.key, change.after, change.stamp); // undone by a stale write
    }
  }

  pruneTimes(merged.removed, now);
  pruneTimes(merged.added, now);
  pruneStamps(merged, now);
  return { merged, pending: remaining, settled };
}

function copySections<T>(sections: Record<string, Record<string, T>>): Record<string, Record<string, T>> {
  return Object.fromEntries(Object.entries(sections).map(([s, entries]) => [s, { ...entries }]));
}

function stampOf(document: CacheDocument, section: string, key: string): Stamp {
  return document.stamps[section]?.[key] ?? NO_STAMP;
}

function setEntry(document: CacheDocument, section: string, key: string, entry: Entry | undefined, stamp: Stamp): void {
  const entries = (document.msal[section] ??= {});
  if (entry) entries[key] = entry;
  else delete entries[key];
  (document.stamps[section] ??= {})[key] = stamp;
}

/** Drops stamps of entries deleted long ago, and of entries gone without one (signed-out accounts). */
function pruneStamps(document: CacheDocument, now: number): void {
  for (const [section, stamps] of Object.entries(document.stamps)) {
    for (const [key, [, , deletedAt]] of Object.entries(stamps)) {
      const gone = document.msal[section]?.[key] === undefined;
      if (gone && (deletedAt === undefined || now - deletedAt > STAMP_TTL_MS)) delete stamps[key];
    }
    if (Object.keys(stamps).length === 0) delete document.stamps[section];
  }
}

function holdsAccount(cache: MsalCache, homeAccountId: string): boolean {
  return Object.values(cache).some((entries) => Object.values(entries).some((e) => homeOf(e) === homeAccountId));
}

/** An account's entries go; its tombstone (`removed`) guards them, so their stamps go too (pruneStamps). */
function removeAccountEntries(document: CacheDocument, homeAccountId: string): void {
  for (const entries of Object.values(document.msal)) {
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
