/**
 * Where credentials are sent: pure resolution of the `msal.protocol`, `msal.cloud`, `msal.tenant`
 * and `msal.authority` settings into what MSAL needs.
 */
/** `entra`: Microsoft Entra ID (tenants, client_info, Graph); `oidc`: any standard OpenID Provider. */
export type Protocol = "entra" | "oidc";

export type CloudName = "public" | "usGovernment" | "china";

export const CLOUD_HOSTS: Record<CloudName, string> = {
  public: "login.microsoftonline.com",
  usGovernment: "login.microsoftonline.us",
  china: "login.chinacloudapi.cn",
};

export interface AuthorityTarget {
  /** Identifies the identity provider; one MSAL client and one secret per client id and target. */
  readonly key: string;
  readonly protocol: Protocol;
  /**
   * The https authority base handed to MSAL (without tenant for Entra clouds). MSAL refuses
   * http authorities, so a loopback development server is addressed as the public cloud and its
   * real endpoints come from `metadataUrl`.
   */
  readonly msalBase: string;
  /** Whether a tenant path segment is appended per request (Entra clouds and loopback). */
  readonly tenantInPath: boolean;
  /** Loopback development server: discovery document to fetch and pass as `authorityMetadata`. */
  readonly loopbackUrl?: string;
  /** Hosts MSAL must trust without instance discovery (custom authorities: CIAM, B2C). */
  readonly knownAuthorities: string[];
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

export function cloudTarget(cloud: CloudName): AuthorityTarget {
  const base = `https://${CLOUD_HOSTS[cloud]}`;
  return { key: base, protocol: "entra", msalBase: base, tenantInPath: true, knownAuthorities: [] };
}

/** Prefix of an OpenID Provider's target key: its tokens never share a secret with an Entra authority at the same URL. */
const OIDC_KEY_PREFIX = "oidc:";

/**
 * A URL from a setting, checked for what no authority may carry. Throws a message naming the
 * setting and the expected form.
 */
function parseAuthorityUrl(raw: string, setting: string, example: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`Setting "${setting}" must be an absolute URL such as ${example}; got "${raw}".`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new Error(`Setting "${setting}" must not contain a user name, password, query or fragment; got "${raw}".`);
  }
  return url;
}

/** The URL without trailing slashes: "https://id.example.com/" and "https://id.example.com" are one provider. */
function baseOf(url: URL): string {
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/**
 * A custom authority URL: https anywhere (Entra External ID, B2C user flows), plain http only on
 * loopback (a local identity provider for development and tests). Throws a message naming the
 * setting and the expected form.
 */
export function customTarget(raw: string, setting = "msal.authority"): { target: AuthorityTarget; tenant?: string } {
  const url = parseAuthorityUrl(raw, setting, "https://contoso.ciamlogin.com/contoso.onmicrosoft.com");
  const path = url.pathname.replace(/\/+$/, "");
  if (url.protocol === "http:") {
    if (!isLoopbackHost(url.hostname)) {
      throw new Error(
        `Setting "${setting}" uses plain http with host "${url.hostname}": http is accepted only on loopback (127.0.0.1, localhost, [::1]) for local development. Use an https URL.`,
      );
    }
    const segments = path.split("/").filter(Boolean);
    if (segments.length > 1) {
      throw new Error(`Setting "${setting}": a loopback authority has the form http://127.0.0.1:PORT/<tenant>; got "${raw}".`);
    }
    const origin = url.origin;
    return {
      target: { key: origin, protocol: "entra", msalBase: `https://${CLOUD_HOSTS.public}`, tenantInPath: true, loopbackUrl: origin, knownAuthorities: [] },
      tenant: segments[0],
    };
  }
  if (url.protocol !== "https:") {
    throw new Error(`Setting "${setting}" must be an https URL; got "${raw}".`);
  }
  const base = baseOf(url);
  return { target: { key: base, protocol: "entra", msalBase: base, tenantInPath: false, knownAuthorities: [url.host] } };
}

/**
 * A generic OpenID Provider, named by its issuer URL (discovery at `<issuer>/.well-known/openid-configuration`).
 * https only: MSAL refuses http authorities, and the loopback trick used for a local Entra server
 * (answering as login.microsoftonline.com) would put MSAL back into Entra's ways. Its host is
 * trusted as it is (`knownAuthorities`), so no Microsoft instance discovery is ever asked.
 */
export function oidcTarget(raw: string, setting = "msal.authority"): AuthorityTarget {
  const url = parseAuthorityUrl(raw, setting, "https://id.example.com/realms/dev");
  if (url.protocol !== "https:") {
    throw new Error(`Setting "${setting}" must be the https issuer URL of your OpenID Provider when "msal.protocol" is "oidc"; got "${raw}".`);
  }
  const base = baseOf(url);
  return { key: `${OIDC_KEY_PREFIX}${base}`, protocol: "oidc", msalBase: base, tenantInPath: false, knownAuthorities: [url.host] };
}

/** The authority for one request: the tenant goes into the path where the target has one. */
export function requestAuthority(target: AuthorityTarget, tenant: string): string {
  return target.tenantInPath ? `${target.msalBase}/${tenant}` : target.msalBase;
}

/** The discovery document URL of a loopback development server for a tenant. */
export function loopbackDiscoveryUrl(loopbackUrl: string, tenant: string): string {
  return `${loopbackUrl}/${encodeURIComponent(tenant)}/v2.0/.well-known/openid-configuration`;
}
