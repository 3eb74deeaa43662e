import * as vscode from "vscode";
import { describeError, LogSink } from "../logging/logger";
import { MsalAuthenticationProvider } from "./msalAuthenticationProvider";

/** Scopes of a sign-in started from the Command Palette: the account's own profile. */
const SIGN_IN_SCOPES = ["User.Read"];

export function registerCommands(provider: MsalAuthenticationProvider, log: LogSink, channel: vscode.OutputChannel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand("msal.signIn", async () => {
      try {
        const session = await provider.createSession(SIGN_IN_SCOPES, {});
        void vscode.window.showInformationMessage(vscode.l10n.t("Signed in to Microsoft Entra ID as {0}.", session.account.label));
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
    vscode.commands.registerCommand("msal.showLog", () => channel.show()),
  ];
}
