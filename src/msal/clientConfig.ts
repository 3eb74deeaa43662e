import type { Configuration, INetworkModule, LogLevel } from "@azure/msal-node";
import { AuthorityTarget, loopbackDiscoveryUrl, requestAuthority } from "../config/authority";
import { LogSink } from "../logging/logger";
import { OidcNetworkModule } from "./oidcRequests";

export type MetadataFetcher = (url: string) => Promise<string>;

/** MSAL log levels, numbered as in msal-common (the enum is not loaded until MSAL is). */
const ERROR = 0, WARNING = 1, INFO = 2, VERBOSE = 3;

export async function buildConfiguration(
  clientId: string,
  target: AuthorityTarget,
  tenant: string,
  cachePlugin: NonNullable<Configuration["cache"]>["cachePlugin"],
  log: LogSink,
  networkClient: INetworkModule,
  /** Fetches a loopback development server's discovery document; MSAL cannot use http authorities. */
  getMetadata: MetadataFetcher,
): Promise<Configuration> {
  const authorityMetadata = target.loopbackUrl ? await getMetadata(loopbackDiscoveryUrl(target.loopbackUrl, tenant)) : undefined;
  const oidc = target.protocol === "oidc";
  return {
    auth: {
      clientId,
      authority: requestAuthority(target, tenant),
      knownAuthorities: target.knownAuthorities,
      authorityMetadata,
    },
    cache: { cachePlugin },
    system: {
      // OIDC mode: no Entra assumptions (client_info, tenants, instance discovery; knownAuthorities
      // holds the issuer's host), and requests carry no Entra parameters.
      protocolMode: oidc ? "OIDC" : "AAD",
      networkClient: oidc ? new OidcNetworkModule(networkClient) : networkClient,
      loggerOptions: {
        // MSAL's messages go through our redacting logger; personal data stays off.
        piiLoggingEnabled: false,
        logLevel: INFO as LogLevel,
        loggerCallback: (level: LogLevel, message: string) => {
          const line = `[msal] ${message}`;
          if (level === ERROR) log.error(line);
          else if (level === WARNING) log.warn(line);
          else if (level === INFO) log.debug(line);
          else if (level === VERBOSE) log.trace(line);
        },
      },
    },
  };
}
