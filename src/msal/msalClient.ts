import type { Agent as HttpsAgent } from "https";
import type { AccountInfo, AuthenticationResult, PublicClientApplication } from "@azure/msal-node";
import { AuthorityTarget, requestAuthority } from "../config/authority";
import { CachePluginFactory, CachePluginOptions, CacheStatistics, SecretCachePlugin, SharedCachePlugin } from "../cache/secretCachePlugin";
import { cacheKey, SecretStore } from "../cache/secretStore";
import { describeError, LogSink } from "../logging/logger";
import { Emitter } from "../util/emitter";
import { SerialQueue } from "../util/serialQueue";
import { accountLabel, AccountsChange, accountsFromCache, diffAccounts, groupByHomeAccount, labelled, profileForTenant } from "./accounts";
import { buildConfiguration, MetadataFetcher } from "./clientConfig";
import { classifyError, mayBeRotatedElsewhere } from "./errors";
import { RENEWAL_MARGIN_MS, TokenIndex, TokenResult } from "./tokenIndex";
import { isTenantId, MULTI_TENANT_ALIASES } from "../config/validate";
import { Backoff } from "../network/backoff";
import { HttpClient } from "../network/httpClient";
import { NO_PROXY_SETTINGS, ProxyAgents, ProxySettings } from "../network/proxy";

export interface MsalClientOptions {
  readonly clientId: string;
  readonly target: AuthorityTarget;
  /** Tenant used when a request names none (the `msal.tenant` setting). */
  readonly defaultTenant: string;
  readonly store: SecretStore;
  readonly log: LogSink;
  readonly onStorageProblem?: (message: string) => void;
  readonly fetchMetadata?: MetadataFetcher;
  /** Options of the cache plugin (time-outs, clock), for tests. */
  readonly cache?: Omit<CachePluginOptions, "onStorageProblem">;
  /** Back-off state shared by the window's clients; a fresh one when omitted. */
  readonly backoff?: Backoff;
  /** Time-out of one request to the identity provider. */
  readonly requestTimeoutMs?: number;
  /** The editor's proxy settings, read when a request is made. */
  readonly proxy?: () => ProxySettings;
  /** Agent of https requests sent without a proxy (tests trust a local provider's certificate with it). */
  readonly httpsAgent?: HttpsAgent;
  /** Another cache strategy (tests compare ours with a last-writer-wins baseline). */
  readonly createCachePlugin?: CachePluginFactory;
  /** Report the accounts of the first listing as added (a client first seen through another window). */
  readonly reportInitialAccounts?: boolean;
}

/**
 * How long a window whose refresh was rejected waits for another window's rotated refresh token
 * before it signs the account out: that window's write follows its token response by a storage
 * read and write (tens of milliseconds on desktop), so two seconds leaves ample room.
 */
const ROTATION_WAIT_MS = 2000;
/** Rounds of "another window rotated it, try its token" before a rejection counts. */
const MAX_ROTATION_ROUNDS = 4;

/** An interactive way to get a token (loopback browser, device code), given MSAL and the authority. */
export type SignInFlow = (pca: PublicClientApplication, authority: string) => Promise<AuthenticationResult>;

export class AccountNotFoundError extends Error {
  constructor(homeAccountId: string) {
    super(`The account ${homeAccountId} is not signed in.`);
    this.name = "AccountNotFoundError";
  }
}

/** The account's refresh token was rejected; the account was signed out and must sign in again. */
export class ReauthRequiredError extends Error {
  constructor(readonly username: string, cause: unknown) {
    super(`The sign-in of ${username} is no longer valid (${describeError(cause)}). Sign in again from the Accounts menu.`);
    this.name = "ReauthRequiredError";
  }
}

/**
 * One MSAL public client (a client id at one identity provider) with its cache in one secret.
 * Every MSAL call goes through one queue; account changes, ours or another window's, are reported
 * through `onDidChangeAccounts`.
 */
export class MsalClient {
  readonly key: string;
  private readonly plugin: SharedCachePlugin;
  private readonly queue = new SerialQueue();
  private readonly changes = new Emitter<AccountsChange>();
  readonly onDidChangeAccounts = this.changes.event;
  private pca: Promise<PublicClientApplication> | undefined;
  private index: { version: number; index: TokenIndex } | undefined;
  private known: Map<string, AccountInfo> | undefined;

  constructor(private readonly options: MsalClientOptions) {
    this.key = cacheKey(options.clientId, options.target.key);
    const create = options.createCachePlugin ?? ((store, key, log, pluginOptions) => new SecretCachePlugin(store, key, log, pluginOptions));
    this.plugin = create(options.store, this.key, options.log, { ...options.cache, onStorageProblem: options.onStorageProblem });
    this.known = options.reportInitialAccounts ? new Map() : undefined;
  }

  get clientId(): string {
    return this.options.clientId;
  }

  authorityFor(tenant: string | undefined): string {
    return requestAuthority(this.options.target, tenant ?? this.options.defaultTenant);
  }

  /** One entry per person (home profile preferred). Reads memory only, once the cache is loaded. */
  accounts(): Promise<AccountInfo[]> {
    return this.queue.run(async () => [...(await this.refreshAccounts()).values()]);
  }

  /**
   * A token for the account, from memory when the cache has a good one (no MSAL call, no queue, no
   * storage), else from MSAL: its cache, or a refresh. Never hands out a token or id token within
   * five minutes of expiry. With `claims` (a claims challenge, JSON), MSAL skips its cached token
   * and refreshes with the claims; the new token then replaces the cached one.
   */
  acquireTokenSilent(homeAccountId: string, scopes: string[], tenant?: string, forceRefresh = false, claims?: string): Promise<TokenResult> {
    if (!forceRefresh && claims === undefined) {
      const hit = this.fromIndex(homeAccountId, scopes, tenant);
      if (hit) {
        return Promise.resolve(hit);
      }
    }
    return this.queue.run(() => this.silentFromMsal(homeAccountId, scopes, tenant, forceRefresh, claims));
  }

  private fromIndex(homeAccountId: string, scopes: string[], tenant: string | undefined): TokenResult | undefined {
    const view = this.plugin.cacheView?.();
    if (!view || (tenant !== undefined && !MULTI_TENANT_ALIASES.has(tenant.toLowerCase()) && !isTenantId(tenant))) {
      return undefined; // MSAL's memory is behind storage, or a tenant named by domain: let MSAL resolve it
    }
    if (this.index?.version !== view.version) {
      this.index = { version: view.version, index: new TokenIndex(view.cache, this.options.clientId, this.options.target.protocol) };
    }
    const tenantId = tenant === undefined || MULTI_TENANT_ALIASES.has(tenant.toLowerCase()) ? undefined : tenant;
    return this.index.index.lookup(homeAccountId, tenantId, scopes, Date.now());
  }

  private async silentFromMsal(homeAccountId: string, scopes: string[], tenant: string | undefined, forceRefresh: boolean, claims: string | undefined): Promise<TokenResult> {
    const pca = await this.client();
    const profiles = (await pca.getAllAccounts()).filter((a) => a.homeAccountId === homeAccountId);
    const account = profileForTenant(profiles, tenant);
    if (!account) {
      throw new AccountNotFoundError(homeAccountId);
    }
    const label = accountLabel(account, account.idTokenClaims);
    const request = { account, scopes, authority: this.authorityFor(tenant), forceRefresh, ...(claims === undefined ? {} : { claims }) };
    const acquire = async () => {
      const result = checkResult(await pca.acquireTokenSilent(request));
      // MSAL renews access tokens ahead of expiry but not id tokens: do it for them too.
      const exp = (result.idTokenClaims as { exp?: unknown } | undefined)?.exp;
      const idTokenExpiry = typeof exp === "number" ? exp * 1000 : Infinity;
      if (!request.forceRefresh && idTokenExpiry - Date.now() <= RENEWAL_MARGIN_MS) {
        return toTokenResult(checkResult(await pca.acquireTokenSilent({ ...request, forceRefresh: true })));
      }
      return toTokenResult(result);
    };
    for (let attempt = 1; ; attempt++) {
      const sent = this.plugin.refreshTokensInUse(homeAccountId);
      try {
        return await acquire();
      } catch (err) {
        if (classifyError(err) !== "reauth") {
          throw err;
        }
        // Another window may have rotated the refresh token we sent: then use its token instead. Its
        // write may lag its token response; wait for it where the rejection may mean just that. The
        // stored token may be rotated again meanwhile (several windows refreshing): a few rounds.
        const waitMs = mayBeRotatedElsewhere(err) ? ROTATION_WAIT_MS : 0;
        if (attempt < MAX_ROTATION_ROUNDS && (await this.plugin.refreshTokenRotatedElsewhere(homeAccountId, sent, waitMs))) {
          this.options.log.info(`Refresh for ${label} used a token another window had replaced; retrying with the stored one.`);
          continue;
        }
        if (claims !== undefined) {
          // Refused claims ask for the user (multi-factor authentication, a new sign-in), not for a
          // sign-out: the refresh token may be good for everything else. A dead one is found, and
          // removed, by the next request without claims.
          this.options.log.info(`The claims for ${label} need an interactive sign-in (${describeError(err)}).`);
          throw err;
        }
        await this.signOutRejected(pca, homeAccountId, label, err);
      }
    }
  }

  /**
   * MSAL drops a rejected refresh token in memory only; remove the account and save it, so the dead
   * token is never sent again (not by this window, not by another, not after a reload).
   */
  private async signOutRejected(pca: PublicClientApplication, homeAccountId: string, label: string, err: unknown): Promise<never> {
    this.options.log.warn(`Refresh for ${label} was rejected (${describeError(err)}); the account must sign in again.`);
    await this.removeProfiles(pca, (await pca.getAllAccounts()).filter((a) => a.homeAccountId === homeAccountId));
    throw new ReauthRequiredError(label, err);
  }

  /** Runs an interactive flow outside the queue: it may wait minutes for the user. */
  async signIn(flow: SignInFlow, tenant?: string): Promise<AuthenticationResult> {
    const pca = await this.client();
    const result = await this.plugin.signIn(
      async () => checkResult(await flow(pca, this.authorityFor(tenant))),
      (r) => r.account?.homeAccountId,
    );
    await this.queue.run(() => this.refreshAccounts());
    return { ...result, account: result.account && labelled(result.account) };
  }

  removeAccount(homeAccountId: string): Promise<boolean> {
    return this.queue.run(async () => {
      const pca = await this.client();
      const profiles = (await pca.getAllAccounts()).filter((a) => a.homeAccountId === homeAccountId);
      if (profiles.length === 0) {
        return false;
      }
      await this.removeProfiles(pca, profiles);
      return true;
    });
  }

  /** The secret changed: reload when it is not our own write, and report account changes. */
  async storageChanged(): Promise<void> {
    if (await this.plugin.storageChanged()) {
      this.options.log.info(`The token cache ${this.key} was changed by another window.`);
      const stored = this.plugin.storedCache?.();
      if (stored && this.known) {
        // Report sign-ins and sign-outs from the stored accounts now; MSAL loads the cache lazily.
        this.report(accountsFromCache(stored, this.options.clientId));
      } else {
        await this.queue.run(() => this.refreshAccounts());
      }
    }
  }

  /** Accounts and token counts, without secrets, for the diagnostics report. */
  statistics(): CacheStatistics {
    return this.plugin.statistics();
  }

  /** Called as the window closes (see deactivate in extension.ts). */
  async flush(): Promise<void> {
    await this.plugin.flush?.();
  }

  dispose(): void {
    this.changes.dispose();
    this.plugin.dispose();
  }

  private async removeProfiles(pca: PublicClientApplication, profiles: AccountInfo[]): Promise<void> {
    for (const profile of profiles) {
      await pca.getTokenCache().removeAccount(profile);
    }
    await this.refreshAccounts();
  }

  /**
   * Re-lists accounts and fires the difference to the last listing (not on the first one). From
   * the cache MSAL holds when it is loaded (in one pass, see accountsFromCache); else MSAL lists
   * them, which loads it.
   */
  private async refreshAccounts(): Promise<Map<string, AccountInfo>> {
    const pca = await this.client();
    const loaded = this.plugin.cacheView?.();
    const current = loaded
      ? accountsFromCache(loaded.cache, this.options.clientId)
      : new Map([...groupByHomeAccount(await pca.getAllAccounts())].map(([id, account]) => [id, labelled(account)]));
    this.report(current);
    return current;
  }

  private report(current: Map<string, AccountInfo>): void {
    const before = this.known;
    this.known = current;
    if (before) {
      const change = diffAccounts(before, current);
      if (change.added.length > 0 || change.removed.length > 0) {
        this.changes.fire(change);
      }
    }
  }

  private client(): Promise<PublicClientApplication> {
    if (!this.pca) {
      this.pca = this.createClient();
      // A failed creation (e.g. the local identity provider was down) is retried on the next call.
      this.pca.catch(() => (this.pca = undefined));
    }
    return this.pca;
  }

  private async createClient(): Promise<PublicClientApplication> {
    const { clientId, target, defaultTenant, log } = this.options;
    // Loaded on first use, not at activation: MSAL is most of the bundle.
    const msal = await import("@azure/msal-node");
    const network = new HttpClient(
      this.options.backoff ?? new Backoff(),
      (code, message) => new msal.AuthError(code, "", message),
      this.options.requestTimeoutMs,
      new ProxyAgents(this.options.proxy ?? (() => NO_PROXY_SETTINGS)),
      this.options.httpsAgent,
    );
    const getMetadata = this.options.fetchMetadata ?? (async (url: string) => JSON.stringify((await network.sendGetRequestAsync(url)).body));
    const config = await buildConfiguration(clientId, target, defaultTenant, this.plugin, log, network, getMetadata);
    const pca = new msal.PublicClientApplication(config);
    this.plugin.attach(pca.getTokenCache());
    return pca;
  }
}

function toTokenResult(result: AuthenticationResult): TokenResult {
  const account = result.account!;
  return {
    accessToken: result.accessToken,
    idToken: result.idToken || undefined,
    account: { homeAccountId: account.homeAccountId, username: accountLabel(account, account.idTokenClaims) },
    tenantId: result.tenantId,
    expiresOn: result.expiresOn?.getTime() ?? 0,
    fromCache: result.fromCache,
  };
}

/** MSAL takes some broken answers (a 500 whose body has no `error`) for success: refuse them. */
function checkResult(result: AuthenticationResult | null): AuthenticationResult {
  if (!result || !result.accessToken || !result.account) {
    const err = new Error("The identity provider's answer held no access token or account. Try again; if it persists, check the identity provider's status.");
    (err as Error & { errorCode: string }).errorCode = "missing_access_token";
    throw err;
  }
  return result;
}
