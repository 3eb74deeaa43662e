// Injected faults: a FIFO queue; each fault answers the next `count` matching requests.
// A faulted request is NOT processed (a refresh token is not rotated, a code not used),
// like a gateway or throttling layer in front of the real service.

import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { FaultEndpoint, FaultSpec, FakeRequestRecord } from "./types";
import { defaultDescription, errorBody } from "./errors";
import { baseHeaders, sendJson } from "./http";

const DEVICE_CODE_URN = "urn:ietf:params:oauth:grant-type:device_code";

/** msal-node sends grant_type=device_code, RFC 8628 says the urn; treat them as one. */
export function normalizeGrantType(g: string | undefined): string | undefined {
  return g === DEVICE_CODE_URN ? "device_code" : g;
}

interface Queued {
  spec: FaultSpec;
  remaining: number;
}

export class FaultQueue {
  private queue: Queued[] = [];

  add(spec: FaultSpec): void {
    const count = spec.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`fault count must be a positive integer, got ${count}`);
    this.queue.push({ spec: { ...spec }, remaining: count });
  }

  clear(): void {
    this.queue = [];
  }

  pending(): FaultSpec[] {
    return this.queue.map((q) => ({ ...q.spec, count: q.remaining }));
  }

  /** Consumes one use of the first fault matching this request. */
  take(endpoint: FaultEndpoint, grantType?: string): FaultSpec | undefined {
    const g = normalizeGrantType(grantType);
    const i = this.queue.findIndex(
      (q) => q.spec.endpoint === endpoint && (q.spec.grantType === undefined || normalizeGrantType(q.spec.grantType) === g),
    );
    if (i < 0) return undefined;
    const q = this.queue[i]!;
    q.remaining -= 1;
    if (q.remaining <= 0) this.queue.splice(i, 1);
    return q.spec;
  }
}

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/**
 * Plays a fault. Returns "continue" when the request must then be handled normally
 * (a pure delay), "answered" otherwise. `signal` aborts on stop() so nothing lingers.
 */
export async function playFault(
  req: IncomingMessage,
  res: ServerResponse,
  spec: FaultSpec,
  record: FakeRequestRecord,
  signal: AbortSignal,
): Promise<"continue" | "answered"> {
  record.faulted = true;
  if (spec.hang) {
    // Leave the response open; stop() destroys the socket.
    return "answered";
  }
  if (spec.delayMs && spec.delayMs > 0) {
    try {
      await sleep(spec.delayMs, undefined, { signal });
    } catch {
      return "answered"; // stopped meanwhile
    }
  }
  const answers = spec.rawBody !== undefined || spec.error !== undefined || spec.status !== undefined;
  if (!answers) return "continue";

  const status = spec.status ?? (spec.rawBody !== undefined ? 200 : 400);
  const extra: Record<string, string> = {};
  const retryAfter = spec.retryAfterSec ?? (status === 429 ? 1 : undefined);
  if (retryAfter !== undefined) {
    extra["Retry-After"] = String(retryAfter);
    record.retryAfterSec = retryAfter;
  }
  if (spec.rawBody !== undefined) {
    const text = spec.rawBody;
    res.writeHead(status, {
      ...baseHeaders(req),
      // A gateway error page is HTML; JSON stays JSON.
      "Content-Type": isJson(text) ? "application/json; charset=utf-8" : "text/html; charset=utf-8",
      "Content-Length": String(Buffer.byteLength(text)),
      ...extra,
    });
    res.end(text);
    return "answered";
  }
  const error = spec.error ?? defaultErrorFor(status);
  const corr = req.headers["client-request-id"];
  const body = errorBody(error, spec.errorDescription ?? defaultDescription(error, spec.suberror), {
    suberror: spec.suberror,
    correlationId: typeof corr === "string" ? corr : undefined,
  });
  record.error = error;
  sendJson(req, res, status, body, extra);
  return "answered";
}

function defaultErrorFor(status: number): string {
  if (status === 401) return "invalid_client";
  if (status === 429 || status === 503) return "temporarily_unavailable";
  if (status >= 500) return "server_error";
  return "invalid_request";
}
