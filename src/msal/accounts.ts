import type { AccountInfo } from "@azure/msal-node";
import type { Entry, MsalCache } from "../cache/cacheDocument";
import { MULTI_TENANT_ALIASES } from "../config/validate";
import { jwtClaims } from "./jwt";

/**
 * What people see for an account (Accounts menu, session label, pickers): its username. MSAL takes
 * that from `preferred_username`, which an OpenID Provider may leave out of the id token (a
 * certified one puts profile claims in userinfo only); then the `email` claim, the name, or last
 * the subject (`sub`, the homeAccountId), which is stable but rarely readable.
 */
export function accountLabel(account: { readonly homeAccountId: string; readonly username: string; readonly name?: string }, claims?: Readonly<Record<string, unknown>>): string {
  if (account.username) {
    return account.username;
  }
  const claim = (name: string): string | undefined => {
    const value = claims?.[name];
    return typeof value === "string" && value ? value : undefined;
  };
  return claim("email") ?? (account.name || claim("name")) ?? account.homeAccountId;
}

/** The account with its label as `username`, which is what the editor and other extensions show. */
export function labelled(account: AccountInfo): AccountInfo {
  return account.username ? account : { ...account, username: accountLabel(account, account.idTokenClaims) };
}

/**
 * MSAL lists an account once per tenant profile (home tenant and guest tenants), all with the same
 * `homeAccountId`. The Accounts menu and session ids want one entry per person.
 */
export function groupByHomeAccount(accounts: readonly AccountInfo[]): Map<string, AccountInfo> {
  const grouped = new Map<string, AccountInfo>();
  for (const account of accounts) {
    const current = grouped.get(account.homeAccountId);
    if (!current || (isHomeProfile(account) && !isHomeProfile(current))) {
      grouped.set(account.homeAccountId, account);
    }
  }
  return grouped;
}

function isHomeProfile(account: AccountInfo): boolean {
  return account.homeAccountId.endsWith(`.${account.tenantId}`);
}

/**
 * The profile to use for a request to `tenant`. MSAL looks tokens up by the account's tenant, not
 * the request's authority, so a tenant without a profile yet gets the home profile re-targeted.
 */
export function profileForTenant(profiles: readonly AccountInfo[], tenant: string | undefined): AccountInfo | undefined {
  const home = groupByHomeAccount(profiles).values().next().value;
  if (!home || !tenant || MULTI_TENANT_ALIASES.has(tenant.toLowerCase())) {
    return home;
  }
  return profiles.find((p) => p.tenantId.toLowerCase() === tenant.toLowerCase()) ?? { ...home, tenantId: tenant };
}

export interface AccountsChange {
  readonly added: AccountInfo[];
  readonly removed: AccountInfo[];
}

export function diffAccounts(before: ReadonlyMap<string, AccountInfo>, after: ReadonlyMap<string, AccountInfo>): AccountsChange {
  return {
    added: [...after.values()].filter((a) => !before.has(a.homeAccountId)),
    removed: [...before.values()].filter((a) => !after.has(a.homeAccountId)),
  };
}

/**
 * The accounts of a serialized cache of `clientId`, one per person as `groupByHomeAccount` makes
 * MSAL's list, with the id token of that profile, in one pass: MSAL's getAllAccounts matches every
 * account with every id token (about 25 ms at 100 accounts; bench/results/propagation-profile.json).
 * Also tells other windows' sign-ins and sign-outs without loading their cache into MSAL.
 */
export function accountsFromCache(cache: MsalCache, clientId: string): Map<string, AccountInfo> {
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  const profile = (entry: Entry) => `${text(entry.home_account_id)}|${text(entry.realm).toLowerCase()}`;
  const idTokens = new Map<string, string>();
  for (const entry of Object.values(cache.IdToken ?? {})) {
    if (text(entry.client_id).toLowerCase() === clientId.toLowerCase()) {
      idTokens.set(profile(entry), text(entry.secret));
    }
  }
  const accounts = Object.values(cache.Account ?? {}).map((entry): AccountInfo => {
    const idToken = idTokens.get(profile(entry)) || undefined;
    const account = {
      homeAccountId: text(entry.home_account_id),
      environment: text(entry.environment),
      tenantId: text(entry.realm),
      username: text(entry.username),
      localAccountId: text(entry.local_account_id),
      name: text(entry.name) || undefined,
      idToken,
    };
    return account.username ? account : { ...account, username: accountLabel(account, jwtClaims(idToken ?? "")) };
  });
  return groupByHomeAccount(accounts.filter((a) => a.homeAccountId));
}
