import { redact } from "../logging/redact";
import { AccountSummary } from "./cacheSummary";

/** Everything a bug report needs, with no secret in it: ready to paste into an issue. */
export interface DiagnosticsReport {
  readonly generatedAt: string;
  readonly extension: { readonly id: string; readonly version: string };
  readonly host: { readonly vscodeVersion: string; readonly remoteName?: string; readonly uiKind: string; readonly extensionKind: string };
  readonly msalNodeVersion: string;
  readonly settings: Readonly<Record<string, string>>;
  readonly clients: readonly ClientReport[];
  readonly recentErrors: readonly string[];
}

export interface ClientReport {
  readonly secretKey: string;
  readonly clientId: string;
  readonly storedBytes: number;
  readonly lastSync?: string;
  readonly storageFailing: boolean;
  readonly accounts: readonly AccountSummary[];
}

export function renderReport(report: DiagnosticsReport): string {
  const lines = [
    "# Microsoft Entra ID Sign-in: diagnostics",
    "",
    `Generated ${report.generatedAt}. No token, code or secret is included.`,
    "",
    `- Extension: ${report.extension.id} ${report.extension.version}`,
    `- VS Code: ${report.host.vscodeVersion} (${report.host.uiKind}${report.host.remoteName ? `, remote ${report.host.remoteName}` : ""}, runs as ${report.host.extensionKind} extension)`,
    `- @azure/msal-node: ${report.msalNodeVersion}`,
    "",
    "## Settings",
    "",
    ...Object.entries(report.settings).map(([k, v]) => `- ${k}: ${v}`),
    "",
    "## Token caches",
    "",
  ];
  for (const client of report.clients) {
    lines.push(
      `### Client ${client.clientId}`,
      "",
      `- Secret: ${client.secretKey} (${client.storedBytes} bytes)`,
      `- Last sync with secret storage: ${client.lastSync ?? "never"}${client.storageFailing ? " (secret storage is failing)" : ""}`,
      ...(client.accounts.length === 0
        ? ["- No account"]
        : client.accounts.map(
            (a) => `- ${a.username} (${a.homeAccountId}); tenants ${a.tenants.join(", ")}; ${a.refreshTokens} refresh, ${a.accessTokens} access, ${a.idTokens} id tokens`,
          )),
      "",
    );
  }
  lines.push("## Recent errors", "", ...(report.recentErrors.length ? report.recentErrors.map((e) => `- ${e}`) : ["- None"]), "");
  return redact(lines.join("\n"));
}
