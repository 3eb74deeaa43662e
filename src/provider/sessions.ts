import type { AccountInfo } from "@azure/msal-node";
import type { TokenResult } from "../msal/tokenIndex";

/** Structurally a vscode.AuthenticationSession, built without the editor. */
export interface Session {
  readonly id: string;
  readonly accessToken: string;
  readonly idToken?: string;
  readonly account: { readonly id: string; readonly label: string };
  readonly scopes: readonly string[];
}

/** Session ids are the account's `homeAccountId`: stable across tokens, scopes and windows. */
export function sessionFromResult(result: Pick<TokenResult, "accessToken" | "idToken" | "account">, scopes: readonly string[]): Session {
  return {
    id: result.account.homeAccountId,
    accessToken: result.accessToken,
    idToken: result.idToken || undefined,
    account: { id: result.account.homeAccountId, label: result.account.username },
    scopes,
  };
}

/**
 * A session for `getSessions(undefined)` (the Accounts menu): accounts only, with no network and no
 * token, so that listing accounts stays cheap. Callers that need a token ask with scopes.
 */
export function sessionFromAccount(account: AccountInfo): Session {
  return {
    id: account.homeAccountId,
    accessToken: "",
    idToken: account.idToken,
    account: { id: account.homeAccountId, label: account.username },
    scopes: [],
  };
}
