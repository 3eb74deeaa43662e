/**
 * The API of the "Microsoft Entra ID Sign-in" extension (msal-vscode.msal-secretstorage-auth), for
 * what `vscode.authentication` cannot express. Get it with:
 *
 *   const api = await vscode.extensions.getExtension<MsalAuthApi>("msal-vscode.msal-secretstorage-auth")?.activate();
 *
 * Tokens are never handed out by this API: it tells you how to ask `vscode.authentication.getSession`,
 * so that VS Code still asks the user whether your extension may use the account.
 */
export interface MsalAuthApi {
  /** Version of this API; additions keep the number, breaking changes raise it. */
  readonly apiVersion: 1;

  /** The signed-in accounts, each with every tenant it holds a profile in (home tenant first). */
  listAccounts(): Promise<MsalAccount[]>;

  /** Fires when accounts are signed in or out, in this window or another. */
  onDidChangeAccounts(listener: (event: MsalAccountsChange) => unknown): { dispose(): unknown };

  /**
   * The arguments of `vscode.authentication.getSession` that get a token for `scopes` from
   * `tenant` (a tenant ID or domain; by default the account's home tenant) for `account`,
   * optionally with another application (client) ID. Pass them on as they are (an OpenID
   * Provider has no tenants: a request with `tenant` is refused there):
   *
   *   const { providerId, scopes, options } = api.tokenRequest({ account, tenant, scopes: ["User.Read"] });
   *   const session = await vscode.authentication.getSession(providerId, scopes, { ...options, createIfNone: true });
   */
  tokenRequest(request: MsalTokenRequest): MsalGetSessionArguments;
}

export interface MsalAccount {
  /** The session and account id used by `vscode.authentication` (MSAL's homeAccountId). */
  readonly id: string;
  /** The username; from an OpenID Provider that sends none, the email, the name or the subject. */
  readonly username: string;
  readonly name?: string;
  /** Tenant IDs, home tenant first; empty with an OpenID Provider (`msal.protocol` "oidc"), which has none. */
  readonly tenants: readonly string[];
}

export interface MsalAccountsChange {
  readonly added: readonly MsalAccount[];
  readonly removed: readonly MsalAccount[];
}

export interface MsalTokenRequest {
  /** An account from `listAccounts()`, or its id. */
  readonly account: MsalAccount | string;
  readonly scopes: readonly string[];
  readonly tenant?: string;
  readonly clientId?: string;
}

export interface MsalGetSessionArguments {
  readonly providerId: "msal";
  readonly scopes: string[];
  readonly options: { readonly account: { readonly id: string; readonly label: string } };
}
