import * as vscode from "vscode";
import { readProxySettings, readRawSettings, SETTINGS_SECTION } from "./config/readSettings";
import { DEFAULT_CLIENT_ID, resolveSettings, Settings } from "./config/settings";
import { cloudTarget } from "./config/authority";
import { Logger } from "./logging/logger";
import { ClientRegistry } from "./msal/clientRegistry";
import { MsalAuthenticationProvider } from "./provider/msalAuthenticationProvider";
import { PROVIDER_ID, PROVIDER_LABEL } from "./provider/ids";
import { createApi } from "./api/extensionApi";
import type { MsalAuthApi } from "../api/msal-auth";
import { SignInController } from "./provider/signInController";
import { registerCommands } from "./provider/commands";

export const LOG_CHANNEL_NAME = "Microsoft Entra ID Sign-in";

/**
 * `supportsChallenges` is not in @types/vscode yet (proposed API `authenticationChallenges`): with
 * it, VS Code 1.139 sends `getSession('msal', { wwwAuthenticate, … })` to the provider's challenge
 * methods instead of refusing it. See MsalAuthenticationProvider.
 */
const PROVIDER_OPTIONS: vscode.AuthenticationProviderOptions & { readonly supportsChallenges: boolean } = {
  supportsMultipleAccounts: true,
  supportsChallenges: true,
};

let flushOnDeactivate: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): MsalAuthApi {
  const started = Date.now();
  const channel = vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
  const log = new Logger(channel);

  let settingsError: string | undefined;
  const loadSettings = (): Settings | undefined => {
    const result = resolveSettings(readRawSettings());
    if (result.ok) {
      settingsError = undefined;
      return result.settings;
    }
    settingsError = result.errors.join(" ");
    log.error(`Invalid settings: ${settingsError}`);
    const open = vscode.l10n.t("Open Settings");
    void vscode.window.showErrorMessage(vscode.l10n.t("Microsoft Entra ID sign-in is off until the settings are fixed: {0}", settingsError), open).then((choice) => {
      if (choice === open) {
        void vscode.commands.executeCommand("workbench.action.openSettings", `@ext:${context.extension.id}`);
      }
    });
    return undefined;
  };

  // With invalid settings the provider still registers (so callers get a clear error, not "no
  // provider"), but on an inert target that no request reaches: every call fails with the message.
  const initial = loadSettings();
  let settings: Settings = initial ?? { clientId: DEFAULT_CLIENT_ID, tenant: "organizations", target: cloudTarget("public"), signInFlow: "auto" };
  const registry = new ClientRegistry(settings, context.secrets, log, (message) => void vscode.window.showWarningMessage(message), readProxySettings);
  const signIn = new SignInController(() => settings, context.extension.extensionKind, log);
  const provider = new MsalAuthenticationProvider(registry, signIn, log, () => settingsError);

  context.subscriptions.push(
    channel,
    provider,
    { dispose: () => registry.dispose() },
    vscode.authentication.registerAuthenticationProvider(PROVIDER_ID, PROVIDER_LABEL, provider, PROVIDER_OPTIONS),
    context.secrets.onDidChange((event) => {
      registry.secretChanged(event.key).catch((err) => log.error(`Reloading the token cache failed: ${String(err)}`));
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration(SETTINGS_SECTION)) {
        return;
      }
      const before = await provider.allAccounts();
      const next = loadSettings();
      if (next) {
        settings = next;
        registry.applySettings(next);
      }
      await provider.reportAccountsReplaced(before);
    }),
    ...registerCommands({ context, provider, registry, settings: () => settings, log, channel }),
  );
  flushOnDeactivate = () => registry.flush();
  const api = createApi(registry, () => provider.allAccounts());
  context.subscriptions.push(api);
  log.info(`Activated in ${Date.now() - started} ms (client ${settings.clientId}, authority ${settings.target.key}${settings.tenant ? `, tenant ${settings.tenant}` : ""}).`);
  return api;
}

/**
 * VS Code awaits this (for a few seconds) before it disposes context.subscriptions. Without
 * compare-and-swap, a window that read the secret before this window's last write may store over
 * it just before a reload or close; one more read here repairs that while this window still can.
 */
export function deactivate(): Promise<void> | undefined {
  const flush = flushOnDeactivate;
  flushOnDeactivate = undefined;
  return flush?.();
}
