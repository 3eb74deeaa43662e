import * as vscode from "vscode";
import type { Protocol } from "../config/authority";
import { Settings } from "../config/settings";
import { accountTenants, summarizeCache, tenantsByAccount } from "../diagnostics/cacheSummary";
import { DiagnosticsReport, renderReport } from "../diagnostics/diagnosticsReport";
import { describeError, Logger } from "../logging/logger";
import { ClientRegistry } from "../msal/clientRegistry";
import { MsalAuthenticationProvider } from "./msalAuthenticationProvider";
import { identityProviderName } from "./ids";

/**
 * Scopes of a sign-in started from the Command Palette: the account's own profile (Microsoft Graph
 * for Entra; an OpenID Provider's OpenID scopes, which MSAL completes with profile and offline_access).
 */
const SIGN_IN_SCOPES: Record<Protocol, string[]> = { entra: ["User.Read"], oidc: ["openid"] };

export interface CommandDeps {
  readonly context: vscode.ExtensionContext;
  readonly provider: MsalAuthenticationProvider;
  readonly registry: ClientRegistry;
  readonly settings: () => Settings;
  readonly log: Logger;
  readonly channel: vscode.OutputChannel;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { provider, log, channel } = deps;
  return [
    vscode.commands.registerCommand("msal.signIn", async () => {
      try {
        const { target } = deps.settings();
        const session = await provider.createSession(SIGN_IN_SCOPES[target.protocol], {});
        void vscode.window.showInformationMessage(vscode.l10n.t("Signed in to {0} as {1}.", identityProviderName(target), session.account.label));
      } catch (err) {
        void vscode.window.showErrorMessage(describeError(err));
      }
    }),
    vscode.commands.registerCommand("msal.signOut", async () => {
      const accounts = await provider.allAccounts();
      if (accounts.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t("No Microsoft Entra ID account is signed in."));
        return;
      }
      const pick = await vscode.window.showQuickPick(
        accounts.map((a) => ({ label: a.username, description: a.name, id: a.homeAccountId })),
        { placeHolder: vscode.l10n.t("Select the account to sign out") },
      );
      if (pick) {
        await provider.removeSession(pick.id);
        log.info(`Signed out ${pick.label} from the Command Palette.`);
      }
    }),
    vscode.commands.registerCommand("msal.signOutAll", async () => {
      const accounts = await provider.allAccounts();
      if (accounts.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t("No Microsoft Entra ID account is signed in."));
        return;
      }
      const signOut = vscode.l10n.t("Sign Out");
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t("Sign out of {0} Microsoft Entra ID account(s)? Extensions using them lose access until you sign in again.", accounts.length),
        { modal: true },
        signOut,
      );
      if (choice === signOut) {
        for (const account of accounts) {
          await provider.removeSession(account.homeAccountId);
        }
        log.info(`Signed out of all ${accounts.length} account(s).`);
      }
    }),
    vscode.commands.registerCommand("msal.clearTokenCache", async () => {
      const clear = vscode.l10n.t("Clear Token Cache");
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t("Clear the Microsoft Entra ID token cache? Every account is signed out, in every window, and all stored tokens are deleted."),
        { modal: true },
        clear,
      );
      if (choice === clear) {
        const removed = await provider.clearAll();
        log.info(`Cleared the token cache (${removed} account(s) signed out).`);
        void vscode.window.showInformationMessage(vscode.l10n.t("The token cache was cleared."));
      }
    }),
    vscode.commands.registerCommand("msal.showAccounts", async () => {
      const accounts = await provider.allAccounts();
      const tenants = tenantsByAccount((await deps.registry.all()).map((c) => c.statistics().view));
      const items = accounts.map((a) => {
        const list = accountTenants(tenants, a);
        return { label: a.username, description: a.name, detail: list.length > 0 ? vscode.l10n.t("Tenants: {0}", list.join(", ")) : undefined };
      });
      const manage = { label: vscode.l10n.t("Manage the extensions that use an account…"), description: "", detail: undefined as string | undefined };
      const pick = await vscode.window.showQuickPick(items.length ? [...items, manage] : [{ label: vscode.l10n.t("No account is signed in"), description: "", detail: undefined }], {
        title: vscode.l10n.t("Microsoft Entra ID accounts"),
      });
      if (pick === manage) {
        // VS Code keeps which extension may use which account; its own UI manages that.
        await vscode.commands.executeCommand("workbench.action.accounts.manageTrustedExtensions").then(undefined, () =>
          vscode.window.showInformationMessage(vscode.l10n.t("Open the Accounts menu, choose the account, then Manage Trusted Extensions.")),
        );
      }
    }),
    vscode.commands.registerCommand("msal.showLog", () => channel.show()),
    // Opens the report for a person, and returns it to a caller (tests, other tools).
    vscode.commands.registerCommand("msal.showDiagnostics", async (options?: { open?: boolean }) => {
      const report = await buildReport(deps);
      if (options?.open !== false) {
        const document = await vscode.workspace.openTextDocument({ language: "markdown", content: renderReport(report) });
        await vscode.window.showTextDocument(document);
      }
      return report;
    }),
  ];
}

async function buildReport({ context, registry, settings, log }: CommandDeps): Promise<DiagnosticsReport> {
  const { version: msalNodeVersion } = await import("@azure/msal-node");
  const current = settings();
  const clients = await registry.all();
  await Promise.all(clients.map((c) => c.accounts().catch(() => [])));
  return {
    generatedAt: new Date().toISOString(),
    extension: { id: context.extension.id, version: String(context.extension.packageJSON.version) },
    host: {
      vscodeVersion: vscode.version,
      remoteName: vscode.env.remoteName,
      uiKind: vscode.env.uiKind === vscode.UIKind.Web ? "web" : "desktop",
      extensionKind: context.extension.extensionKind === vscode.ExtensionKind.UI ? "UI" : "workspace",
    },
    msalNodeVersion,
    settings: {
      protocol: current.target.protocol,
      clientId: current.clientId,
      // An OpenID Provider has no tenant; its issuer is the authority.
      ...(current.target.protocol === "entra" ? { tenant: current.tenant } : {}),
      authority: current.target.key,
      signInFlow: current.signInFlow,
    },
    clients: clients.map((client) => {
      const stats = client.statistics();
      return {
        secretKey: client.key,
        clientId: client.clientId,
        storedBytes: stats.storedBytes,
        lastSync: stats.lastSync === undefined ? undefined : new Date(stats.lastSync).toISOString(),
        storageFailing: stats.storageFailing,
        accounts: summarizeCache(stats.view),
      };
    }),
    recentErrors: log.recentProblems(),
  };
}
