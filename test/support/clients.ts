import type { AuthenticationResult } from "@azure/msal-node";
import { customTarget } from "../../src/config/authority";
import { SecretStore } from "../../src/cache/secretStore";
import { signInWithDeviceCode } from "../../src/flows/deviceCodeFlow";
import { signInWithLoopback } from "../../src/flows/loopbackFlow";
import { Logger } from "../../src/logging/logger";
import { MsalClient, MsalClientOptions } from "../../src/msal/msalClient";
import { FakeEntra } from "../fakeEntra";
import { CapturingLog } from "./capturingLog";
import { TestSignal } from "./signal";

export const CLIENT_ID = "aebc6443-996d-45c2-90f0-388ff96faa56";
/** No `//` in it: the same scope is used through code-server's proxy, which collapses `//`. */
export const SCOPE = "6f7c9a1e-0000-4000-8000-000000000001/.default";

/** One "window": an MsalClient over a window's view of the shared secret storage, like the extension builds it. */
export function makeClient(fake: FakeEntra, store: SecretStore, log = new CapturingLog(), clientId = CLIENT_ID, extra: Partial<MsalClientOptions> = {}): MsalClient {
  const { target } = customTarget(fake.authority("organizations"));
  return new MsalClient({ clientId, target, defaultTenant: "organizations", store, log: new Logger(log), ...extra });
}

/** Interactive sign-in where the fake plays the browser (a person picking `username`). */
export function signInLoopback(
  client: MsalClient,
  fake: FakeEntra,
  username: string,
  options: { signal?: TestSignal; tenant?: string; scopes?: string[]; log?: CapturingLog; claims?: string } = {},
): Promise<AuthenticationResult> {
  return client.signIn(
    (pca, authority) =>
      signInWithLoopback(pca, authority, {
        scopes: options.scopes ?? [SCOPE],
        claims: options.claims,
        signal: options.signal ?? new TestSignal(),
        log: new Logger(options.log ?? new CapturingLog()),
        openBrowser: async (url) => {
          // Like openExternal: returns at once, the person acts in the browser afterwards.
          void fake.completeAuthorize(url, { username }).catch(() => undefined);
        },
      }),
    options.tenant,
  );
}

export function signInDeviceCode(client: MsalClient, fake: FakeEntra, username: string, signal = new TestSignal(), claims?: string): Promise<AuthenticationResult> {
  return client.signIn((pca, authority) =>
    signInWithDeviceCode(pca, authority, {
      scopes: [SCOPE],
      claims,
      signal,
      log: new Logger(new CapturingLog()),
      showCode: (prompt) => fake.approveDeviceCode(prompt.userCode, username),
    }),
  );
}
