// Entra-shaped OAuth error bodies. msal reads `error`, `error_description`, `suberror`,
// `error_codes`, `timestamp`, `trace_id` and `correlation_id`, so all are present.

import { randomUUID } from "node:crypto";

export interface EntraErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri?: string;
  suberror?: string;
  [extra: string]: unknown;
}

/** Entra's timestamp format: "2024-05-01 12:34:56Z". */
function entraTimestamp(d = new Date()): string {
  return d.toISOString().replace("T", " ").replace(/\.\d{3}Z$/, "Z");
}

/** Default HTTP status of an OAuth error code, as Entra answers it. */
export function statusForError(error: string): number {
  switch (error) {
    case "invalid_client":
      return 401;
    case "server_error":
      return 500;
    case "temporarily_unavailable":
      return 503;
    default:
      return 400;
  }
}

/** Default description for an error code, used when a fault gives none. */
export function defaultDescription(error: string, suberror?: string): string {
  switch (error) {
    case "invalid_grant":
      return "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.";
    case "interaction_required":
      return suberror === "basic_action"
        ? "AADSTS50079: Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access the application."
        : "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.";
    case "invalid_client":
      return "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.";
    case "temporarily_unavailable":
      return "AADSTS90033: A transient error has occurred. Please try again.";
    case "server_error":
      return "AADSTS50000: There was an error issuing a token or an issue with our sign-in service.";
    case "unauthorized_client":
      return "AADSTS700016: Application with identifier was not found in the directory.";
    default:
      return `AADSTS90000: ${error}.`;
  }
}

export function errorBody(
  error: string,
  description: string,
  opts: { suberror?: string; correlationId?: string } = {},
): EntraErrorBody {
  const traceId = randomUUID();
  const correlationId = opts.correlationId ?? randomUUID();
  const timestamp = entraTimestamp();
  const codes = [...description.matchAll(/AADSTS(\d+)/g)].map((m) => Number(m[1]));
  const body: EntraErrorBody = {
    error,
    // Entra appends these three lines to every description.
    error_description: `${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: codes,
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
  };
  if (codes.length > 0) body.error_uri = `https://login.microsoftonline.com/error?code=${codes[0]}`;
  if (opts.suberror) body.suberror = opts.suberror;
  return body;
}

/** An error raised by a handler, turned into a JSON error response by the router. */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status: number = statusForError(error),
    readonly suberror?: string,
  ) {
    super(`${error}: ${description}`);
  }
}

export const missingParam = (name: string): OAuthError =>
  new OAuthError("invalid_request", `AADSTS900144: The request body must contain the following parameter: '${name}'.`);
