import * as vscode from "vscode";
import type { AuthenticationResult } from "@azure/msal-node";
import { Settings } from "../config/settings";
import { chooseFlow, FlowName, unavailableFlow } from "../flows/chooseFlow";
import { signInWithDeviceCode, DeviceCodePrompt } from "../flows/deviceCodeFlow";
import { signInWithLoopback } from "../flows/loopbackFlow";
import { actionsFor, classifyError, ErrorAction, userMessage } from "../msal/errors";
import { MsalClient } from "../msal/msalClient";
import { describeError, LogSink } from "../logging/logger";
import { SingleFlight } from "../util/singleFlight";
import { identityProviderName } from "./ids";

export interface SignInRequest {
  readonly scopes: string[];
  readonly tenant?: string;
  readonly loginHint?: string;
  /** A claims request (JSON) from a claims challenge. */
  readonly claims?: string;
}

/**
 * Interactive sign-in as a person sees it: a cancellable progress notification, the browser opened
 * with `openExternal`, a device-code notification where a loopback redirect cannot reach us, and the
 * offer of device code when the browser attempt fails. Concurrent requests share one prompt.
 */
export class SignInController {
  private readonly inFlight = new SingleFlight<AuthenticationResult>();

  constructor(
    private readonly settings: () => Settings,
    /** Where this extension runs: decides whether a loopback redirect can reach it. */
    private readonly extensionKind: vscode.ExtensionKind,
    private readonly log: LogSink,
  ) {}

  signIn(client: MsalClient, request: SignInRequest): Promise<AuthenticationResult> {
    const key = `${client.key}|${request.tenant ?? ""}|${request.loginHint ?? ""}|${request.scopes.join(" ")}|${request.claims ?? ""}`;
    return this.inFlight.run(key, () => this.run(client, request));
  }

  private async run(client: MsalClient, request: SignInRequest): Promise<AuthenticationResult> {
    const { signInFlow, target } = this.settings();
    const flow = chooseFlow(signInFlow, {
      remote: Boolean(vscode.env.remoteName) && this.extensionKind === vscode.ExtensionKind.Workspace,
      web: vscode.env.uiKind === vscode.UIKind.Web,
    });
    const unavailable = unavailableFlow(flow, signInFlow, target.protocol);
    if (unavailable) {
      const err = new Error(
        unavailable === "setting"
          ? vscode.l10n.t('Device code sign-in is not available with an OpenID Provider ("msal.protocol" is "oidc"). Set "msal.signInFlow" to "loopback" or "auto".')
          : vscode.l10n.t(
              'This window signs in with a device code (the extension runs remotely or in a browser), which is not available with an OpenID Provider ("msal.protocol" is "oidc"). If your browser runs on the same machine as the extension host, set "msal.signInFlow" to "loopback".',
            ),
      );
      this.log.warn(`Sign-in not started: ${err.message}`);
      void this.showError(err, [{ kind: "openSetting", setting: "msal.signInFlow" }]);
      throw err;
    }
    this.log.info(`Signing in with ${flow === "loopback" ? "the browser (loopback redirect)" : "a device code"}.`);
    try {
      return await this.withFlow(client, request, flow);
    } catch (err) {
      if (classifyError(err) === "cancelled") {
        throw err;
      }
      const actions = actionsFor(err);
      if (flow !== "loopback" || actions.length > 0 || target.protocol === "oidc") {
        // Another way to sign in would fail the same way, or there is none: show what to fix instead.
        void this.showError(err, actions);
        throw err;
      }
      this.log.warn(`Browser sign-in failed: ${describeError(err)}`);
      const useDeviceCode = vscode.l10n.t("Use a device code");
      const choice = await vscode.window.showErrorMessage(
        vscode.l10n.t("Signing in with the browser did not complete: {0} Try signing in with a device code instead?", userMessage(err)),
        useDeviceCode,
      );
      if (choice !== useDeviceCode) {
        throw err;
      }
      return this.withFlow(client, request, "deviceCode");
    }
  }

  private async withFlow(client: MsalClient, request: SignInRequest, flow: FlowName): Promise<AuthenticationResult> {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Signing in to {0}…", identityProviderName(this.settings().target)), cancellable: true },
      (_progress, token) =>
        client.signIn(
          (pca, authority) =>
            flow === "loopback"
              ? signInWithLoopback(pca, authority, {
                  scopes: request.scopes,
                  loginHint: request.loginHint,
                  claims: request.claims,
                  protocol: this.settings().target.protocol,
                  signal: token,
                  log: this.log,
                  openBrowser: async (url) => {
                    if (!(await vscode.env.openExternal(vscode.Uri.parse(url, true)))) {
                      throw new Error(vscode.l10n.t("The browser could not be opened."));
                    }
                  },
                })
              : signInWithDeviceCode(pca, authority, {
                  scopes: request.scopes,
                  claims: request.claims,
                  signal: token,
                  log: this.log,
                  showCode: (prompt) => void this.showDeviceCode(prompt),
                }),
          request.tenant,
        ),
    );
  }

  private async showError(err: unknown, actions: ErrorAction[]): Promise<void> {
    const labels = actions.map(actionLabel);
    const choice = await vscode.window.showErrorMessage(vscode.l10n.t("Sign-in to {0} failed: {1}", identityProviderName(this.settings().target), userMessage(err)), ...labels);
    const action = actions[labels.indexOf(choice ?? "")];
    if (action?.kind === "openSetting") {
      await vscode.commands.executeCommand("workbench.action.openSettings", action.setting);
    } else if (action?.kind === "redirectUriHelp") {
      await vscode.env.openExternal(vscode.Uri.parse(action.url));
    }
  }

  private async showDeviceCode(prompt: DeviceCodePrompt): Promise<void> {
    const copyAndOpen = vscode.l10n.t("Copy and open");
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t("To sign in to Microsoft Entra ID, open {0} and enter the code {1}.", prompt.verificationUri, prompt.userCode),
      copyAndOpen,
    );
    if (choice === copyAndOpen) {
      await vscode.env.clipboard.writeText(prompt.userCode);
      await vscode.env.openExternal(vscode.Uri.parse(prompt.verificationUri, true));
    }
  }
}

/** Each label is a literal at its `l10n.t` call: `npm run l10n` only finds literals. */
function actionLabel(action: ErrorAction): string {
  switch (action.kind) {
    case "openSetting":
      return vscode.l10n.t("Open Settings");
    case "redirectUriHelp":
      return vscode.l10n.t("How to register the redirect URI");
  }
}
