// The HTTP server and the FakeEntra handle: routing, request records, faults, and a
// stop() that ends promptly (open keep-alive and hung sockets are destroyed).

import { recordAuthorize } from "./issued";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type {
  CompleteAuthorizeOptions,
  FakeEntra,
  FakeEntraOptions,
  FakeRequestRecord,
  FakeUser,
  FaultEndpoint,
  FaultSpec,
  RedirectResult,
} from "./types";
import { FakeState } from "./state";
import { FaultQueue, normalizeGrantType, playFault } from "./faults";
import { OAuthError, errorBody } from "./errors";
import { BodyTooLargeError, formFields, readBody, sendHtml, sendJson, sendRedirect, splitUrl } from "./http";
import { notFoundPage, signedOutPage } from "./pages";
import { DEFAULT_USERS, findUser } from "./tenants";
import { fingerprint, jwks, signingKey } from "./tokens";
import { instanceDiscovery, openIdConfiguration } from "./discovery";
import { handleAuthorize, isLoopbackRedirect } from "./authorize";
import { handleTokenRequest } from "./tokenEndpoint";
import { approveDevice, declineDevice, expireDevice, handleDeviceCodeRequest, handleDeviceLogin } from "./device";
import { playBrowser } from "./headless";

type Route =
  | { kind: "openid"; tenant: string }
  | { kind: "instance" }
  | { kind: "keys"; tenant: string }
  | { kind: "authorize"; tenant: string }
  | { kind: "token"; tenant: string }
  | { kind: "devicecode"; tenant: string }
  | { kind: "logout"; tenant: string }
  | { kind: "devicelogin" };

function matchRoute(s: string[]): Route | undefined {
  const [t, ...rest] = s;
  if (t === undefined) return undefined;
  const tail = rest.join("/");
  if (s.length === 1 && t === "devicelogin") return { kind: "devicelogin" };
  if (t === "common" && tail === "discovery/instance") return { kind: "instance" };
  if (tail === "v2.0/.well-known/openid-configuration") return { kind: "openid", tenant: t };
  if (tail === "discovery/v2.0/keys" || tail === "discovery/keys") return { kind: "keys", tenant: t };
  if (tail === "oauth2/v2.0/authorize") return { kind: "authorize", tenant: t };
  if (tail === "oauth2/v2.0/token") return { kind: "token", tenant: t };
  if (tail === "oauth2/v2.0/devicecode") return { kind: "devicecode", tenant: t };
  if (tail === "oauth2/v2.0/logout") return { kind: "logout", tenant: t };
  return undefined;
}

const ALLOWED_METHODS: Record<Route["kind"], string[]> = {
  openid: ["GET"],
  instance: ["GET"],
  keys: ["GET"],
  authorize: ["GET", "POST"],
  token: ["POST"],
  devicecode: ["POST"],
  logout: ["GET", "POST"],
  devicelogin: ["GET", "POST"],
};

function faultEndpoint(kind: Route["kind"]): FaultEndpoint | undefined {
  switch (kind) {
    case "openid":
    case "instance":
    case "keys":
      return "discovery";
    case "authorize":
    case "token":
    case "devicecode":
      return kind;
    default:
      return undefined;
  }
}

function sendOAuthError(req: IncomingMessage, res: ServerResponse, e: OAuthError, record: FakeRequestRecord): void {
  const corr = req.headers["client-request-id"];
  record.error = e.error;
  sendJson(req, res, e.status, errorBody(e.error, e.description, { suberror: e.suberror, correlationId: typeof corr === "string" ? corr : undefined }));
}

class FakeEntraServer implements FakeEntra {
  readonly requests: FakeRequestRecord[] = [];
  private redirectResult: RedirectResult | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly server: http.Server,
    readonly url: string,
    readonly port: number,
    private readonly state: FakeState,
    /** Every open socket, so stop() can end keep-alive and hung connections. */
    private readonly sockets: Set<Socket>,
    /** Aborted by stop(): delayed fault answers give up. */
    private readonly abort: AbortController,
  ) {
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((e: unknown) => this.internalError(req, res, e));
    });
  }

  get users(): readonly FakeUser[] {
    return this.state.users.map((u) => ({ ...u }));
  }

  authority(tenant?: string): string {
    return `${this.url}/${tenant ?? "organizations"}`;
  }

  openIdConfiguration(tenant?: string): Record<string, unknown> {
    return openIdConfiguration(this.url, tenant ?? "organizations", this.state.users);
  }

  tokenRequests(grantType?: string): FakeRequestRecord[] {
    const g = normalizeGrantType(grantType);
    return this.requests.filter(
      (r) => r.method === "POST" && r.path.endsWith("/oauth2/v2.0/token") && (g === undefined || normalizeGrantType(r.grantType) === g),
    );
  }

  setDefaultUser(username: string): void {
    const u = findUser(this.state.users, username);
    if (!u) throw new Error(`setDefaultUser: unknown user ${username}`);
    this.state.defaultUser = u.username;
  }

  async completeAuthorize(authorizeUrl: string, opts: CompleteAuthorizeOptions = {}): Promise<void> {
    if (opts.username !== undefined && !findUser(this.state.users, opts.username)) {
      throw new Error(`completeAuthorize: unknown user ${opts.username}`);
    }
    this.redirectResult = await playBrowser(authorizeUrl, opts);
  }

  lastRedirectResult(): RedirectResult | undefined {
    return this.redirectResult;
  }

  approveDeviceCode(userCode: string, username?: string): void {
    approveDevice(this.state, userCode, username);
  }

  declineDeviceCode(userCode: string): void {
    declineDevice(this.state, userCode);
  }

  expireDeviceCode(userCode: string): void {
    expireDevice(this.state, userCode);
  }

  lastDeviceCode(): { userCode: string; deviceCode: string } | undefined {
    const dc = this.state.lastDeviceCode;
    const flow = dc === undefined ? undefined : this.state.deviceFlows.get(dc);
    return flow ? { userCode: flow.userCode, deviceCode: flow.deviceCode } : undefined;
  }

  revokeRefreshTokens(username?: string): void {
    const user = username === undefined ? undefined : findUser(this.state.users, username);
    if (username !== undefined && !user) throw new Error(`revokeRefreshTokens: unknown user ${username}`);
    for (const g of this.state.refreshTokens.values()) {
      if (!user || g.user.username === user.username) g.state = "revoked";
    }
  }

  injectFault(fault: FaultSpec): void {
    this.state.faults.add(fault);
  }

  clearFaults(): void {
    this.state.faults.clear();
  }

  pendingFaults(): FaultSpec[] {
    return this.state.faults.pending();
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  setAccessTokenLifetime(seconds: number): void {
    this.state.lifetimes.accessTokenSec = seconds;
  }

  jwks(): Promise<{ keys: Record<string, unknown>[] }> {
    return jwks("https://login.microsoftonline.com/{tenantid}/v2.0");
  }

  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      this.abort.abort();
      this.server.close(() => resolve());
      // close() waits for open connections; hung and keep-alive ones are ended here.
      for (const s of this.sockets) s.destroy();
    });
    return this.stopping;
  }

  private internalError(req: IncomingMessage, res: ServerResponse, e: unknown): void {
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    const msg = e instanceof Error ? e.message : String(e);
    sendJson(req, res, 500, errorBody("server_error", `AADSTS50000: Fake Entra internal error: ${msg}`));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const url = splitUrl(req.url);
    const record: FakeRequestRecord = { at: Date.now(), method, path: url?.path ?? "", status: 0 };
    const corr = req.headers["client-request-id"];
    if (typeof corr === "string") record.correlationId = corr;
    this.requests.push(record);
    res.on("finish", () => {
      record.status = res.statusCode;
    });

    if (!url) {
      sendJson(req, res, 400, errorBody("invalid_request", "AADSTS90014: The request URL is malformed."));
      return;
    }
    const route = matchRoute(url.segments);
    if (!route) {
      req.resume();
      sendHtml(req, res, 404, notFoundPage());
      return;
    }
    if ("tenant" in route) record.tenant = route.tenant;
    const allowed = ALLOWED_METHODS[route.kind];
    if (!allowed.includes(method)) {
      req.resume();
      res.setHeader("Allow", allowed.join(", "));
      sendJson(req, res, 405, errorBody("invalid_request", `AADSTS90056: Method ${method} is not allowed here.`));
      return;
    }

    let form: URLSearchParams | undefined;
    if (method === "POST") {
      try {
        form = formFields(req, await readBody(req));
      } catch (e) {
        if (e instanceof BodyTooLargeError) {
          // Answer and close: the rest of the body is not worth reading.
          res.setHeader("Connection", "close");
          req.resume();
          sendJson(req, res, 413, errorBody("invalid_request", "AADSTS90015: The request body is too large."));
          return;
        }
        throw e;
      }
    }
    this.describe(record, route, url.query, form);

    const fe = faultEndpoint(route.kind);
    const fault = fe ? this.state.faults.take(fe, record.grantType) : undefined;
    if (fault && (await playFault(req, res, fault, record, this.abort.signal)) === "answered") return;
    if (this.abort.signal.aborted) return;

    try {
      await this.dispatch(route, req, res, url.query, url.rawQuery, form);
    } catch (e) {
      if (e instanceof OAuthError) sendOAuthError(req, res, e, record);
      else throw e;
    }
  }

  /** Fills the record from parameters; secrets only as fingerprints. */
  private describe(record: FakeRequestRecord, route: Route, query: URLSearchParams, form: URLSearchParams | undefined): void {
    const p = route.kind === "authorize" ? query : form;
    if (!p) return;
    const set = (k: "grantType" | "clientId" | "scope", name: string): void => {
      const v = p.get(name);
      if (v !== null) record[k] = v;
    };
    set("clientId", "client_id");
    set("scope", "scope");
    const claims = p.get("claims");
    if (claims !== null) record.claims = claims;
    if (route.kind === "token") {
      set("grantType", "grant_type");
      const rt = p.get("refresh_token");
      if (rt) record.refreshTokenFingerprint = fingerprint(rt);
      const code = p.get("code") ?? p.get("device_code");
      if (code) record.codeFingerprint = fingerprint(code);
    }
    if (route.kind === "authorize") {
      record.authorizeParams = Object.fromEntries(query);
      if (record.method === "GET") recordAuthorize(record.authorizeParams);
    }
  }

  private async dispatch(
    route: Route,
    req: IncomingMessage,
    res: ServerResponse,
    query: URLSearchParams,
    rawQuery: string,
    form: URLSearchParams | undefined,
  ): Promise<void> {
    switch (route.kind) {
      case "openid":
        sendJson(req, res, 200, openIdConfiguration(this.url, route.tenant, this.state.users));
        return;
      case "instance":
        sendJson(req, res, 200, instanceDiscovery(this.url, query));
        return;
      case "keys":
        sendJson(req, res, 200, await jwks("https://login.microsoftonline.com/{tenantid}/v2.0"));
        return;
      case "authorize":
        handleAuthorize(this.state, req, res, route.tenant, rawQuery, form);
        return;
      case "token": {
        const body = await handleTokenRequest(this.state, route.tenant, form ?? new URLSearchParams());
        sendJson(req, res, 200, body);
        return;
      }
      case "devicecode":
        sendJson(req, res, 200, handleDeviceCodeRequest(this.state, route.tenant, form ?? new URLSearchParams()));
        return;
      case "devicelogin":
        handleDeviceLogin(this.state, req, res, form);
        return;
      case "logout": {
        const back = query.get("post_logout_redirect_uri");
        if (back && isLoopbackRedirect(back)) sendRedirect(req, res, back);
        else sendHtml(req, res, 200, signedOutPage());
        return;
      }
    }
  }
}

export async function startFakeEntra(opts: FakeEntraOptions = {}): Promise<FakeEntra> {
  const users = (opts.users ?? DEFAULT_USERS).map((u) => ({ ...u }));
  if (users.length === 0) throw new Error("startFakeEntra: at least one user is needed");
  await signingKey(); // generate the key before the first request, not during it

  const server = http.createServer({ keepAliveTimeout: 5_000 });
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  // Malformed HTTP must not crash anything: answer 400 and close.
  server.on("clientError", (_err: Error, socket: Socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("startFakeEntra: no TCP address");
  const url = `http://127.0.0.1:${address.port}`;
  const state = new FakeState(
    url,
    users,
    {
      accessTokenSec: opts.accessTokenLifetimeSec ?? 3600,
      idTokenSec: opts.idTokenLifetimeSec ?? 3600,
      deviceCodeIntervalSec: opts.deviceCodeIntervalSec ?? 1,
      deviceCodeSec: opts.deviceCodeLifetimeSec ?? 900,
      authCodeSec: opts.authCodeLifetimeSec ?? 600,
      refreshTokenSec: opts.refreshTokenLifetimeSec ?? 90 * 24 * 3600,
    },
    new FaultQueue(),
    opts.clientIds,
  );
  return new FakeEntraServer(server, url, address.port, state, sockets, new AbortController());
}
