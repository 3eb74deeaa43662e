import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { ICachePlugin, PublicClientApplication } from "@azure/msal-node";
import { emptyDocument, MsalCache } from "../src/cache/cacheDocument";
import { encode } from "../src/cache/storedFormat";
import { cacheKey } from "../src/cache/secretStore";
import { customTarget } from "../src/config/authority";
import { Logger, silentLog } from "../src/logging/logger";
import { MsalClient } from "../src/msal/msalClient";
import { sessionFromResult } from "../src/provider/sessions";
import { parseScopes } from "../src/scopes/scopeRequest";
import { CLIENT_ID } from "../test/support/clients";
import type { FakeEntra } from "../test/fakeEntra";
import { AUTHORITY, barePca, loopbackSignIn } from "./cacheBuilder";
import { readEveryCallFactory } from "./readEveryCallPlugin";
import { LatencySecretStorage, SecretLatency, StorageCounts } from "./secretModel";

export type ContenderName = "floor" | "ours" | "read-every-call" | "msal-node-extensions";
export const CONTENDERS: ContenderName[] = ["floor", "ours", "read-every-call", "msal-node-extensions"];

/** One way of answering token requests, loaded with a given MSAL cache. */
export interface Contender {
  readonly name: ContenderName;
  /** One silent token request, the way this contender's caller makes it; fails unless a token came back. */
  silent(homeAccountId: string, scope: string): Promise<void>;
  /** One interactive sign-in (the fake plays the browser); returns the homeAccountId. */
  signIn(username: string): Promise<string>;
  /** Reads and writes of the contender's storage so far (SecretStorage model, or the file). */
  counts(): StorageCounts;
  dispose(): Promise<void>;
}

/** The secret key MsalClient uses for the bench's client at the fake. */
export function benchCacheKey(fake: FakeEntra): string {
  return cacheKey(CLIENT_ID, customTarget(fake.authority("organizations")).target.key);
}

/** The SecretStorage value each store-backed contender reads: ours keeps a versioned envelope, the baseline MSAL's JSON. */
export function storedValue(name: "ours" | "read-every-call", msalJson: string): string {
  return name === "ours" ? encode({ ...emptyDocument(), msal: JSON.parse(msalJson) as MsalCache }) : msalJson;
}

function check<T extends { accessToken: string; account?: { homeAccountId: string } | null }>(result: T | null): T & { account: { homeAccountId: string } } {
  if (!result?.accessToken || !result.account) throw new Error("no access token");
  return result as T & { account: { homeAccountId: string } };
}

/** MsalClient over one window's view of a SecretStorage model (ours, or the baseline plugin). */
export function storeClient(name: "ours" | "read-every-call", fake: FakeEntra, store: ReturnType<LatencySecretStorage["window"]>): MsalClient {
  // As test/support/clients.ts makeClient builds a window's client, with a log that keeps nothing
  // (MSAL's messages still go through the redacting Logger, as in the extension).
  const { target } = customTarget(fake.authority("organizations"));
  return new MsalClient({
    clientId: CLIENT_ID,
    target,
    defaultTenant: "organizations",
    store,
    log: new Logger(silentLog),
    ...(name === "ours" ? {} : { createCachePlugin: readEveryCallFactory }),
  });
}

/**
 * A contender loaded with `msalJson`. `storage` (for the SecretStorage contenders) may be given
 * already holding the value, so that a heap measurement leaves out what lives in the editor's
 * main process, not in the extension host.
 */
export async function createContender(name: ContenderName, fake: FakeEntra, msalJson: string, secretLatency: SecretLatency, storage?: LatencySecretStorage): Promise<Contender> {
  switch (name) {
    case "floor": {
      const pca = barePca(fake);
      pca.getTokenCache().deserialize(msalJson);
      return pcaContender(name, pca, fake, () => ({ reads: 0, writes: 0 }), async () => undefined);
    }
    case "ours":
    case "read-every-call": {
      if (!storage) {
        storage = new LatencySecretStorage(secretLatency);
        storage.values.set(benchCacheKey(fake), storedValue(name, msalJson));
      }
      const view = storage.window();
      const client = storeClient(name, fake, view);
      await warm(client);
      return {
        name,
        // The provider's pure path: parse the caller's scopes, ask the client, build the session.
        silent: async (homeAccountId, scope) => {
          const request = parseScopes([scope]);
          const result = check(await client.acquireTokenSilent(homeAccountId, request.scopes, request.tenant));
          sessionFromResult(result, request.original);
        },
        signIn: async (username) =>
          check(await client.signIn((pca, authority) => loopbackSignIn(pca, fake, username, authority))).account.homeAccountId,
        counts: () => ({ ...view.counts }),
        dispose: async () => {
          client.dispose();
          view.dispose();
        },
      };
    }
    case "msal-node-extensions": {
      const ext = loadExtensions();
      const dir = mkdtempSync(join(tmpdir(), "msal-bench-"));
      const file = join(dir, "cache.json");
      writeFileSync(file, msalJson, { mode: 0o600 });
      const persistence = await ext.FilePersistence.create(file);
      const counts: StorageCounts = { reads: 0, writes: 0 };
      const load = persistence.load.bind(persistence);
      const save = persistence.save.bind(persistence);
      persistence.load = async () => { counts.reads++; return load(); };
      persistence.save = async (contents: string) => { counts.writes++; return save(contents); };
      const pca = barePca(fake, new ext.PersistenceCachePlugin(persistence) as ICachePlugin);
      return pcaContender(name, pca, fake, () => ({ ...counts }), async () => rmSync(dir, { recursive: true, force: true }));
    }
  }
}

/**
 * Creates the client's MSAL application now (one discovery fetch), retrying once: a keep-alive
 * socket that the fake closed while idle may answer ECONNRESET to the first request.
 */
export async function warm(client: MsalClient): Promise<void> {
  try {
    await client.accounts();
  } catch (err) {
    warmRetries.push(err instanceof Error ? err.message.split("\n")[0]! : String(err));
    await client.accounts();
  }
}
export const warmRetries: string[] = [];

/** performance.now() when `client` next reports an account change (by usernames) that `accept` takes. */
export function accountsChangeAt(client: MsalClient, accept: (added: string[], removed: string[]) => boolean, who: string, timeoutMs = 30_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`${who}: no onDidChangeAccounts within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const sub = client.onDidChangeAccounts((change) => {
      if (accept(change.added.map((x) => x.username), change.removed.map((x) => x.username))) {
        clearTimeout(timer);
        sub.dispose();
        resolve(performance.now());
      }
    });
  });
}

/** A bare PublicClientApplication called directly: the account by id, then acquireTokenSilent. */
function pcaContender(name: ContenderName, pca: PublicClientApplication, fake: FakeEntra, counts: () => StorageCounts, dispose: () => Promise<void>): Contender {
  return {
    name,
    silent: async (homeAccountId, scope) => {
      const account = await pca.getTokenCache().getAccountByHomeId(homeAccountId);
      if (!account) throw new Error(`account ${homeAccountId} not in the cache`);
      check(await pca.acquireTokenSilent({ account, scopes: [scope], authority: AUTHORITY }));
    },
    signIn: async (username) => check(await loopbackSignIn(pca, fake, username)).account.homeAccountId,
    counts,
    dispose,
  };
}

// ---- @azure/msal-node-extensions, loaded at run time (an optional dev dependency) ----

interface Extensions {
  FilePersistence: { create(path: string): Promise<{ load(): Promise<string | null>; save(contents: string): Promise<void> } & Record<string, unknown>> };
  PersistenceCachePlugin: new (persistence: unknown) => unknown;
}

let extensions: Extensions | undefined | null = null;

/**
 * Its CommonJS build requires `keytar` at load time, a native module that needs libsecret's headers
 * to build on Linux. The bench uses only FilePersistence, which never calls keytar: when keytar's
 * binding is missing, a stub stands in for it.
 */
export function loadExtensions(): Extensions {
  const found = tryLoadExtensions();
  if (!found) throw new Error("@azure/msal-node-extensions is not installed");
  return found;
}

export function tryLoadExtensions(): Extensions | undefined {
  if (extensions !== null) return extensions;
  const id = "@azure/msal-node-extensions";
  try {
    extensions = require(id) as Extensions;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" && !String((err as Error).message).includes("keytar")) {
      extensions = undefined;
      return extensions;
    }
    const keytarPath = require.resolve("keytar", { paths: [dirname(require.resolve(id))] });
    const stub = new (require("node:module") as typeof import("node:module"))(keytarPath);
    stub.filename = keytarPath;
    stub.loaded = true;
    stub.exports = {};
    require.cache[keytarPath] = stub;
    extensions = require(id) as Extensions;
    keytarStubbed = true;
  }
  return extensions;
}

export let keytarStubbed = false;

export function extensionsVersion(): string | undefined {
  try {
    return (require("@azure/msal-node-extensions/package.json") as { version: string }).version;
  } catch {
    return undefined;
  }
}
