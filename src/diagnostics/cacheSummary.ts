import { Entry, MsalCache } from "../cache/cacheDocument";

export interface AccountSummary {
  readonly username: string;
  readonly homeAccountId: string;
  /** Tenants the account has a profile in (home first). */
  readonly tenants: string[];
  readonly refreshTokens: number;
  readonly accessTokens: number;
  readonly idTokens: number;
}

/** What a cache holds per account: names and counts only, never a secret. */
export function summarizeCache(cache: MsalCache): AccountSummary[] {
  const accounts = new Map<string, { username: string; tenants: string[] }>();
  for (const entry of Object.values(cache.Account ?? {})) {
    const id = text(entry, "home_account_id");
    const current = accounts.get(id) ?? { username: text(entry, "username"), tenants: [] };
    // MSAL 7 keeps one entry per account with its tenant profiles; older caches one entry per tenant.
    for (const tenant of [text(entry, "realm"), ...profileTenants(entry)]) {
      if (!tenant || current.tenants.includes(tenant)) continue;
      // The home tenant is the tenant part of the homeAccountId; list it first.
      current.tenants = id.endsWith(`.${tenant}`) ? [tenant, ...current.tenants] : [...current.tenants, tenant];
    }
    accounts.set(id, current);
  }
  const count = (section: string, id: string) => Object.values(cache[section] ?? {}).filter((e) => text(e, "home_account_id") === id).length;
  return [...accounts].map(([homeAccountId, { username, tenants }]) => ({
    username,
    homeAccountId,
    tenants,
    refreshTokens: count("RefreshToken", homeAccountId),
    accessTokens: count("AccessToken", homeAccountId),
    idTokens: count("IdToken", homeAccountId),
  }));
}

function profileTenants(entry: Entry): string[] {
  const profiles = Array.isArray(entry.tenantProfiles) ? entry.tenantProfiles : [];
  return profiles.flatMap((profile: unknown) => {
    try {
      const parsed = (typeof profile === "string" ? JSON.parse(profile) : profile) as { tenantId?: unknown };
      return typeof parsed.tenantId === "string" ? [parsed.tenantId] : [];
    } catch {
      return [];
    }
  });
}

function text(entry: Entry, field: string): string {
  const value = entry[field];
  return typeof value === "string" ? value : "";
}

/** Every tenant each account holds a profile in, over several caches (home tenant first). */
export function tenantsByAccount(caches: readonly MsalCache[]): Map<string, string[]> {
  const tenants = new Map<string, string[]>();
  for (const cache of caches) {
    for (const summary of summarizeCache(cache)) {
      tenants.set(summary.homeAccountId, [...new Set([...(tenants.get(summary.homeAccountId) ?? []), ...summary.tenants])]);
    }
  }
  return tenants;
}

/** An account's tenants from `tenantsByAccount`, else its own; none for an OpenID Provider's account (empty realm). */
export function accountTenants(tenants: ReadonlyMap<string, string[]>, account: { readonly homeAccountId: string; readonly tenantId: string }): string[] {
  return (tenants.get(account.homeAccountId) ?? [account.tenantId]).filter(Boolean);
}
