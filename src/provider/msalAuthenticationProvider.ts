import * as vscode from "vscode";
import type { AccountInfo } from "@azure/msal-node";
import { AccountsChange } from "../msal/accounts";
import { ChallengeRequest, claimNames, readChallenges } from "../challenges/claimsChallenge";
import { ClientRegistry } from "../msal/clientRegistry";
import { classifyError, userMessage } from "../msal/errors";
import { parseScopes, scopeKey, ScopeRequest } from "../scopes/scopeRequest";
import { describeError, LogSink } from "../logging/logger";
import { SingleFlight } from "../util/singleFlight";
import { Session, sessionFromAccount, sessionFromResult } from "./sessions";
import { SignInController } from "./signInController";


/**
 * The authentication provider other extensions reach with `vscode.authentication.getSession('msal', …)`.
 *
 * Claims challenges: for `getSession('msal', { wwwAuthenticate, fallbackScopes }, options)`, VS Code
 * 1.139 parses the header (workbench AuthenticationService) and calls `getSessionsFromChallenges`,
 * then, when that gives no usable session and the caller allows a sign-in (`createIfNone`,
 * `forceNewSession`, or the Accounts menu entry of a silent request), `createSessionFromChallenges`,
 * both with `{ challenges, fallbackScopes }` and `{ account }`. It does so only for a provider
 * registered with `supportsChallenges: true` (extension.ts). Both methods and that option belong to
 * the proposed API `authenticationChallenges`, which 1.139 does not check for them: no
 * `enabledApiProposals` is needed, and an editor that does not know them never calls them.
 */
export class MsalAuthenticationProvider implements vscode.AuthenticationProvider, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.changes.event;
  private readonly silent = new SingleFlight<Session[]>();
  private readonly subscription: { dispose(): unknown };

  constructor(
    private readonly registry: ClientRegistry,
    private readonly signInController: SignInController,
    private readonly log: LogSink,
    /** Set while the settings are invalid: requests fail with it instead of going anywhere. */
    private readonly settingsError: () => string | undefined = () => undefined,
  ) {
    this.subscription = registry.onDidChangeAccounts((change) => this.fireChange(change));
  }

  async getSessions(scopes: readonly string[] | undefined, options?: vscode.AuthenticationProviderSessionOptions): Promise<Session[]> {
    const accountId = options?.account?.id;
    if (scopes === undefined) {
      if (this.settingsError()) {
        return [];
      }
      const accounts = await this.allAccounts();
      return accounts.filter((a) => !accountId || a.homeAccountId === accountId).map(sessionFromAccount);
    }
    const request = this.parse(scopes);
    const key = `${request.clientId ?? ""}|${request.tenant ?? ""}|${accountId ?? ""}|${scopeKey(request)}`;
    return this.silent.run(key, () => this.silentSessions(request, accountId));
  }

  async createSession(scopes: readonly string[], options?: vscode.AuthenticationProviderSessionOptions): Promise<Session> {
    return this.interactive(this.parse(scopes), options);
  }

  /**
   * Sessions whose token was fetched anew with the challenge's claims (without claims: anew, since
   * the resource refused the token it had). Accounts whose refresh token cannot satisfy the claims
   * get none, so that the editor goes on to `createSessionFromChallenges` when it may.
   */
  async getSessionsFromChallenges(constraint: unknown, options?: vscode.AuthenticationProviderSessionOptions): Promise<Session[]> {
    const { request, claims } = this.parseChallenge(constraint);
    const accountId = options?.account?.id;
    const key = `challenge|${request.clientId ?? ""}|${request.tenant ?? ""}|${accountId ?? ""}|${scopeKey(request)}|${claims ?? ""}`;
    return this.silent.run(key, () => this.silentSessions(request, accountId, { claims }));
  }

  /** An interactive sign-in that satisfies the challenge's claims (multi-factor authentication, say). */
  async createSessionFromChallenges(constraint: unknown, options?: vscode.AuthenticationProviderSessionOptions): Promise<Session> {
    const { request, claims } = this.parseChallenge(constraint);
    return this.interactive(request, options, claims);
  }

  private async interactive(request: ScopeRequest, options: vscode.AuthenticationProviderSessionOptions | undefined, claims?: string): Promise<Session> {
    const client = this.registry.clientFor(request.clientId);
    try {
      const result = await this.signInController.signIn(client, { scopes: request.scopes, tenant: request.tenant, loginHint: options?.account?.label, claims });
      this.log.info(`Signed in ${result.account?.username ?? "an account"}.`);
      const session = sessionFromResult({ accessToken: result.accessToken, idToken: result.idToken, account: result.account! }, request.original);
      // With the scopes asked for: VS Code settles its pending "Sign in to use X" requests by them.
      this.changes.fire({ added: [session], removed: [], changed: [] });
      return session;
    } catch (err) {
      if (classifyError(err) === "cancelled") {
        this.log.info(`Sign-in ended: ${describeError(err)}`);
        throw new Error(describeError(err));
      }
      this.log.error(`Sign-in failed: ${describeError(err)}`);
      throw new Error(userMessage(err));
    }
  }

  async removeSession(sessionId: string): Promise<void> {
    let removed = false;
    for (const client of await this.registry.all()) {
      removed = (await client.removeAccount(sessionId)) || removed;
    }
    this.log.info(removed ? `Signed out ${sessionId}.` : `Sign-out: no account ${sessionId} was signed in.`);
  }

  /** Signs every account of every client out and deletes caches kept aside; returns the accounts signed out. */
  async clearAll(): Promise<number> {
    const accounts = await this.allAccounts();
    for (const account of accounts) {
      await this.removeSession(account.homeAccountId);
    }
    await this.registry.deleteSetAside();
    return accounts.length;
  }

  /** After a settings change: report the accounts that appeared or disappeared with the provider. */
  async reportAccountsReplaced(before: AccountInfo[]): Promise<void> {
    const after = await this.allAccounts();
    const ids = (list: AccountInfo[]) => new Set(list.map((a) => a.homeAccountId));
    const [beforeIds, afterIds] = [ids(before), ids(after)];
    this.fireChange({ added: after.filter((a) => !beforeIds.has(a.homeAccountId)), removed: before.filter((a) => !afterIds.has(a.homeAccountId)) });
  }

  async allAccounts(): Promise<AccountInfo[]> {
    const unique = new Map<string, AccountInfo>();
    for (const client of await this.registry.all()) {
      try {
        for (const account of await client.accounts()) {
          if (!unique.has(account.homeAccountId)) {
            unique.set(account.homeAccountId, account);
          }
        }
      } catch (err) {
        this.log.warn(`Could not list the accounts of ${client.key}: ${describeError(err)}`);
      }
    }
    return [...unique.values()];
  }

  dispose(): void {
    this.subscription.dispose();
    this.changes.dispose();
  }

  /** `fresh`: fetch every token anew (with the claims of a challenge, when it has some). */
  private async silentSessions(request: ScopeRequest, accountId: string | undefined, fresh?: { claims?: string }): Promise<Session[]> {
    const client = this.registry.clientFor(request.clientId);
    const accounts = (await client.accounts()).filter((a) => !accountId || a.homeAccountId === accountId);
    const sessions: Session[] = [];
    let transient: unknown;
    for (const account of accounts) {
      try {
        const result = await client.acquireTokenSilent(account.homeAccountId, request.scopes, request.tenant, fresh !== undefined, fresh?.claims);
        sessions.push(sessionFromResult(result, request.original));
      } catch (err) {
        // A rejected account was already signed out and reported by the client; others stay. With
        // claims, a rejection means they need the user; the account stays signed in.
        this.log.warn(`No token for ${account.username} (${request.scopes.join(" ")}): ${describeError(err)}`);
        if (classifyError(err) !== "reauth") transient ??= err;
      }
    }
    // No session because the identity provider is unwell, not because nobody is signed in: say so,
    // rather than let the editor offer a new sign-in that would not help.
    if (sessions.length === 0 && transient !== undefined) {
      throw new Error(userMessage(transient));
    }
    return sessions;
  }

  private parse(scopes: readonly string[]): ScopeRequest {
    const settingsError = this.settingsError();
    if (settingsError) {
      throw new Error(settingsError);
    }
    try {
      return parseScopes(scopes, this.registry.current.target.protocol);
    } catch (err) {
      this.log.warn(`Refused a request: ${describeError(err)}`);
      throw err;
    }
  }

  private parseChallenge(constraint: unknown): { request: ScopeRequest; claims?: string } {
    let challenge: ChallengeRequest;
    try {
      challenge = readChallenges(constraint);
    } catch (err) {
      this.log.warn(`Refused a challenge: ${describeError(err)}`);
      throw err;
    }
    const request = this.parse(challenge.scopes);
    const asked = challenge.claims === undefined ? "no claims, so a fresh token" : `claims ${claimNames(challenge.claims).join(", ")}`;
    this.log.info(`Challenge${challenge.error ? ` (${challenge.error})` : ""} for ${request.scopes.join(" ")}: ${asked}.`);
    return { request, claims: challenge.claims };
  }

  private fireChange(change: AccountsChange): void {
    if (change.added.length === 0 && change.removed.length === 0) {
      return;
    }
    this.log.info(`Accounts changed: ${change.added.length} added, ${change.removed.length} removed.`);
    this.changes.fire({ added: change.added.map(sessionFromAccount), removed: change.removed.map(sessionFromAccount), changed: [] });
  }
}
