import { AuthorityTarget, CloudName, CLOUD_HOSTS, cloudTarget, customTarget } from "./authority";
import { CLIENT_ID_FORM, isClientId, isTenant, TENANT_FORM } from "./validate";

/** The public developer client that the Azure Identity SDK uses by default for interactive sign-in. */
export const DEFAULT_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
export const DEFAULT_TENANT = "organizations";

export type SignInFlowSetting = "auto" | "loopback" | "deviceCode";
const FLOWS: readonly SignInFlowSetting[] = ["auto", "loopback", "deviceCode"];

/** Raw values as read from the configuration (any JSON a user may have typed). */
export interface RawSettings {
  clientId?: unknown;
  tenant?: unknown;
  cloud?: unknown;
  authority?: unknown;
  signInFlow?: unknown;
}

export interface Settings {
  readonly clientId: string;
  readonly tenant: string;
  readonly target: AuthorityTarget;
  readonly signInFlow: SignInFlowSetting;
}

export type SettingsResult = { ok: true; settings: Settings } | { ok: false; errors: string[] };

/** Validates every setting and collects one message per bad setting, naming it and the expected form. */
export function resolveSettings(raw: RawSettings): SettingsResult {
  const errors: string[] = [];
  const text = (name: keyof RawSettings, fallback: string): string => {
    const value = raw[name];
    if (value === undefined || value === null || value === "") {
      return fallback;
    }
    if (typeof value !== "string") {
      errors.push(`Setting "msal.${name}" must be a string; got ${JSON.stringify(value)}.`);
      return fallback;
    }
    return value.trim();
  };

  const clientId = text("clientId", DEFAULT_CLIENT_ID);
  if (!isClientId(clientId)) {
    errors.push(`Setting "msal.clientId" must be ${CLIENT_ID_FORM}; got "${clientId}".`);
  }
  let tenant = text("tenant", DEFAULT_TENANT);
  if (!isTenant(tenant)) {
    errors.push(`Setting "msal.tenant" must be ${TENANT_FORM}; got "${tenant}".`);
  }
  const cloud = text("cloud", "public");
  if (!(cloud in CLOUD_HOSTS)) {
    errors.push(`Setting "msal.cloud" must be one of ${Object.keys(CLOUD_HOSTS).join(", ")}; got "${cloud}".`);
  }
  const signInFlow = text("signInFlow", "auto") as SignInFlowSetting;
  if (!FLOWS.includes(signInFlow)) {
    errors.push(`Setting "msal.signInFlow" must be one of ${FLOWS.join(", ")}; got "${signInFlow}".`);
  }

  let target: AuthorityTarget | undefined;
  const authority = text("authority", "");
  if (authority) {
    try {
      const custom = customTarget(authority);
      target = custom.target;
      if (custom.tenant) {
        if (!isTenant(custom.tenant)) {
          errors.push(`Setting "msal.authority": the tenant "${custom.tenant}" must be ${TENANT_FORM}.`);
        }
        tenant = custom.tenant;
      }
    } catch (err) {
      errors.push((err as Error).message);
    }
  } else if (cloud in CLOUD_HOSTS) {
    target = cloudTarget(cloud as CloudName);
  }

  if (errors.length > 0 || !target) {
    return { ok: false, errors };
  }
  return { ok: true, settings: { clientId, tenant, target, signInFlow } };
}
