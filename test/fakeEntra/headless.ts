// A minimal headless "browser" for completeAuthorize(): it loads the authorize URL,
// submits the account picker like a person would, and delivers the form_post (or
// redirect) to the app's redirect_uri. It only understands the fake's own pages.

import type { CompleteAuthorizeOptions, RedirectResult } from "./types";
import { fingerprint } from "./tokens";

interface ParsedForm {
  action: string;
  fields: Record<string, string>;
  defaultUser?: string;
}

export function unescapeHtml(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

function parseFirstForm(html: string): ParsedForm | undefined {
  const form = /<form\b[^>]*>/i.exec(html)?.[0];
  if (!form) return undefined;
  const action = /\baction="([^"]*)"/.exec(form)?.[1];
  if (action === undefined) return undefined;
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[unescapeHtml(m[1]!)] = unescapeHtml(m[2]!);
  }
  const def = /\bdata-default-user="([^"]*)"/.exec(form)?.[1];
  return { action: unescapeHtml(action), fields, defaultUser: def ? unescapeHtml(def) : undefined };
}

function pageError(html: string): string {
  const m = /data-testid="error"[^>]*>([^<]*)</.exec(html);
  return m ? unescapeHtml(m[1]!) : html.slice(0, 200);
}

async function post(url: string, fields: Record<string, string>): Promise<{ status: number; body: string; location?: string }> {
  const res = await fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, body: await res.text(), location: res.headers.get("location") ?? undefined };
}

function redacted(fields: Record<string, string>): Record<string, string> {
  const out = { ...fields };
  if (out["code"] !== undefined) out["code"] = `sha256:${fingerprint(out["code"])}`;
  return out;
}

/** Plays the browser until the app's redirect_uri has answered; returns that answer. */
export async function playBrowser(authorizeUrl: string, opts: CompleteAuthorizeOptions): Promise<RedirectResult> {
  let url = authorizeUrl;
  const res = await fetch(url, { redirect: "manual" });
  let status = res.status;
  let body = await res.text();
  let location = res.headers.get("location") ?? undefined;
  let pickedUser = false;
  for (let hop = 0; hop < 5; hop++) {
    if (status >= 300 && status < 400 && location) {
      // response_mode=query/fragment: the browser follows to the app (a fragment stays in the browser).
      const target = new URL(location, url);
      target.hash = "";
      const r = await fetch(target, { redirect: "manual" });
      return { url: target.toString(), status: r.status, body: await r.text(), fields: redacted(Object.fromEntries(target.searchParams)) };
    }
    const form = parseFirstForm(body);
    if (form && body.includes("document.forms[0].submit()")) {
      // The form_post page: the script would submit it to the redirect_uri.
      const fields = { ...form.fields };
      if (opts.tamperState) fields["state"] = `${fields["state"] ?? ""}tampered`;
      const r = await post(form.action, fields);
      return { url: form.action, status: r.status, body: r.body, fields: redacted(fields) };
    }
    if (form && body.includes('data-testid="pick-user"') && !pickedUser) {
      pickedUser = true;
      const choice: Record<string, string> = { ...form.fields };
      if (opts.deny) choice["action"] = "cancel";
      else choice["username"] = opts.username ?? form.defaultUser ?? "";
      url = new URL(form.action, url).toString();
      const r = await post(url, choice);
      ({ status, body, location } = r);
      continue;
    }
    throw new Error(`completeAuthorize: the sign-in did not complete (HTTP ${status}): ${pageError(body)}`);
  }
  throw new Error("completeAuthorize: too many steps");
}
