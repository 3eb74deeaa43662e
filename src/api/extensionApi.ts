import type { AccountInfo } from "@azure/msal-node";
import type { MsalAccount, MsalAuthApi, MsalGetSessionArguments, MsalTokenRequest } from "../../api/msal-auth";
import { accountTenants, tenantsByAccount } from "../diagnostics/cacheSummary";
import { ClientRegistry } from "../msal/clientRegistry";
import { Emitter } from "../util/emitter";
import { PROVIDER_ID } from "../provider/ids";

/** What `activate` returns to other extensions (see api/msal-auth.d.ts). */
export function createApi(registry: ClientRegistry, accounts: () => Promise<AccountInfo[]>): MsalAuthApi & { dispose(): void } {
  const changes = new Emitter<{ added: MsalAccount[]; removed: MsalAccount[] }>();
  const tenantsOf = async (): Promise<Map<string, string[]>> => tenantsByAccount((await registry.all()).map((c) => c.statistics().view));
  const describe = (account: AccountInfo, tenants: Map<string, string[]>): MsalAccount => ({
    id: account.homeAccountId,
    username: account.username,
    name: account.name,
    tenants: accountTenants(tenants, account),
  });
  const subscription = registry.onDidChangeAccounts(async (change) => {
    const tenants = await tenantsOf();
    changes.fire({ added: change.added.map((a) => describe(a, tenants)), removed: change.removed.map((a) => describe(a, tenants)) });
  });

  return {
    apiVersion: 1,
    async listAccounts() {
      const [list, tenants] = await Promise.all([accounts(), tenantsOf()]);
      return list.map((a) => describe(a, tenants));
    },
    onDidChangeAccounts: changes.event,
    tokenRequest: (request: MsalTokenRequest): MsalGetSessionArguments => tokenRequest(request),
    dispose() {
      subscription.dispose();
      changes.dispose();
    },
  };
}

/** Builds getSession arguments; the special scopes are validated by the provider when used. */
export function tokenRequest(request: MsalTokenRequest): MsalGetSessionArguments {
  const account = typeof request.account === "string" ? { id: request.account, label: request.account } : { id: request.account.id, label: request.account.username };
  const scopes = [...request.scopes];
  if (request.tenant) scopes.push(`VSCODE_TENANT:${request.tenant}`);
  if (request.clientId) scopes.push(`VSCODE_CLIENT_ID:${request.clientId}`);
  return { providerId: PROVIDER_ID, scopes, options: { account } };
}
