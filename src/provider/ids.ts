import type { AuthorityTarget } from "../config/authority";

/** The provider's identity: other extensions depend on these, never change them. */
export const PROVIDER_ID = "msal";
export const PROVIDER_LABEL = "Microsoft Entra ID";

/** The identity provider as people know it: Entra ID, or an OpenID Provider's host (not its whole issuer URL). */
export function identityProviderName(target: AuthorityTarget): string {
  return target.protocol === "oidc" ? new URL(target.msalBase).host : PROVIDER_LABEL;
}
