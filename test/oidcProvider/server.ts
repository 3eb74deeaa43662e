// A real, certified OpenID Provider for tests: panva's oidc-provider on https://127.0.0.1:<random
// port> with a test CA, one native public client, two users, and login and consent pages that a
// person (or the headless browser in browser.ts) fills in. Records what reaches its authorize and
// token endpoints, and registers every credential it issues with the leak scan.
import * as https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { randomBytes } from "node:crypto";
import { exportJWK, generateKeyPair } from "jose";
import type { Configuration, Context, InteractionDetails } from "oidc-provider";
import { recordIssued } from "../fakeEntra/issued";
import { readBody } from "../fakeEntra/http";
import { escapeHtml } from "../fakeEntra/pages";
import { makeTestCertificates, TestCertificates } from "./certificate";
import { playOidcBrowser } from "./browser";

/** The native public client registered at the provider (no secret; any loopback port). */
export const OIDC_CLIENT_ID = "vscode-msal-test";

export interface OidcUser {
  /** What a person types on the login page. */
  readonly login: string;
  readonly sub: string;
  readonly claims: Readonly<Record<string, string | boolean>>;
}

/** Alice has a preferred_username; Bob only an email and a name, as some providers send. */
export const OIDC_USERS: readonly OidcUser[] = [
  { login: "alice", sub: "248289761001", claims: { preferred_username: "alice@oidc.test", email: "alice@oidc.test", email_verified: true, name: "Alice Liddell" } },
  { login: "bob", sub: "bob.7c1e", claims: { email: "bob@oidc.test", email_verified: true, name: "Bob Builder" } },
];

export interface OidcTestProviderOptions {
  /** oidc-provider's default (true) keeps profile claims out of the id token (they go to userinfo only). */
  readonly conformIdTokenClaims?: boolean;
  readonly accessTokenLifetimeSec?: number;
  /** Reuse certificates (e.g. when the provider restarts); made fresh and disposed by stop() otherwise. */
  readonly certificates?: TestCertificates;
  /**
   * Loopback address to listen on (default 127.0.0.1). VS Code's web workbench sends URLs of
   * 127.0.0.1, localhost and 0.0.0.0 through code-server's port proxy, which speaks plain http to
   * the port; a real-host test against this https server uses 127.0.0.2, opened as it is.
   */
  readonly host?: "127.0.0.1" | "127.0.0.2";
}

export interface TokenRequestRecord {
  readonly grantType: string;
  readonly status: number;
  /** Names of the body's parameters and of the request's headers (never their values). */
  readonly parameters: readonly string[];
  readonly headers: readonly string[];
}

export interface OidcTestProvider {
  /** The issuer URL: https://127.0.0.1:<port> (what `msal.authority` is set to). */
  readonly issuer: string;
  readonly clientId: string;
  readonly certificates: TestCertificates;
  /** An agent that trusts the test CA, and only this process's requests made with it. */
  readonly httpsAgent: https.Agent;
  /** Query parameters of every authorization request (the first leg, before any interaction). */
  readonly authorizeRequests: readonly Record<string, string>[];
  tokenRequests(grantType?: string): TokenRequestRecord[];
  /** Plays the browser for an authorize URL: `login` signs in and consents; MSAL's listener gets the answer. */
  completeSignIn(authorizeUrl: string, login: string): Promise<{ status: number }>;
  stop(): Promise<void>;
}

function sendPage(res: ServerResponse, status: number, title: string, body: string): void {
  const html = `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
  res.writeHead(status, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "Content-Length": String(Buffer.byteLength(html)) });
  res.end(html);
}

function loginPage(res: ServerResponse, uid: string, error?: string): void {
  sendPage(
    res,
    200,
    "Sign in to the test OpenID Provider",
    `${error ? `<p class="error" data-testid="login-error">${escapeHtml(error)}</p>` : ""}` +
      `<form method="post" action="/interaction/${escapeHtml(uid)}/login" data-testid="login-form">` +
      `<label>User <input name="login" data-testid="login-name" autofocus></label>` +
      `<button type="submit" data-testid="login-submit">Sign in</button></form>`,
  );
}

function consentPage(res: ServerResponse, details: InteractionDetails): void {
  const scopes = details.prompt.details.missingOIDCScope ?? [];
  sendPage(
    res,
    200,
    "Allow access",
    `<p>${escapeHtml(details.params.client_id)} asks for: ${escapeHtml(scopes.join(" "))}</p>` +
      `<form method="post" action="/interaction/${escapeHtml(details.uid)}/confirm" data-testid="consent-form">` +
      `<button type="submit" data-testid="consent-allow">Allow</button></form>`,
  );
}

export async function startOidcProvider(options: OidcTestProviderOptions = {}): Promise<OidcTestProvider> {
  // ESM only: loaded with import(), which compiled CommonJS tests keep as it is.
  const { default: Provider } = await import("oidc-provider");
  const certificates = options.certificates ?? makeTestCertificates();
  const ownsCertificates = !options.certificates;
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), alg: "RS256", use: "sig", kid: "test-signing-key" };

  const server = https.createServer({ key: certificates.key, cert: certificates.cert });
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const issuer = `https://${address.address}:${address.port}`;

  const configuration: Configuration = {
    clients: [
      {
        client_id: OIDC_CLIENT_ID,
        application_type: "native",
        token_endpoint_auth_method: "none",
        // Native clients may use any port on a loopback redirect URI (RFC 8252, 7.3).
        redirect_uris: ["http://localhost"],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
      },
    ],
    findAccount: (_ctx, sub) => {
      const user = OIDC_USERS.find((u) => u.sub === sub);
      return user && { accountId: sub, claims: () => ({ sub, ...user.claims }) };
    },
    claims: { openid: ["sub"], profile: ["name", "preferred_username"], email: ["email", "email_verified"] },
    conformIdTokenClaims: options.conformIdTokenClaims ?? false,
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    jwks: { keys: [signingKey] },
    ttl: { AccessToken: options.accessTokenLifetimeSec ?? 3600, IdToken: 3600, RefreshToken: 86_400, Interaction: 600, Session: 3600, Grant: 86_400 },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  };
  const provider = new Provider(issuer, configuration);

  const authorizeRequests: Record<string, string>[] = [];
  const tokenRequests: TokenRequestRecord[] = [];
  provider.use(async (ctx: Context, next) => {
    await next();
    if (ctx.method === "GET" && ctx.path === "/auth") {
      authorizeRequests.push(Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, String(v)])));
    } else if (ctx.path === "/token") {
      tokenRequests.push({
        grantType: String(ctx.oidc?.params?.grant_type ?? ctx.oidc?.body?.grant_type ?? ""),
        status: ctx.status,
        parameters: Object.keys(ctx.oidc?.body ?? {}),
        headers: Object.keys(ctx.headers),
      });
      const body = ctx.body as Record<string, unknown> | undefined;
      recordIssued(...["access_token", "refresh_token", "id_token"].map((name) => (typeof body?.[name] === "string" ? (body[name] as string) : undefined)));
    }
  });
  // Codes reach the browser only (a real one in the host tests): registered when they are made.
  provider.on("authorization_code.saved", (code) => recordIssued(code.jti));
  const serverErrors: string[] = [];
  provider.on("server_error", (_ctx, error) => void serverErrors.push(error.message));

  const interaction = async (req: IncomingMessage, res: ServerResponse, action: string | undefined): Promise<void> => {
    const details = await provider.interactionDetails(req, res);
    if (req.method === "GET") {
      if (details.prompt.name === "login") loginPage(res, details.uid);
      else consentPage(res, details);
      return;
    }
    if (action === "login") {
      const login = new URLSearchParams(await readBody(req)).get("login") ?? "";
      const user = OIDC_USERS.find((u) => u.login === login.trim());
      if (!user) {
        loginPage(res, details.uid, `No user "${login}".`);
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
      return;
    }
    // Consent: grant what the client asked for.
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session?.accountId ?? "", clientId: details.params.client_id });
    if (!grant) throw new Error(`grant ${details.grantId} not found`);
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(" "));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(" "));
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  };

  const callback = provider.callback();
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/interaction\/([^/?]+)(?:\/(login|confirm))?(?:\?|$)/.exec(req.url ?? "");
    if (!match) {
      callback(req, res);
      return;
    }
    interaction(req, res, match[2]).catch((err: Error) => {
      serverErrors.push(err.message);
      if (!res.headersSent) sendPage(res, 400, "Sign-in failed", `<p data-testid="interaction-error">${escapeHtml(err.message)}</p>`);
      else res.end();
    });
  });

  const httpsAgent = new https.Agent({ ca: certificates.caPem, keepAlive: true });
  return {
    issuer,
    clientId: OIDC_CLIENT_ID,
    certificates,
    httpsAgent,
    authorizeRequests,
    tokenRequests: (grantType) => tokenRequests.filter((r) => grantType === undefined || r.grantType === grantType),
    completeSignIn: (authorizeUrl, login) => playOidcBrowser(authorizeUrl, login, issuer, httpsAgent),
    stop: async () => {
      httpsAgent.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      if (ownsCertificates) certificates.dispose();
      if (serverErrors.length > 0) console.warn(`test OpenID Provider errors: ${serverErrors.join("; ")}`);
    },
  };
}
