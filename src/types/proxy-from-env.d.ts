// proxy-from-env ships no types; this is the one function we use.
declare module "proxy-from-env" {
  /** The proxy URL for `url` from HTTP(S)_PROXY / NO_PROXY, or "" when none applies. */
  export function getProxyForUrl(url: string | URL): string;
}
