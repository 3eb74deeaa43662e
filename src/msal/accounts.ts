import type { AccountInfo } from "@azure/msal-node";
import type { MsalCache } from "../cache/cacheDocument";
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
 * The accounts of a serialized cache, without loading it into MSAL: enough to tell other windows'
 * sign-ins and sign-outs at once, while MSAL loads the cache only when a token is next needed.
 */
export function accountsFromCache(cache: MsalCache): Map<string, AccountInfo> {
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  // Id tokens by account, read only for accounts without a username (the label's claims).
  const idTokens = new Map(Object.values(cache.IdToken ?? {}).map((entry) => [text(entry.home_account_id), text(entry.secret)]));
  const accounts = Object.values(cache.Account ?? {}).map((entry): AccountInfo => {
    const account = {
      homeAccountId: text(entry.home_account_id),
      environment: text(entry.environment),
      tenantId: text(entry.realm),
      username: text(entry.username),
      localAccountId: text(entry.local_account_id),
      name: text(entry.name) || undefined,
    };
    return account.username ? account : { ...account, username: accountLabel(account, jwtClaims(idTokens.get(account.homeAccountId) ?? "")) };
  });
  return groupByHomeAccount(accounts.filter((a) => a.homeAccountId));
}
