import { randomBytes, randomUUID } from "node:crypto";
import { PublicClientApplication } from "@azure/msal-node";
import { signInWithLoopback } from "../src/flows/loopbackFlow";
import { Logger, silentLog } from "../src/logging/logger";
import { CLIENT_ID, SCOPE } from "../test/support/clients";
import { TestSignal } from "../test/support/signal";
import type { FakeEntra } from "../test/fakeEntra";

/** Three resources: three access tokens per account (one token is for exactly one resource). */
export const BENCH_SCOPES = [SCOPE, "User.Read", "6f7c9a1e-0000-4000-8000-000000000002/.default"];
export const AUTHORITY = "https://login.microsoftonline.com/organizations";

type Entry = Record<string, unknown>;
type Serialized = Record<string, Record<string, Entry>>;

/** A PublicClientApplication configured like src/msal/clientConfig.ts for a loopback authority, with no cache plugin. */
export function barePca(fake: FakeEntra, cachePlugin?: import("@azure/msal-node").ICachePlugin): PublicClientApplication {
  return new PublicClientApplication({
    auth: { clientId: CLIENT_ID, authority: AUTHORITY, authorityMetadata: JSON.stringify(fake.openIdConfiguration("organizations")) },
    cache: cachePlugin ? { cachePlugin } : undefined,
  });
}

/** Interactive sign-in through MSAL's loopback listener, the fake playing the browser. */
export function loopbackSignIn(pca: PublicClientApplication, fake: FakeEntra, username: string, authority = AUTHORITY) {
  return signInWithLoopback(pca, authority, {
    scopes: [SCOPE],
    signal: new TestSignal(),
    log: new Logger(silentLog),
    openBrowser: async (url) => {
      void fake.completeAuthorize(url, { username }).catch(() => undefined);
    },
  });
}

/** One real account (interactive sign-in + two refresh grants = three access tokens), serialized. */
export async function realTemplate(fake: FakeEntra, username: string): Promise<{ cache: Serialized; homeAccountId: string }> {
  const pca = barePca(fake);
  const result = await loopbackSignIn(pca, fake, username);
  const account = result.account!;
  for (const scope of BENCH_SCOPES.slice(1)) {
    await pca.acquireTokenSilent({ account, scopes: [scope], authority: AUTHORITY });
  }
  return { cache: JSON.parse(pca.getTokenCache().serialize()) as Serialized, homeAccountId: account.homeAccountId };
}

export interface SyntheticCache {
  /** MSAL's serialized cache with `accounts` accounts. */
  readonly json: string;
  readonly homeAccountIds: string[];
  readonly bytes: number;
}

/**
 * A cache of `count` accounts: the real template account plus clones with new object ids, user
 * names, keys, id-token claims, client_info and refresh tokens (consistent with MSAL's key format,
 * because every occurrence of the object id and user name is rewritten, in keys and values alike).
 * Clones' refresh tokens are unknown to the fake: only the real account can refresh.
 */
export function synthesize(template: { cache: Serialized; homeAccountId: string }, count: number): SyntheticCache {
  const [oid, tid] = template.homeAccountId.split(".") as [string, string];
  const templateUser = Object.values(template.cache.Account ?? {})[0]?.username as string;
  const nowSec = Math.floor(Date.now() / 1000);
  const out: Serialized = {};
  const homes: string[] = [];
  const add = (section: string, key: string, entry: Entry): void => {
    (out[section] ??= {})[key] = entry;
  };
  for (const [section, entries] of Object.entries(template.cache)) {
    for (const [key, entry] of Object.entries(entries)) {
      add(section, key, section === "AccessToken" ? freshen(entry, nowSec) : entry);
    }
  }
  homes.push(template.homeAccountId);
  for (let i = 1; i < count; i++) {
    const newOid = randomUUID();
    const newUser = `user${String(i).padStart(5, "0")}@contoso.test`;
    const rewrite = (s: string): string => s.split(oid).join(newOid).split(templateUser).join(newUser);
    for (const [section, entries] of Object.entries(template.cache)) {
      if (section === "AppMetadata") continue; // one per client, shared
      for (const [key, entry] of Object.entries(entries)) {
        const e: Entry = { ...entry };
        if (typeof e.secret === "string") {
          e.secret = section === "RefreshToken" ? `1.AFake.${randomBytes(48).toString("base64url")}` : rewriteJwt(e.secret, rewrite, nowSec);
        }
        if (typeof e.client_info === "string") {
          e.client_info = Buffer.from(rewrite(Buffer.from(e.client_info, "base64url").toString("utf8"))).toString("base64url");
        }
        const cloned = JSON.parse(rewrite(JSON.stringify(e))) as Entry;
        add(section, rewrite(key), section === "AccessToken" ? freshen(cloned, nowSec) : cloned);
      }
    }
    homes.push(`${newOid}.${tid}`);
  }
  const json = JSON.stringify(out);
  return { json, homeAccountIds: homes, bytes: Buffer.byteLength(json) };
}

/** Access tokens valid for a day, whatever lifetime the fake gave them. */
function freshen(entry: Entry, nowSec: number): Entry {
  return { ...entry, cached_at: String(nowSec), expires_on: String(nowSec + 86_400), extended_expires_on: String(nowSec + 86_400) };
}

/** New subject in a JWT's claims, valid for a day (signature left as is: MSAL does not check cached tokens). */
function rewriteJwt(token: string, rewrite: (s: string) => string, nowSec: number): string {
  const parts = token.split(".");
  if (parts.length !== 3) return token;
  const claims = JSON.parse(rewrite(Buffer.from(parts[1]!, "base64url").toString("utf8"))) as Record<string, unknown>;
  if (typeof claims.exp === "number") claims.exp = nowSec + 86_400;
  return `${parts[0]}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${parts[2]}`;
}

/** Keeps only the first `count` accounts of a synthesized cache (same entries, smaller cache). */
export function subset(full: Serialized, homes: string[], count: number): SyntheticCache {
  const keep = new Set(homes.slice(0, count));
  const out: Serialized = {};
  for (const [section, entries] of Object.entries(full)) {
    out[section] = {};
    for (const [key, entry] of Object.entries(entries)) {
      const home = entry.home_account_id as string | undefined;
      if (home === undefined || keep.has(home)) out[section]![key] = entry;
    }
  }
  const json = JSON.stringify(out);
  return { json, homeAccountIds: homes.slice(0, count), bytes: Buffer.byteLength(json) };
}
