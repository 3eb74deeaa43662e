import * as vscode from "vscode";
import { RawSettings } from "./settings";
import { ProxySettings } from "../network/proxy";

export const SETTINGS_SECTION = "msal";
const KEYS: (keyof RawSettings)[] = ["protocol", "clientId", "tenant", "cloud", "authority", "signInFlow"];

/**
 * Reads only user (application) values and defaults. The settings are `application`-scoped, which
 * VS Code already enforces; ignoring workspace values here as well means a repository's
 * `.vscode/settings.json` can never send credentials elsewhere.
 */
export function readRawSettings(): RawSettings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const raw: RawSettings = {};
  for (const key of KEYS) {
    const inspected = config.inspect<unknown>(key);
    raw[key] = inspected?.globalValue ?? inspected?.defaultValue;
  }
  return raw;
}

/** The editor's own proxy settings, which sign-in requests follow as every other request does. */
export function readProxySettings(): ProxySettings {
  const http = vscode.workspace.getConfiguration("http");
  const proxy = http.get<string>("proxy")?.trim();
  return {
    proxy: proxy || undefined,
    strictSSL: http.get<boolean>("proxyStrictSSL", true),
    noProxy: http.get<string[]>("noProxy", []),
  };
}
