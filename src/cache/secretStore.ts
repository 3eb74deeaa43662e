/**
 * The part of vscode.SecretStorage the cache needs. vscode.SecretStorage satisfies it as it is;
 * tests use an in-memory model.
 */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
  keys(): PromiseLike<readonly string[]>;
  onDidChange(listener: (event: { key: string }) => unknown): { dispose(): unknown };
}

/** Secret keys: one per MSAL client (client id and identity provider). */
export const CACHE_KEY_PREFIX = "msal.cache:";

export function cacheKey(clientId: string, targetKey: string): string {
  return `${CACHE_KEY_PREFIX}${clientId}@${targetKey}`;
}

export const SET_ASIDE_PREFIX = "msal.corrupt:";

/** Where a stored value that could not be read is kept, so nothing is lost. */
export function setAsideKey(key: string, at: Date): string {
  return `${SET_ASIDE_PREFIX}${at.toISOString()}:${key}`;
}

export function parseCacheKey(key: string): { clientId: string; targetKey: string } | undefined {
  if (!key.startsWith(CACHE_KEY_PREFIX)) {
    return undefined;
  }
  const rest = key.slice(CACHE_KEY_PREFIX.length);
  const at = rest.indexOf("@");
  return at > 0 ? { clientId: rest.slice(0, at), targetKey: rest.slice(at + 1) } : undefined;
}
