// Small HTTP helpers over node:http: bounded body reading, URL splitting that never
// throws on hostile input, and responses with the headers Entra sends.

import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";

/** Entra rejects huge bodies too; 64 KiB is far above any real token request. */
export const MAX_BODY_BYTES = 64 * 1024;

export class BodyTooLargeError extends Error {
  constructor() {
    super("request body too large");
  }
}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", (e) => {
      if (!failed) {
        failed = true;
        reject(e);
      }
    });
  });
}

/** Form fields of a urlencoded body; other content types give no fields (as Entra ignores them). */
export function formFields(req: IncomingMessage, body: string): URLSearchParams {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  return type === "application/x-www-form-urlencoded" ? new URLSearchParams(body) : new URLSearchParams();
}

export interface SplitUrl {
  /** Decoded path segments, empty segments dropped. */
  segments: string[];
  path: string;
  rawQuery: string;
  query: URLSearchParams;
}

/** Splits req.url without `new URL()`, which would treat "//host/x" as a host. */
export function splitUrl(rawUrl: string | undefined): SplitUrl | undefined {
  const url = rawUrl ?? "/";
  const q = url.indexOf("?");
  const path = q >= 0 ? url.slice(0, q) : url;
  const rawQuery = q >= 0 ? url.slice(q + 1) : "";
  try {
    const segments = path.split("/").filter((s) => s.length > 0).map((s) => decodeURIComponent(s));
    return { segments, path, rawQuery, query: new URLSearchParams(rawQuery) };
  } catch {
    return undefined; // malformed percent-encoding
  }
}

/** Headers every Entra endpoint answer carries; client-request-id is echoed back. */
export function baseHeaders(req: IncomingMessage): Record<string, string> {
  const h: Record<string, string> = {
    "Cache-Control": "no-store, no-cache",
    Pragma: "no-cache",
    "x-ms-request-id": randomUUID(),
    "x-ms-ests-server": "fake-entra",
  };
  const corr = req.headers["client-request-id"];
  if (typeof corr === "string") h["client-request-id"] = corr;
  return h;
}

export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...baseHeaders(req),
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(text)),
    ...extra,
  });
  res.end(text);
}

export function sendHtml(req: IncomingMessage, res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    ...baseHeaders(req),
    "Content-Type": "text/html; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(html)),
  });
  res.end(html);
}

export function sendRedirect(req: IncomingMessage, res: ServerResponse, location: string): void {
  res.writeHead(302, { ...baseHeaders(req), Location: location, "Content-Length": "0" });
  res.end();
}
