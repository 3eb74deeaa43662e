import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";
import { Backoff } from "./backoff";

/** Creates an MSAL AuthError (MSAL passes those through unchanged); MSAL itself is loaded lazily. */
export type AuthErrorFactory = (code: string, message: string) => Error;

export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * MSAL's network module, on Node's fetch, with what MSAL lacks: back-off that survives the cache
 * plugin (no request before Retry-After), a time-out, and refusal of answers MSAL would take for
 * success (a 5xx whose JSON has no `error`) or choke on (non-JSON bodies).
 */
export class HttpClient implements INetworkModule {
  constructor(
    private readonly backoff: Backoff,
    private readonly authError: AuthErrorFactory,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>("GET", url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>("POST", url, options);
  }

  private async send<T>(method: string, url: string, options: NetworkRequestOptions | undefined, timeout?: number): Promise<NetworkResponse<T>> {
    const host = new URL(url).host;
    const blocked = this.backoff.blocked(host);
    if (blocked) {
      const seconds = Math.ceil((blocked.until - Date.now()) / 1000);
      throw this.authError("throttled", `No request was sent to ${host}: ${blocked.reason}; retrying is possible in ${seconds} s.`);
    }
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: options?.headers,
        body: method === "POST" ? options?.body : undefined,
        signal: AbortSignal.timeout(timeout ?? this.timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      const reason = isTimeout(err) ? `no answer within ${Math.round((timeout ?? this.timeoutMs) / 1000)} s` : `it could not be reached (${causeOf(err)})`;
      this.backoff.unreachable(host, `${host}: ${reason}`);
      throw this.authError("network_unreachable", `The identity provider ${host} did not answer: ${reason}. Check your network connection and proxy settings.`);
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    this.backoff.answered(host, response.status, headers["retry-after"]);

    if (response.status === 429) {
      const wait = headers["retry-after"] ? ` (Retry-After: ${headers["retry-after"]} s)` : "";
      throw this.authError("throttled", `The identity provider ${host} asked to slow down (HTTP 429)${wait}. Try again later.`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw this.authError(
        response.status >= 500 ? "server_unavailable" : "invalid_response",
        `The identity provider ${host} answered HTTP ${response.status} with a body that is not JSON. Try again later.`,
      );
    }
    if (response.status >= 500 && !(isObject(body) && typeof body.error === "string")) {
      throw this.authError("server_unavailable", `The identity provider ${host} failed (HTTP ${response.status}). Try again later.`);
    }
    return { headers, body: body as T, status: response.status };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
}

function causeOf(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
