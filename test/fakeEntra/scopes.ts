// Scope handling as the Entra v2 endpoint does it: OIDC scopes are not a resource,
// one token is for exactly one resource, bare scope names mean Microsoft Graph.

export const OIDC_SCOPES: ReadonlySet<string> = new Set(["openid", "profile", "offline_access", "email"]);

const GRAPH = "https://graph.microsoft.com";
/** Graph's application id; Entra puts it in `aud` of Graph tokens. */
const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

export interface ScopeGrant {
  /** `aud` of the access token. */
  audience: string;
  /** `scp` claim. */
  scp: string;
  /** `scope` field of the token response. */
  responseScope: string;
  offlineAccess: boolean;
  openid: boolean;
}

export type ScopeResult = { ok: true; grant: ScopeGrant } | { ok: false; description: string };

function splitResource(scope: string): { resource: string; name: string } {
  const slash = scope.lastIndexOf("/");
  if (slash <= 0) return { resource: GRAPH, name: scope };
  let resource = scope.slice(0, slash);
  if (resource.toLowerCase() === GRAPH || resource.toLowerCase() === GRAPH_APP_ID) resource = GRAPH;
  return { resource, name: scope.slice(slash + 1) };
}

export function splitScopes(scope: string | undefined): string[] {
  return [...new Set((scope ?? "").split(/\s+/).filter((s) => s.length > 0))];
}

export function grantScopes(scope: string | undefined): ScopeResult {
  const all = splitScopes(scope);
  const lower = all.map((s) => s.toLowerCase());
  const resourceScopes = all.filter((s) => !OIDC_SCOPES.has(s.toLowerCase()));
  const parts = resourceScopes.map(splitResource);
  const resources = [...new Set(parts.map((p) => p.resource.toLowerCase()))];
  if (resources.length > 1) {
    return {
      ok: false,
      description:
        "AADSTS28000: Provided value for the input parameter scope is not valid because it contains more than one resource. Scope " +
        `${all.join(" ")} is not valid.`,
    };
  }
  const resource = parts[0]?.resource ?? GRAPH;
  const names = parts.length > 0 ? parts.map((p) => (p.name === ".default" ? "user_impersonation" : p.name)) : ["User.Read"];
  return {
    ok: true,
    grant: {
      audience: resource === GRAPH ? GRAPH_APP_ID : resource,
      scp: names.join(" "),
      // Echo what was asked for (minus OIDC scopes): msal keys its access-token cache on it.
      responseScope: resourceScopes.length > 0 ? resourceScopes.join(" ") : "User.Read",
      offlineAccess: lower.includes("offline_access"),
      openid: lower.includes("openid"),
    },
  };
}
