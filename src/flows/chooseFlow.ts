import { SignInFlowSetting } from "../config/settings";

export type FlowName = "loopback" | "deviceCode";

export interface HostKind {
  /**
   * True when this extension runs on a remote extension host (SSH, WSL, containers, Codespaces,
   * code-server): `vscode.env.remoteName` is set and the extension runs as a workspace extension.
   */
  readonly remote: boolean;
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
  return host.remote || host.web ? "deviceCode" : "loopback";
}
