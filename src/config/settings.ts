import { AuthorityTarget, CloudName, CLOUD_HOSTS, cloudTarget, customTarget, oidcTarget, Protocol } from "./authority";
import { CLIENT_ID_FORM, isClientId, isOidcClientId, isTenant, OIDC_CLIENT_ID_FORM, TENANT_FORM } from "./validate";

/** The public developer client that the Azure Identity SDK uses by default for interactive sign-in. */
export const DEFAULT_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
export const DEFAULT_TENANT = "organizations";

export type SignInFlowSetting = "auto" | "loopback" | "deviceCode";
const FLOWS: readonly SignInFlowSetting[] = ["auto", "loopback", "deviceCode"];
const PROTOCOLS: readonly Protocol[] = ["entra", "oidc"];

/** Raw values as read from the configuration (any JSON a user may have typed). */
export interface RawSettings {
  protocol?: unknown;
  clientId?: unknown;
  tenant?: unknown;
  cloud?: unknown;
  authority?: unknown;
  signInFlow?: unknown;
}

export interface Settings {
  readonly clientId: string;
  /** The default tenant of Entra requests; empty for an OpenID Provider, which has none. */
  readonly tenant: string;
  readonly target: AuthorityTarget;
  readonly signInFlow: SignInFlowSetting;
}

export type SettingsResult = { ok: true; settings: Settings } | { ok: false; errors: string[] };

type Text = (name: keyof RawSettings, fallback: string) => string;

/** Validates every setting and collects one message per bad setting, naming it and the expected form. */
export function resolveSettings(raw: RawSettings): SettingsResult {
  const errors: string[] = [];
  const text: Text = (name, fallback) => {
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

  const signInFlow = text("signInFlow", "auto") as SignInFlowSetting;
  if (!FLOWS.includes(signInFlow)) {
    errors.push(`Setting "msal.signInFlow" must be one of ${FLOWS.join(", ")}; got "${signInFlow}".`);
  }
  const protocol = text("protocol", "entra") as Protocol;
  if (!PROTOCOLS.includes(protocol)) {
    errors.push(`Setting "msal.protocol" must be one of ${PROTOCOLS.join(", ")}; got "${protocol}".`);
    return { ok: false, errors };
  }
  const resolved = protocol === "oidc" ? resolveOidc(text, errors) : resolveEntra(text, errors);
  if (errors.length > 0 || !resolved) {
    return { ok: false, errors };
  }
  return { ok: true, settings: { ...resolved, signInFlow } };
}

type Resolved = Omit<Settings, "signInFlow"> | undefined;

function resolveEntra(text: Text, errors: string[]): Resolved {
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
  return target && { clientId, tenant, target };
}

/**
 * A generic OpenID Provider: the issuer in `msal.authority` and a client registered there are both
 * required (the default client id is a Microsoft one). `msal.tenant` and `msal.cloud` are
 * Entra's and are not read, so a left-over value there cannot block this mode.
 */
function resolveOidc(text: Text, errors: string[]): Resolved {
  const clientId = text("clientId", "");
  if (!clientId || clientId === DEFAULT_CLIENT_ID) {
    errors.push(
      `Setting "msal.clientId" must be the client ID of your application at the OpenID Provider when "msal.protocol" is "oidc" (the default is a Microsoft client). Register a public (native) client with the redirect URI http://localhost.`,
    );
  } else if (!isOidcClientId(clientId)) {
    errors.push(`Setting "msal.clientId" must be ${OIDC_CLIENT_ID_FORM}; got "${clientId}".`);
  }
  const authority = text("authority", "");
  if (!authority) {
    errors.push(`Setting "msal.authority" must be the https issuer URL of your OpenID Provider when "msal.protocol" is "oidc", e.g. https://id.example.com/realms/dev.`);
    return undefined;
  }
  try {
    return { clientId, tenant: "", target: oidcTarget(authority) };
  } catch (err) {
    errors.push((err as Error).message);
    return undefined;
  }
}
