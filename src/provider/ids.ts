/** The provider's identity: other extensions depend on these, never change them. */
export const PROVIDER_ID = "msal";
export const PROVIDER_LABEL = "Microsoft Entra ID";
