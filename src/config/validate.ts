/** Shapes of the identifiers that appear in settings and special scopes. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A tenant id (GUID), a verified domain, or one of the multi-tenant aliases. */
const TENANT = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*$/;

export const MULTI_TENANT_ALIASES = new Set(["organizations", "common", "consumers"]);

export function isClientId(value: string): boolean {
  return GUID.test(value);
}

/** A tenant named by its id (a GUID), not by a domain or an alias. */
export function isTenantId(value: string): boolean {
  return GUID.test(value);
}

export function isTenant(value: string): boolean {
  return TENANT.test(value);
}

/**
 * A client id registered at a generic OpenID Provider: providers choose their own forms (names,
 * numbers, domains). "@" is left out because it separates client and provider in a cache's secret key.
 */
const OIDC_CLIENT_ID = /^[A-Za-z0-9._~:/+=-]{1,255}$/;

export function isOidcClientId(value: string): boolean {
  return OIDC_CLIENT_ID.test(value);
}

export const CLIENT_ID_FORM = "a GUID (the Application (client) ID of a public-client app registration), e.g. 04b07795-8ddb-461a-bbee-02f9e1bf7b46";
export const TENANT_FORM = `"organizations", "common", "consumers", a tenant ID (GUID) or a verified domain such as contoso.onmicrosoft.com`;
export const OIDC_CLIENT_ID_FORM = "the client ID of your application at the OpenID Provider: 1 to 255 letters, digits or . _ ~ : / + = -";
