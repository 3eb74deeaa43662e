import * as vscode from "vscode";
import { RawSettings } from "./settings";

export const SETTINGS_SECTION = "msal";
const KEYS: (keyof RawSettings)[] = ["clientId", "tenant", "cloud", "authority", "signInFlow"];

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
