import { createHash } from "crypto";
import fc from "fast-check";
import { decode } from "../../src/cache/storedFormat";
import { describeError } from "../../src/logging/logger";
import { AccountNotFoundError, ReauthRequiredError } from "../../src/msal/msalClient";
import { FakeUser } from "../fakeEntra";
import { SCOPE } from "../support/clients";
import { ModelWindow, World, WorldOptions } from "./windows";

/** A second resource: its first silent request redeems the refresh token without forceRefresh. */
export const OTHER_SCOPE = "6f7c9a1e-0000-4000-8000-000000000002/.default";
const SCOPES = [SCOPE, OTHER_SCOPE];

// ---- Commands ------------------------------------------------------------------------------------

/** `w` picks an open window: windows[w % open]. `u` picks a user. */
export type TokenCommand =
  | { readonly kind: "signIn"; readonly w: number; readonly u: number }
  | { readonly kind: "silent"; readonly w: number; readonly u: number; readonly scope: number }
  | { readonly kind: "refresh"; readonly w: number; readonly u: number }
  | { readonly kind: "signOut"; readonly w: number; readonly u: number };
export type WindowCommand = { readonly kind: "reload"; readonly w: number } | { readonly kind: "close"; readonly w: number } | { readonly kind: "open" };
/** One command awaited before the next, or a batch run at once (Promise.all). */
export type Step = TokenCommand | WindowCommand | { readonly kind: "batch"; readonly commands: readonly TokenCommand[] };

export interface Schedule {
  /** Seeds the PRNG of the storage model (latencies, event delays). */
  readonly seed: number;
  readonly windows: number;
  readonly steps: readonly Step[];
}

export function scheduleArbitrary(users: number, maxSteps = 8): fc.Arbitrary<Schedule> {
  const w = fc.nat(3);
  const u = fc.nat(users - 1);
  const signIn = fc.record({ kind: fc.constant("signIn" as const), w, u });
  const silent = fc.record({ kind: fc.constant("silent" as const), w, u, scope: fc.nat(1) });
  const refresh = fc.record({ kind: fc.constant("refresh" as const), w, u });
  const signOut = fc.record({ kind: fc.constant("signOut" as const), w, u });
  const token: fc.Arbitrary<TokenCommand> = fc.oneof({ arbitrary: signIn, weight: 3 }, { arbitrary: silent, weight: 2 }, { arbitrary: refresh, weight: 2 }, { arbitrary: signOut, weight: 2 });
  const windowCommand: fc.Arbitrary<WindowCommand> = fc.oneof(
    fc.record({ kind: fc.constant("reload" as const), w }),
    fc.record({ kind: fc.constant("close" as const), w }),
    fc.record({ kind: fc.constant("open" as const) }),
  );
  // Races on one account in two windows: where last-writer-wins loses.
  const race: fc.Arbitrary<Step> = fc
    .record({
      u,
      w1: w,
      w2: w,
      pair: fc.constantFrom("refresh+refresh", "signOut+refresh", "signOut+silent", "signIn+refresh", "signIn+signIn", "signOut+signOut"),
    })
    .map(({ u, w1, w2, pair }) => {
      const [a, b] = pair.split("+") as ("signIn" | "refresh" | "signOut" | "silent")[];
      const make = (kind: typeof a, w: number): TokenCommand => (kind === "silent" ? { kind, w, u, scope: 1 } : { kind, w, u });
      return { kind: "batch" as const, commands: [make(a, w1), make(b, w2)] };
    });
  const batch: fc.Arbitrary<Step> = fc.array(token, { minLength: 2, maxLength: 3 }).map((commands) => ({ kind: "batch" as const, commands: wellDefined(commands) }));
  const step: fc.Arbitrary<Step> = fc.oneof(
    { arbitrary: token, weight: 8 },
    { arbitrary: windowCommand, weight: 2 },
    { arbitrary: race, weight: 2 },
    { arbitrary: batch, weight: 1 },
  );
  // Most schedules start with a few accounts signed in, so that later commands and races meet them.
  const prefix = fc.array(signIn, { minLength: 0, maxLength: users });
  return fc
    .record({ seed: fc.integer(), windows: fc.integer({ min: 1, max: 3 }), prefix, steps: fc.array(step, { minLength: 1, maxLength: maxSteps }) })
    .map(({ seed, windows, prefix, steps }) => ({ seed, windows, steps: [...prefix, ...steps] }));
}

/** A batch never signs the same user in and out at once (its expected result would depend on the order). */
function wellDefined(commands: TokenCommand[]): TokenCommand[] {
  const signingIn = new Set(commands.filter((c) => c.kind === "signIn").map((c) => c.u));
  return commands.filter((c) => !(c.kind === "signOut" && signingIn.has(c.u)));
}

export function describeSchedule(schedule: Schedule, users: readonly FakeUser[]): string {
  const name = (u: number) => users[u]!.username.split("@")[0];
  const one = (c: TokenCommand | WindowCommand): string => {
    switch (c.kind) {
      case "open":
        return "open";
      case "reload":
      case "close":
        return `${c.kind}(w${c.w})`;
      case "silent":
        return `silent(w${c.w}, ${name(c.u)}, scope${c.scope})`;
      default:
        return `${c.kind}(w${c.w}, ${name(c.u)})`;
    }
  };
  const steps = schedule.steps.map((s) => (s.kind === "batch" ? `[ ${s.commands.map(one).join(" || ")} ]` : one(s)));
  return `seed ${schedule.seed}, ${schedule.windows} window(s): ${steps.join("; ")}`;
}

// ---- Running one schedule and checking it --------------------------------------------------------

export type ViolationKind =
  | "lost sign-in"
  | "resurrected account"
  | "windows disagree"
  | "dead refresh token"
  | "stored secret differs"
  | "command failed";

export interface Violation {
  readonly kind: ViolationKind;
  readonly detail: string;
}

export interface RunReport {
  readonly violations: Violation[];
  /** What each command did, and what the store saw. */
  readonly trace: string[];
  readonly storeTrace: string[];
  readonly logs: string;
  readonly ms: number;
}

export interface RunOptions extends Omit<WorldOptions, "seed"> {
  readonly users: readonly FakeUser[];
  /** Bounds a whole schedule (a hung request must fail the run, not the suite). */
  readonly timeoutMs?: number;
}

const homeId = (user: FakeUser) => `${user.oid}.${user.tid}`;

/** What a stored value holds, for the trace: accounts, refresh-token fingerprints, sign-out/in times. */
export function describeStored(value: string | undefined, users: readonly FakeUser[]): string {
  if (value === undefined) return "{}";
  let document: { msal: Record<string, Record<string, Record<string, unknown>>>; removed: Record<string, number>; added: Record<string, number> };
  const decoded = decode(value);
  if (decoded.ok) {
    document = decoded.document as typeof document;
  } else {
    try {
      document = { msal: JSON.parse(value) as typeof document.msal, removed: {}, added: {} };
    } catch {
      return "(undecodable)";
    }
  }
  const name = (home: unknown) => users.find((u) => homeId(u) === home)?.username.split("@")[0] ?? String(home).slice(0, 8);
  const parts = users.map((u) => {
    const id = homeId(u);
    const account = Object.values(document.msal.Account ?? {}).some((a) => a.home_account_id === id);
    const rts = Object.values(document.msal.RefreshToken ?? {}).filter((t) => t.home_account_id === id).map((t) => fingerprint(String(t.secret)));
    const marks = [document.removed[id] !== undefined ? `out@${document.removed[id] % 100000}` : "", document.added[id] !== undefined ? `in@${document.added[id] % 100000}` : ""].filter(Boolean);
    if (!account && rts.length === 0 && marks.length === 0) return "";
    return `${name(id)}${account ? "" : "(no account)"}${rts.length ? ` rt=${rts.join("/")}` : ""}${marks.length ? ` ${marks.join(" ")}` : ""}`;
  });
  return `{${parts.filter(Boolean).join("; ")}}`;
}

/** An error in one line (MSAL's server errors run over several). */
function brief(err: unknown): string {
  const text = describeError(err).split("\n")[0]!;
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function fingerprint(secret: string): string {
  return createHash("sha256").update(secret).digest("hex").slice(0, 6);
}

export async function runSchedule(schedule: Schedule, options: RunOptions): Promise<RunReport> {
  const started = Date.now();
  const world = new World({ ...options, seed: schedule.seed, storage: { ...options.storage, describe: (v) => describeStored(v, options.users) } });
  const trace: string[] = [];
  const violations: Violation[] = [];
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      execute(world, schedule, options.users, trace, violations),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the schedule did not finish within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    violations.push({ kind: "command failed", detail: `the run failed: ${brief(err)}` });
  } finally {
    clearTimeout(timer);
    world.dispose();
  }
  return { violations, trace, storeTrace: world.storage.trace, logs: world.logs(), ms: Date.now() - started };
}

async function execute(world: World, schedule: Schedule, users: readonly FakeUser[], trace: string[], violations: Violation[]): Promise<void> {
  const expected = new Set<number>();
  const everSignedOut = new Set<number>();
  const note = (line: string) => {
    trace.push(line);
    world.storage.mark(line);
  };
  for (let i = 0; i < schedule.windows; i++) world.open();
  note(`open ${world.windows.map((w) => w.name).join(", ")}`);

  const pick = (w: number): ModelWindow => {
    if (world.windows.length === 0) {
      const opened = world.open();
      note(`open ${opened.name} (no window was open)`);
    }
    return world.windows[w % world.windows.length]!;
  };

  const run = async (command: TokenCommand, window: ModelWindow, before: ReadonlySet<number>, signOutsInBatch: ReadonlySet<number>): Promise<() => void> => {
    const user = users[command.u]!;
    const label = `${window.name} ${command.kind} ${user.username.split("@")[0]}${command.kind === "silent" ? ` scope${command.scope}` : ""}`;
    world.storage.mark(`${label} ...`);
    let outcome = `${label} ended`;
    const done = (line: string) => {
      outcome = line;
      trace.push(line);
    };
    try {
      switch (command.kind) {
        case "signIn": {
          await world.signIn(window, user.username);
          done(`${label} -> ok`);
          return () => expected.add(command.u);
        }
        case "signOut": {
          const removed = await window.client.removeAccount(homeId(user));
          done(`${label} -> ${removed ? "removed" : "not listed in this window"}`);
          return () => {
            if (removed) {
              expected.delete(command.u);
              everSignedOut.add(command.u);
            }
          };
        }
        case "silent":
        case "refresh": {
          const result = await window.client.acquireTokenSilent(homeId(user), [SCOPES[command.kind === "silent" ? command.scope : 0]!], undefined, command.kind === "refresh");
          done(`${label} -> ok${result.fromCache ? " (cache)" : " (refreshed)"}`);
          return () => undefined;
        }
      }
    } catch (err) {
      if (err instanceof AccountNotFoundError) {
        done(`${label} -> not listed in this window`);
      } else if (err instanceof ReauthRequiredError) {
        done(`${label} -> REAUTH REQUIRED: ${brief(err)}`);
        if (before.has(command.u) && !signOutsInBatch.has(command.u)) {
          violations.push({ kind: "dead refresh token", detail: `${label}: the refresh token of a signed-in account was rejected and the account removed (${brief(err)})` });
        }
      } else {
        done(`${label} -> FAILED: ${brief(err)}`);
        violations.push({ kind: "command failed", detail: `${label}: ${brief(err)}` });
      }
      return () => undefined;
    } finally {
      world.storage.mark(outcome);
    }
  };

  for (const step of schedule.steps) {
    const before = new Set(expected);
    switch (step.kind) {
      case "open": {
        const opened = world.open();
        note(`open ${opened.name}`);
        break;
      }
      case "close": {
        const window = pick(step.w);
        await world.close(window);
        note(`close ${window.name}`);
        break;
      }
      case "reload": {
        const window = pick(step.w);
        const fresh = await world.reload(window);
        note(`reload ${window.name} -> ${fresh.name}`);
        break;
      }
      case "batch": {
        const windows = step.commands.map((c) => pick(c.w));
        const signOuts = new Set(step.commands.filter((c) => c.kind === "signOut").map((c) => c.u));
        note(`batch of ${step.commands.length}:`);
        const effects = await Promise.all(step.commands.map((c, i) => run(c, windows[i]!, before, signOuts)));
        for (const effect of effects) effect();
        break;
      }
      default: {
        const effect = await run(step, pick(step.w), before, new Set());
        effect();
      }
    }
  }

  // ---- settle, then check ----
  world.storage.mark("settling");
  await world.settle();
  const checker = world.open();
  note(`settled; opened ${checker.name} to check`);
  const expectedNames = [...expected].map((u) => users[u]!.username).sort();
  await checkAgreement(world, expectedNames, everSignedOut, users, violations, "after settling");
  checkStored(world, expectedNames, users, violations);

  // Every signed-in account still gets a token silently in every window, and its refresh token lives.
  for (const u of expected) {
    const user = users[u]!;
    for (const window of world.windows) {
      try {
        await window.client.acquireTokenSilent(homeId(user), [SCOPE]);
      } catch (err) {
        violations.push({ kind: err instanceof ReauthRequiredError ? "dead refresh token" : "lost sign-in", detail: `${window.name} could not get a token silently for ${user.username}: ${brief(err)}` });
      }
    }
    try {
      await world.windows[0]!.client.acquireTokenSilent(homeId(user), [SCOPE], undefined, true);
    } catch (err) {
      violations.push({ kind: err instanceof ReauthRequiredError ? "dead refresh token" : "lost sign-in", detail: `${world.windows[0]!.name} could not refresh the token of ${user.username}: ${brief(err)}` });
    }
  }
  world.storage.mark("checked silent tokens and the final refresh");
  if (expected.size > 0) {
    // The refresh rotated a token: every window must take it up and keep every account.
    await world.settle();
    await checkAgreement(world, expectedNames, everSignedOut, users, violations, "after the final refresh");
  }
}

async function checkAgreement(world: World, expectedNames: string[], everSignedOut: ReadonlySet<number>, users: readonly FakeUser[], violations: Violation[], when: string): Promise<void> {
  const listed = await Promise.all(world.windows.map(async (w) => ({ name: w.name, accounts: (await w.client.accounts()).map((a) => a.username).sort() })));
  const distinct = new Set(listed.map((l) => l.accounts.join(",")));
  if (distinct.size > 1) {
    violations.push({ kind: "windows disagree", detail: `${when}: ${listed.map((l) => `${l.name}=[${l.accounts.join(", ")}]`).join(" ")}` });
  }
  const want = new Set(expectedNames);
  const reported = new Set<string>();
  for (const { name, accounts } of listed) {
    for (const missing of expectedNames.filter((n) => !accounts.includes(n))) {
      if (reported.has(`-${missing}`)) continue;
      reported.add(`-${missing}`);
      violations.push({ kind: "lost sign-in", detail: `${when}: ${missing} is signed in but ${name} does not list it (expected [${expectedNames.join(", ")}])` });
    }
    for (const extra of accounts.filter((n) => !want.has(n))) {
      if (reported.has(`+${extra}`)) continue;
      reported.add(`+${extra}`);
      const u = users.findIndex((x) => x.username === extra);
      violations.push({
        kind: everSignedOut.has(u) ? "resurrected account" : "command failed",
        detail: `${when}: ${name} lists ${extra}, which ${everSignedOut.has(u) ? "was signed out" : "was never signed in"} (expected [${expectedNames.join(", ")}])`,
      });
    }
  }
}

/** The secret itself holds exactly the expected accounts (ours: the versioned document; baseline: MSAL's JSON). */
function checkStored(world: World, expectedNames: string[], _users: readonly FakeUser[], violations: Violation[]): void {
  const text = [...world.storage.values.entries()].find(([k]) => k.startsWith("msal.cache:"))?.[1];
  let msal: Record<string, Record<string, { username?: string }>> = {};
  if (text !== undefined) {
    const decoded = decode(text);
    if (decoded.ok) {
      msal = decoded.document.msal as typeof msal;
    } else {
      try {
        msal = JSON.parse(text) as typeof msal; // the baseline stores MSAL's own JSON
      } catch {
        violations.push({ kind: "stored secret differs", detail: `the stored secret does not decode: ${decoded.reason}` });
        return;
      }
    }
  }
  const stored = [...new Set(Object.values(msal.Account ?? {}).map((a) => String(a.username)))].sort();
  if (stored.join(",") !== expectedNames.join(",")) {
    violations.push({ kind: "stored secret differs", detail: `the stored secret holds [${stored.join(", ")}], expected [${expectedNames.join(", ")}]` });
  }
}
