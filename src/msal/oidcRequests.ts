import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";

/**
 * Parameters msal-node adds to authorize and token requests for Entra ID, in OIDC mode too:
 * `client_info` and `clidata` ask Entra for its own data, `x-ms-lib-capability` announces Entra's
 * throttling, `x-client-*` and `x-app-*` are Microsoft library telemetry. A standard provider
 * ignores parameters it does not know (RFC 6749, 3.1 and 3.2), but they are none of its business,
 * so an OpenID Provider never gets them.
 */
const ENTRA_ONLY = /^(client_info|clidata|x-ms-[a-z-]+|x-client-[a-z]+|x-app-[a-z]+)$/i;

function withoutEntraParameters(params: URLSearchParams): URLSearchParams {
  for (const name of [...params.keys()]) {
    if (ENTRA_ONLY.test(name)) params.delete(name);
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

/** MSAL's network module for an OpenID Provider: requests go out without Entra's parameters. */
export class OidcNetworkModule implements INetworkModule {
  constructor(private readonly inner: INetworkModule) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.inner.sendGetRequestAsync<T>(url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    const body = options?.body === undefined ? undefined : oidcRequestBody(options.body);
    return this.inner.sendPostRequestAsync<T>(url, { ...options, body });
  }
}
