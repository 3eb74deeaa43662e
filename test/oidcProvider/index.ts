// Public entry point of the test OpenID Provider (oidc-provider on https://127.0.0.1).
export { startOidcProvider, OIDC_CLIENT_ID, OIDC_USERS } from "./server";
export type { OidcTestProvider, OidcTestProviderOptions, OidcUser, TokenRequestRecord } from "./server";
export { makeTestCertificates } from "./certificate";
export type { TestCertificates } from "./certificate";
