// OpenID discovery documents, instance discovery and JWKS, shaped like Entra's v2
// documents. Issuer stays https://login.microsoftonline.com/... (as real Entra, and
// as msal-node 7 wants: it checks the issuer's host), endpoints point at this server.

import type { FakeUser } from "./types";
import { OAuthError } from "./errors";
import { CONSUMERS_TENANT_ID, resolveTenant } from "./tenants";

export function openIdConfiguration(url: string, tenantSegment: string, users: readonly FakeUser[]): Record<string, unknown> {
  const t = resolveTenant(tenantSegment, users);
  if (t.kind === "unknown") throw new OAuthError("invalid_tenant", `AADSTS90002: ${t.reason}`);
  // Entra answers a domain with the tenant GUID in its endpoints; aliases stay aliases.
  const seg = t.kind === "alias" ? t.alias : t.tid;
  const issuerTenant = t.kind === "guid" ? t.tid : t.alias === "consumers" ? CONSUMERS_TENANT_ID : "{tenantid}";
  const base = `${url}/${seg}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic", "self_signed_tls_client_auth"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `https://login.microsoftonline.com/${issuerTenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: "https://graph.microsoft.com/oidc/userinfo",
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: [
      "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host",
      "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email",
    ],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: t.kind === "guid" ? "NA" : null,
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: "graph.microsoft.com",
    rbac_url: "https://pas.windows.net",
  };
}

/** GET /common/discovery/instance: lets an msal configured without metadata find us. */
export function instanceDiscovery(url: string, q: URLSearchParams): Record<string, unknown> {
  let tenant = "common";
  const ae = q.get("authorization_endpoint");
  if (ae) {
    try {
      tenant = new URL(ae).pathname.split("/").filter(Boolean)[0] ?? "common";
    } catch {
      // keep "common", as Entra falls back for an unparsable endpoint
    }
  }
  const host = new URL(url).host;
  return {
    tenant_discovery_endpoint: `${url}/${tenant}/v2.0/.well-known/openid-configuration`,
    "api-version": "1.1",
    metadata: [
      {
        preferred_network: "login.microsoftonline.com",
        preferred_cache: "login.windows.net",
        aliases: ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"],
      },
      { preferred_network: host, preferred_cache: host, aliases: [host] },
    ],
  };
}
