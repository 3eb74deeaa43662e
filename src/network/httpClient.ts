import * as http from "http";
import * as https from "https";
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";
import { Backoff } from "./backoff";
import { NO_PROXY_SETTINGS, ProxyAgents } from "./proxy";

/** Creates an MSAL AuthError (MSAL passes those through unchanged); MSAL itself is loaded lazily. */
export type AuthErrorFactory = (code: string, message: string) => Error;

export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * MSAL's network module, with what MSAL lacks: the editor's proxy settings, back-off that survives
 * the cache plugin (no request before Retry-After), a time-out, and refusal of answers MSAL would
 * take for success (a 5xx whose JSON has no `error`) or choke on (non-JSON bodies).
 */
export class HttpClient implements INetworkModule {
  constructor(
    private readonly backoff: Backoff,
    private readonly authError: AuthErrorFactory,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
    private readonly proxies = new ProxyAgents(() => NO_PROXY_SETTINGS),
    /** Agent of https requests sent without a proxy; Node's default when omitted (tests trust their own CA with it). */
    private readonly directHttpsAgent?: https.Agent,
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
    let response: RawResponse;
    const limit = timeout ?? this.timeoutMs;
    try {
      const agent = this.proxies.agentFor(url) ?? (url.startsWith("https:") ? this.directHttpsAgent : undefined);
      response = await request(url, method, options, limit, agent);
    } catch (err) {
      const reason = isTimeout(err) ? `no answer within ${Math.round(limit / 1000)} s` : `it could not be reached ${this.proxies.describe(url)} (${causeOf(err)})`;
      this.backoff.unreachable(host, `${host}: ${reason}`);
      throw this.authError("network_unreachable", `The identity provider ${host} did not answer: ${reason}. Check your network connection and proxy settings (http.proxy).`);
    }
    const { headers, text } = response;
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

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly text: string;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * One request. A kept-alive connection that the server closed while idle fails at once with
 * ECONNRESET before the server saw anything; that one is retried on a new connection (as Node's
 * documentation advises), anything else is not.
 */
async function request(url: string, method: string, options: NetworkRequestOptions | undefined, timeoutMs: number, agent: http.Agent | undefined): Promise<RawResponse> {
  try {
    return await requestOnce(url, method, options, timeoutMs, agent);
  } catch (err) {
    if ((err as { reusedSocket?: boolean }).reusedSocket && (err as { code?: string }).code === "ECONNRESET") {
      return requestOnce(url, method, options, timeoutMs, agent);
    }
    throw err;
  }
}

function requestOnce(url: string, method: string, options: NetworkRequestOptions | undefined, timeoutMs: number, agent: http.Agent | undefined): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith("https:") ? https.request : http.request;
    const req = send(url, { method, headers: options?.headers, agent, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) req.destroy(new Error(`answer over ${MAX_BODY_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on("end", () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
        }
        resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString("utf8") });
      });
      res.on("error", reject);
    });
    req.on("error", (err) => reject(Object.assign(err, { reusedSocket: req.reusedSocket })));
    req.end(method === "POST" ? options?.body : undefined);
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
}

function causeOf(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return e.code ?? e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
