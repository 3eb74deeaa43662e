// GET/POST /{tenant}/oauth2/v2.0/authorize. GET validates the request like Entra and
// shows the account picker; the picker POSTs back to the same relative URL (same query)
// with `username` or `action=cancel`; the answer goes to the redirect_uri with the
// requested response_mode (msal always asks for form_post).

import { recordIssued } from "./issued";
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FakeState } from "./state";
import { errorBody } from "./errors";
import { sendHtml, sendRedirect } from "./http";
import { errorPage, formPostPage, signInPage } from "./pages";
import { grantScopes } from "./scopes";
import { findUser, resolveTenant, type TenantKind } from "./tenants";
import { clientInfo, opaque } from "./tokens";
import { parseClaimsParam } from "./claims";
import { OAuthError } from "./errors";

interface ValidAuthorize {
  tenant: TenantKind;
  clientId: string;
  redirectUri: string;
  responseMode: string;
  state?: string;
  nonce?: string;
  scope: string;
  codeChallenge: string;
  loginHint?: string;
  claims?: string;
}

type Validation =
  /** Entra shows an error page when it cannot trust the redirect URI. */
  | { kind: "page"; description: string }
  /** Errors that go back to the app. */
  | { kind: "redirect"; error: string; description: string; redirectUri: string; responseMode: string; state?: string }
  | { kind: "ok"; v: ValidAuthorize };

/** Loopback redirect URIs as Entra allows them for public clients: any port, optional path. */
export function isLoopbackRedirect(uri: string): boolean {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return false;
  }
  return u.protocol === "http:" && (u.hostname === "localhost" || u.hostname === "127.0.0.1") && u.hash === "" && u.username === "";
}

function validate(state: FakeState, tenantSegment: string, q: URLSearchParams): Validation {
  const tenant = resolveTenant(tenantSegment, state.users);
  if (tenant.kind === "unknown") return { kind: "page", description: `AADSTS90002: ${tenant.reason}` };
  const clientId = q.get("client_id");
  if (!clientId) return { kind: "page", description: "AADSTS900144: The request body must contain the following parameter: 'client_id'." };
  if (!state.isClientAllowed(clientId)) {
    return { kind: "page", description: `AADSTS700016: Application with identifier '${clientId}' was not found in the directory.` };
  }
  const redirectUri = q.get("redirect_uri") ?? "";
  if (!isLoopbackRedirect(redirectUri)) {
    return {
      kind: "page",
      description: `AADSTS50011: The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'.`,
    };
  }
  const stateParam = q.get("state") ?? undefined;
  const rawMode = q.get("response_mode") ?? "query";
  const back = (error: string, description: string, responseMode = rawMode): Validation => ({
    kind: "redirect",
    error,
    description,
    redirectUri,
    responseMode,
    state: stateParam,
  });
  if (!["form_post", "query", "fragment"].includes(rawMode)) {
    return back("invalid_request", `AADSTS90000: The response_mode '${rawMode}' is not supported.`, "query");
  }
  const responseType = q.get("response_type");
  if (!responseType) return back("invalid_request", "AADSTS900144: The request body must contain the following parameter: 'response_type'.");
  if (responseType !== "code") {
    return back("unsupported_response_type", `AADSTS700054: response_type '${responseType}' is not enabled for the application.`);
  }
  const scope = q.get("scope");
  if (!scope) return back("invalid_request", "AADSTS900144: The request body must contain the following parameter: 'scope'.");
  const scopes = grantScopes(scope);
  if (!scopes.ok) return back("invalid_scope", scopes.description);
  const codeChallenge = q.get("code_challenge");
  if (!codeChallenge) {
    return back("invalid_request", "AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption.");
  }
  if (q.get("code_challenge_method") !== "S256") {
    return back("invalid_request", "AADSTS90000: code_challenge_method must be 'S256'.");
  }
  try {
    parseClaimsParam(q.get("claims"));
  } catch (e) {
    if (e instanceof OAuthError) return back(e.error, e.description);
    throw e;
  }
  if (q.get("prompt") === "none") {
    // The fake keeps no browser session, so a silent authorize can never succeed.
    return back("login_required", "AADSTS50058: A silent sign-in request was sent but no user is signed in.");
  }
  return {
    kind: "ok",
    v: {
      tenant,
      clientId,
      redirectUri,
      responseMode: rawMode,
      state: stateParam,
      nonce: q.get("nonce") || undefined,
      scope,
      codeChallenge,
      loginHint: q.get("login_hint") || undefined,
      claims: q.get("claims") || undefined,
    },
  };
}

/** Sends the authorization response to the app the way the response_mode asks. */
function deliver(req: IncomingMessage, res: ServerResponse, redirectUri: string, responseMode: string, fields: Record<string, string>): void {
  if (responseMode === "form_post") {
    sendHtml(req, res, 200, formPostPage(redirectUri, fields));
    return;
  }
  const params = new URLSearchParams(fields).toString();
  if (responseMode === "fragment") {
    sendRedirect(req, res, `${redirectUri}#${params}`);
    return;
  }
  const u = new URL(redirectUri);
  for (const [k, v] of Object.entries(fields)) u.searchParams.append(k, v);
  sendRedirect(req, res, u.toString());
}

function deliverError(
  req: IncomingMessage,
  res: ServerResponse,
  e: { error: string; description: string; redirectUri: string; responseMode: string; state?: string },
): void {
  const corr = req.headers["client-request-id"];
  const body = errorBody(e.error, e.description, { correlationId: typeof corr === "string" ? corr : undefined });
  const fields: Record<string, string> = { error: e.error, error_description: body.error_description };
  if (body.error_uri) fields["error_uri"] = body.error_uri;
  if (e.state !== undefined) fields["state"] = e.state;
  deliver(req, res, e.redirectUri, e.responseMode, fields);
}

/** Who the picker preselects: the login_hint's user, else the fake's default user. */
function preselected(state: FakeState, loginHint: string | undefined): string {
  return findUser(state.users, loginHint)?.username ?? state.defaultUser;
}

export function handleAuthorize(
  state: FakeState,
  req: IncomingMessage,
  res: ServerResponse,
  tenantSegment: string,
  rawQuery: string,
  form: URLSearchParams | undefined,
): void {
  const q = new URLSearchParams(rawQuery);
  const result = validate(state, tenantSegment, q);
  if (result.kind === "page") {
    sendHtml(req, res, 400, errorPage(result.description));
    return;
  }
  if (result.kind === "redirect") {
    deliverError(req, res, result);
    return;
  }
  const v = result.v;
  // Relative: resolves against .../oauth2/v2.0/authorize, also behind a path-prefixing proxy.
  const action = `authorize?${rawQuery}`;
  if (!form) {
    sendHtml(req, res, 200, signInPage({ action, users: state.users, preselected: preselected(state, v.loginHint), clientId: v.clientId }));
    return;
  }
  if (form.get("action") === "cancel") {
    deliverError(req, res, {
      error: "access_denied",
      description: "AADSTS65004: User declined to consent to access the app.",
      redirectUri: v.redirectUri,
      responseMode: v.responseMode,
      state: v.state,
    });
    return;
  }
  const user = findUser(state.users, form.get("username") ?? undefined);
  if (!user) {
    const error = "This username may be incorrect. Make sure you typed it correctly.";
    sendHtml(req, res, 200, signInPage({ action, users: state.users, preselected: preselected(state, v.loginHint), clientId: v.clientId, error }));
    return;
  }
  const code = opaque("1.AFakeCode.", 48);
  recordIssued(code);
  state.codes.set(code, {
    clientId: v.clientId,
    redirectUri: v.redirectUri,
    codeChallenge: v.codeChallenge,
    scope: v.scope,
    nonce: v.nonce,
    claims: v.claims,
    user,
    tenant: v.tenant,
    expiresAt: Date.now() + state.lifetimes.authCodeSec * 1000,
    used: false,
  });
  const fields: Record<string, string> = { code, client_info: clientInfo(user) };
  if (v.state !== undefined) fields["state"] = v.state;
  fields["session_state"] = randomUUID();
  deliver(req, res, v.redirectUri, v.responseMode, fields);
}
