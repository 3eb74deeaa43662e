import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";

/**
 * Parameters and headers msal-node adds to authorize and token requests for Entra ID, in OIDC mode
 * too: `client_info` and `clidata` ask Entra for its own data, `client-request-id` is Entra's
 * correlation id, `X-AnchorMailbox` routes to Entra's cache service (with the user's name or ids
 * in it), `x-ms-lib-capability` announces Entra's throttling, `x-client-*` and `x-app-*` are
 * Microsoft library telemetry. A standard provider ignores what it does not know (RFC 6749, 3.1
 * and 3.2), but these are none of its business, so an OpenID Provider never gets them.
 */
const ENTRA_ONLY = /^(client_info|clidata|(return-)?client-request-id|x-anchormailbox|x-ms-[a-z-]+|x-client-[a-z]+|x-app-[a-z]+)$/i;
/**
 * Id token claims msal-node requests from Entra in a `claims` parameter on every request (sign-in
 * state, Entra's login hint, sovereign region). The claims request itself is standard (OpenID
 * Connect Core 5.5), so only these members are removed, and the parameter when nothing is left.
 */
const ENTRA_ID_TOKEN_CLAIMS = ["signin_state", "login_hint", "tenant_region_sub_scope"];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The claims request without Entra's default members; undefined when nothing else was asked. */
function withoutEntraClaims(claims: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(claims);
  } catch {
    return claims; // not MSAL's: leave it for the provider to judge
  }
  if (!isObject(parsed)) {
    return claims;
  }
  const idToken = parsed.id_token;
  if (isObject(idToken)) {
    for (const name of ENTRA_ID_TOKEN_CLAIMS) delete idToken[name];
    if (Object.keys(idToken).length === 0) delete parsed.id_token;
  }
  return Object.keys(parsed).length > 0 ? JSON.stringify(parsed) : undefined;
}

function withoutEntraParameters(params: URLSearchParams): URLSearchParams {
  for (const name of [...params.keys()]) {
    if (ENTRA_ONLY.test(name)) params.delete(name);
  }
  const claims = params.get("claims");
  if (claims !== null) {
    const rest = withoutEntraClaims(claims);
    if (rest === undefined) params.delete("claims");
    else params.set("claims", rest);
  }
  return params;
}

/** The authorize URL MSAL built, without Entra's parameters. */
export function oidcAuthorizeUrl(url: string): string {
  const parsed = new URL(url);
  parsed.search = withoutEntraParameters(parsed.searchParams).toString();
  return parsed.toString();
}

/** A form-encoded request body without Entra's parameters. */
export function oidcRequestBody(body: string): string {
  return withoutEntraParameters(new URLSearchParams(body)).toString();
}

/** Request headers without Entra's. */
export function oidcRequestHeaders(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  return headers && Object.fromEntries(Object.entries(headers).filter(([name]) => !ENTRA_ONLY.test(name)));
}

/** MSAL's network module for an OpenID Provider: requests go out without Entra's parameters and headers. */
export class OidcNetworkModule implements INetworkModule {
  constructor(private readonly inner: INetworkModule) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.inner.sendGetRequestAsync<T>(url, { ...options, headers: oidcRequestHeaders(options?.headers) }, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    const body = options?.body === undefined ? undefined : oidcRequestBody(options.body);
    return this.inner.sendPostRequestAsync<T>(url, { ...options, headers: oidcRequestHeaders(options?.headers), body });
  }
}
