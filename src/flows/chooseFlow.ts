import { SignInFlowSetting } from "../config/settings";

export type FlowName = "loopback" | "deviceCode";

export interface HostKind {
  /** `vscode.env.remoteName`: set for SSH, WSL, containers, Codespaces and code-server. */
  readonly remoteName: string | undefined;
  /** True when the workbench runs in a browser (`vscode.env.uiKind === UIKind.Web`). */
  readonly web: boolean;
}

/**
 * A loopback redirect reaches the extension only when the browser runs on the extension host's
 * machine; on a remote or web host, device code is the way that always works.
 */
export function chooseFlow(setting: SignInFlowSetting, host: HostKind): FlowName {
  if (setting !== "auto") {
    return setting;
  }
  return host.remoteName || host.web ? "deviceCode" : "loopback";
}
