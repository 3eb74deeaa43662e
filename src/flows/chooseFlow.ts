import type { Protocol } from "../config/authority";
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

/**
 * Why `flow` cannot sign in with `protocol`: "setting" when `msal.signInFlow` asks for it, "host"
 * when `auto` chose it for a remote or web host; undefined when it can. MSAL's device code request
 * polls with its own grant type (`device_code`), not RFC 8628's
 * `urn:ietf:params:oauth:grant-type:device_code`, so a standard OpenID Provider refuses it.
 */
export function unavailableFlow(flow: FlowName, setting: SignInFlowSetting, protocol: Protocol): "setting" | "host" | undefined {
  if (protocol !== "oidc" || flow !== "deviceCode") {
    return undefined;
  }
  return setting === "deviceCode" ? "setting" : "host";
}
