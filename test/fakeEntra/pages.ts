// HTML pages of the fake: sign-in (user picker), form_post auto-submit, device login,
// errors. Form actions on our own pages are RELATIVE so the pages still work when a
// reverse proxy serves them under a path prefix; only the redirect_uri is absolute.
// The markup is also parsed by the headless browser in headless.ts: keep it regular.

import type { FakeUser } from "./types";

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE =
  "body{font-family:Segoe UI,Arial,sans-serif;background:#f2f2f2;margin:0}" +
  "main{background:#fff;max-width:440px;margin:48px auto;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}" +
  "button{display:block;width:100%;margin:8px 0;padding:10px;font-size:15px;cursor:pointer}" +
  ".error{color:#e81123}";

function layout(title: string, body: string): string {
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>` +
    `<body><main>${body}</main></body></html>\n`
  );
}

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

function userButtons(users: readonly FakeUser[]): string {
  // Exact attribute order is part of the contract other tests rely on.
  return users
    .map(
      (u) =>
        `<button type="submit" name="username" value="${escapeHtml(u.username)}" data-testid="pick-user">` +
        `${escapeHtml(u.name)} <small>${escapeHtml(u.username)}</small></button>`,
    )
    .join("\n");
}

export interface SignInPageInput {
  /** Relative form action, e.g. "authorize?client_id=..." */
  action: string;
  users: readonly FakeUser[];
  /** Who a headless browser picks when told nothing (login_hint match, else the default user). */
  preselected?: string;
  clientId: string;
  error?: string;
}

export function signInPage(p: SignInPageInput): string {
  return layout(
    "Sign in to your account",
    `<h1>Pick an account</h1>` +
      (p.error ? `<p class="error" data-testid="error">${escapeHtml(p.error)}</p>` : "") +
      `<p>to continue to application ${escapeHtml(p.clientId)}</p>` +
      `<form id="signin" method="post" action="${escapeHtml(p.action)}" data-default-user="${escapeHtml(p.preselected ?? "")}">\n` +
      `${userButtons(p.users)}\n` +
      `<button type="submit" name="action" value="cancel" data-testid="cancel">Cancel</button>\n` +
      `</form>`,
  );
}

/** Entra's response_mode=form_post page: auto-submits the result to the redirect_uri. */
export function formPostPage(redirectUri: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => hidden(k, v))
    .join("");
  return (
    `<html><head><title>Working...</title></head><body>` +
    `<form method="post" action="${escapeHtml(redirectUri)}">${inputs}` +
    `<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript>` +
    `</form><script>document.forms[0].submit()</script></body></html>`
  );
}

/** What Entra shows when it cannot send the error back to the app (bad client or redirect URI). */
export function errorPage(description: string): string {
  const code = /AADSTS\d+/.exec(description)?.[0] ?? "";
  return layout(
    "Sign in to your account",
    `<h1>Sorry, but we're having trouble signing you in.</h1>` +
      `<p class="error" data-testid="error" data-error-code="${escapeHtml(code)}">${escapeHtml(description)}</p>`,
  );
}

export function deviceCodeEntryPage(error?: string): string {
  return layout(
    "Enter code",
    `<h1>Enter code</h1><p>Enter the code displayed on your app or device.</p>` +
      (error ? `<p class="error" data-testid="error">${escapeHtml(error)}</p>` : "") +
      `<form id="devicecode" method="post" action="devicelogin">` +
      `<input type="text" name="otc" data-testid="device-code-input" autocomplete="off" autofocus maxlength="20" aria-label="Code">` +
      `<button type="submit" data-testid="device-code-submit">Next</button></form>`,
  );
}

export function devicePickUserPage(userCode: string, users: readonly FakeUser[], preselected: string | undefined, clientId: string): string {
  return layout(
    "Sign in to your account",
    `<h1>Pick an account</h1><p>You're signing in to application ${escapeHtml(clientId)} on another device.</p>` +
      `<form id="signin" method="post" action="devicelogin" data-default-user="${escapeHtml(preselected ?? "")}">\n` +
      `${hidden("otc", userCode)}\n${userButtons(users)}\n` +
      `<button type="submit" name="action" value="cancel" data-testid="cancel">Cancel</button>\n</form>`,
  );
}

export function deviceDonePage(approved: boolean): string {
  return approved
    ? layout(
        "Signed in",
        `<h1 data-testid="device-done">You have signed in</h1><p>You have signed in to the application on your device. You may now close this window.</p>`,
      )
    : layout("Sign-in cancelled", `<h1 data-testid="device-declined">Sign-in cancelled</h1><p>You may now close this window.</p>`);
}

export function signedOutPage(): string {
  return layout("Sign out", `<h1 data-testid="signed-out">You signed out of your account</h1><p>It's a good idea to close all browser windows.</p>`);
}

export function notFoundPage(): string {
  return layout("Not found", `<h1>404 - Not found</h1>`);
}
