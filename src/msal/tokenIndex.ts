import type { Entry, MsalCache } from "../cache/cacheDocument";
import type { Protocol } from "../config/authority";
import { accountLabel } from "./accounts";
import { expiryOf, jwtClaims } from "./jwt";

/** What a silent token request returns, from MSAL or straight from the index. */
export interface TokenResult {
  readonly accessToken: string;
  readonly idToken?: string;
  readonly account: { readonly homeAccountId: string; readonly username: string };
  readonly tenantId: string;
  /** Epoch milliseconds. */
  readonly expiresOn: number;
  readonly fromCache: boolean;
}

/**
 * Tokens are handed out only while they have this long left, as MSAL does for access tokens
 * (its default renewal offset) and VS Code's built-in provider does for id tokens.
 */
export const RENEWAL_MARGIN_MS = 5 * 60 * 1000;
const OIDC_SCOPES = new Set(["openid", "profile", "offline_access", "email"]);

interface IndexedToken {
  readonly secret: string;
  readonly scopes: ReadonlySet<string>;
  readonly expiresOn: number;
  readonly refreshOn?: number;
}

/**
 * The access tokens of one client's cache, indexed by account and tenant, so that a silent request
 * that the cache can answer costs a map lookup and a scan of that account's few tokens, however
 * many accounts the cache holds. Anything it cannot answer with certainty goes to MSAL.
 */
export class TokenIndex {
  private readonly tokens = new Map<string, IndexedToken[]>();
  private readonly idTokens = new Map<string, { secret: string; expiresOn: number }>();
  /** Per account: its label, and its realm where the homeAccountId does not tell it (OpenID Providers). */
  private readonly accounts = new Map<string, { label: string; realm: string }>();

  constructor(
    cache: MsalCache,
    clientId: string,
    private readonly protocol: Protocol = "entra",
  ) {
    const client = clientId.toLowerCase();
    const claims = new Map<string, Record<string, unknown> | undefined>();
    for (const entry of Object.values(cache.IdToken ?? {})) {
      if (text(entry, "client_id").toLowerCase() === client) {
        const secret = text(entry, "secret");
        const payload = jwtClaims(secret);
        this.idTokens.set(slot(entry), { secret, expiresOn: expiryOf(payload) });
        claims.set(text(entry, "home_account_id"), payload);
      }
    }
    for (const entry of Object.values(cache.Account ?? {})) {
      const homeAccountId = text(entry, "home_account_id");
      const label = accountLabel({ homeAccountId, username: text(entry, "username"), name: text(entry, "name") }, claims.get(homeAccountId));
      this.accounts.set(homeAccountId, { label, realm: text(entry, "realm").toLowerCase() });
    }
    for (const entry of Object.values(cache.AccessToken ?? {})) {
      // Only plain bearer tokens of this client; PoP and other schemes stay with MSAL.
      if (text(entry, "credential_type") !== "AccessToken" || text(entry, "client_id").toLowerCase() !== client) continue;
      if ((text(entry, "token_type") || "Bearer").toLowerCase() !== "bearer") continue;
      const list = this.tokens.get(slot(entry)) ?? [];
      list.push({
        secret: text(entry, "secret"),
        scopes: new Set(text(entry, "target").toLowerCase().split(" ").filter(Boolean)),
        expiresOn: Number(text(entry, "expires_on")) * 1000,
        refreshOn: entry.refresh_on === undefined ? undefined : Number(entry.refresh_on) * 1000,
      });
      this.tokens.set(slot(entry), list);
    }
  }

  /**
   * A token for `scopes` with at least the renewal margin left, and an id token that is still
   * good, or undefined. `tenantId` must be a tenant id (GUID) or undefined for the home tenant.
   */
  lookup(homeAccountId: string, tenantId: string | undefined, scopes: readonly string[], now: number): TokenResult | undefined {
    const realm = tenantId?.toLowerCase() ?? this.homeRealm(homeAccountId);
    const key = `${homeAccountId}|${realm}`;
    const wanted = scopes.map((s) => s.toLowerCase()).filter((s) => !OIDC_SCOPES.has(s));
    const idToken = this.idTokens.get(key);
    if (!idToken || idToken.expiresOn - now <= RENEWAL_MARGIN_MS) {
      return undefined;
    }
    for (const token of this.tokens.get(key) ?? []) {
      if (token.expiresOn - now > RENEWAL_MARGIN_MS && (token.refreshOn === undefined || token.refreshOn > now) && wanted.every((s) => token.scopes.has(s))) {
        return {
          accessToken: token.secret,
          idToken: idToken.secret,
          account: { homeAccountId, username: this.accounts.get(homeAccountId)?.label ?? "" },
          tenantId: realm,
          expiresOn: token.expiresOn,
          fromCache: true,
        };
      }
    }
    return undefined;
  }

  /**
   * Entra: the home tenant is the second part of the homeAccountId ("<oid>.<tid>"). An OpenID
   * Provider's homeAccountId is its `sub`, which may hold dots; its account entry has the realm
   * (empty, or a `tid` claim).
   */
  private homeRealm(homeAccountId: string): string {
    if (this.protocol === "oidc") {
      return this.accounts.get(homeAccountId)?.realm ?? "";
    }
    return homeAccountId.slice(homeAccountId.indexOf(".") + 1).toLowerCase();
  }
}

function slot(entry: Entry): string {
  return `${text(entry, "home_account_id")}|${text(entry, "realm").toLowerCase()}`;
}

function text(entry: Entry, field: string): string {
  const value = entry[field];
  return typeof value === "string" ? value : "";
}
