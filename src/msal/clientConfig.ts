import type { Configuration, INetworkModule, LogLevel } from "@azure/msal-node";
import { AuthorityTarget, loopbackDiscoveryUrl, requestAuthority } from "../config/authority";
import { LogSink } from "../logging/logger";

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
  return {
    auth: {
      clientId,
      authority: requestAuthority(target, tenant),
      knownAuthorities: target.knownAuthorities,
      authorityMetadata,
    },
    cache: { cachePlugin },
    system: {
      networkClient,
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
