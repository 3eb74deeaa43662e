// A minimal headless browser for the test OpenID Provider: follows its redirects with its cookies,
// fills the login page with a user name, allows on the consent page, and delivers the form_post
// to the app's redirect URI (MSAL's loopback listener). It only understands that provider's pages.
import * as https from "node:https";
import { unescapeHtml } from "../fakeEntra/headless";

interface Answer {
  readonly status: number;
  readonly location?: string;
  readonly setCookies: string[];
  readonly body: string;
}

const MAX_HOPS = 12;
const TIMEOUT_MS = 15_000;

function send(url: URL, method: string, form: string | undefined, cookies: string, agent: https.Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = cookies ? { Cookie: cookies } : {};
    if (form !== undefined) headers["Content-Type"] = "application/x-www-form-urlencoded";
    const req = https.request(url, { method, headers, agent, signal: AbortSignal.timeout(TIMEOUT_MS) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          location: res.headers.location,
          setCookies: res.headers["set-cookie"] ?? [],
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(form);
  });
}

/** The first form of a page: its action and hidden fields. */
function parseForm(html: string): { action: string; fields: Record<string, string>; testId?: string } | undefined {
  const form = /<form\b[^>]*>/i.exec(html)?.[0];
  const action = form && /\baction="([^"]*)"/.exec(form)?.[1];
  if (!form || action === undefined) return undefined;
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"\s*\/?>/g)) {
    fields[unescapeHtml(m[1]!)] = unescapeHtml(m[2]!);
  }
  return { action: unescapeHtml(action), fields, testId: /\bdata-testid="([^"]*)"/.exec(form)?.[1] };
}

/** Keeps the provider's cookies by name (one host, so paths can be ignored); deletions remove them. */
function keepCookies(jar: Map<string, string>, setCookies: readonly string[]): void {
  for (const header of setCookies) {
    const [pair = "", ...attributes] = header.split(";");
    const at = pair.indexOf("=");
    const name = pair.slice(0, at).trim();
    const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
    if (expired || at === pair.length - 1) jar.delete(name);
    else jar.set(name, pair.slice(at + 1).trim());
  }
}

export async function playOidcBrowser(authorizeUrl: string, login: string, issuer: string, agent: https.Agent): Promise<{ status: number }> {
  const jar = new Map<string, string>();
  let url = new URL(authorizeUrl);
  let method = "GET";
  let form: string | undefined;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    if (url.origin !== issuer) throw new Error(`the sign-in left the provider for ${url.origin} before its answer`);
    const answer = await send(url, method, form, [...jar].map(([k, v]) => `${k}=${v}`).join("; "), agent);
    keepCookies(jar, answer.setCookies);
    if (answer.status >= 300 && answer.status < 400 && answer.location) {
      url = new URL(answer.location, url);
      method = "GET";
      form = undefined;
      continue;
    }
    const page = parseForm(answer.body);
    if (!page) throw new Error(`unexpected answer from ${url.pathname}: HTTP ${answer.status} ${answer.body.slice(0, 300)}`);
    if (answer.body.includes("document.forms[0].submit()")) {
      // The form_post page: its script would post the answer to the redirect URI.
      const res = await fetch(page.action, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(page.fields).toString(),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await res.text();
      return { status: res.status };
    }
    url = new URL(page.action, url);
    method = "POST";
    form = new URLSearchParams(page.testId === "login-form" ? { ...page.fields, login } : page.fields).toString();
  }
  throw new Error(`the sign-in did not finish within ${MAX_HOPS} pages`);
}
