// Public types of the fake Microsoft Entra ID. Other test suites code against these,
// so existing members must keep their shape; new members may be added.

export interface FakeUser {
  username: string;
  name: string;
  oid: string;
  tid: string;
}

export interface FakeEntraOptions {
  /** Default 0 (ephemeral). The server always binds 127.0.0.1. */
  port?: number;
  /** Default: alice@contoso.test and bob@contoso.test in TENANT_ID. */
  users?: FakeUser[];
  /** Default 3600; becomes expires_in / ext_expires_in. */
  accessTokenLifetimeSec?: number;
  /** Default 3600. */
  idTokenLifetimeSec?: number;
  /** Default 1; msal polls every `interval` seconds. */
  deviceCodeIntervalSec?: number;
  // ---- additions (not in the original brief) ----
  /** Default 900, like Entra. */
  deviceCodeLifetimeSec?: number;
  /** Default 600 (Entra: ~10 minutes). */
  authCodeLifetimeSec?: number;
  /** Default 90 days; an older refresh token gives invalid_grant AADSTS700082. */
  refreshTokenLifetimeSec?: number;
  /**
   * Registered public-client application ids. Default: any GUID is accepted
   * (the fake has no app registry); a non-GUID client_id is rejected like Entra does.
   */
  clientIds?: string[];
}

export interface FakeRequestRecord {
  at: number;
  method: string;
  path: string;
  tenant?: string;
  grantType?: string;
  clientId?: string;
  scope?: string;
  /** Short SHA-256 prefix of the refresh token sent; the token itself is never stored. */
  refreshTokenFingerprint?: string;
  /** HTTP status answered; 0 while unanswered (e.g. a hang fault, or the client went away). */
  status: number;
  // ---- additions ----
  /** Short SHA-256 prefix of the authorization code or device code sent. */
  codeFingerprint?: string;
  /** `error` of the JSON error body, when one was sent. */
  error?: string;
  /** Value of the Retry-After header sent, in seconds. */
  retryAfterSec?: number;
  /** True when an injected fault answered (or delayed) this request. */
  faulted?: boolean;
  /** The client-request-id header (msal's correlation id), when sent. */
  correlationId?: string;
  /** Authorize requests only: the query parameters (they hold no secrets). */
  authorizeParams?: Record<string, string>;
  /** The `claims` parameter of an authorize, token or devicecode request (JSON; no secret). */
  claims?: string;
}

export type FaultEndpoint = "token" | "authorize" | "devicecode" | "discovery";

export interface FaultSpec {
  endpoint: FaultEndpoint;
  /** Token endpoint only: match this grant_type ("device_code" also matches the urn form). */
  grantType?: string;
  /** Default 1. */
  count?: number;
  /** e.g. 400, 429, 500, 502, 503. Default 400 when `error` is given, 200 for `rawBody`. */
  status?: number;
  error?: string;
  suberror?: string;
  errorDescription?: string;
  /** Retry-After header in seconds (429 gets 1 when not given). */
  retryAfterSec?: number;
  /** Send this body as-is. */
  rawBody?: string;
  /** Answer late. Alone, the request is then handled normally. */
  delayMs?: number;
  /** Never answer until stop(). */
  hang?: boolean;
}

/** Result of the form_post that completeAuthorize delivered to the redirect_uri (addition). */
export interface RedirectResult {
  url: string;
  status: number;
  body: string;
  /** The fields posted (code fingerprinted, never the raw code). */
  fields: Record<string, string>;
}

export interface CompleteAuthorizeOptions {
  username?: string;
  deny?: boolean;
  tamperState?: boolean;
}

export interface FakeEntra {
  readonly url: string;
  readonly port: number;
  authority(tenant?: string): string;
  openIdConfiguration(tenant?: string): Record<string, unknown>;
  readonly requests: FakeRequestRecord[];
  tokenRequests(grantType?: string): FakeRequestRecord[];
  setDefaultUser(username: string): void;
  completeAuthorize(authorizeUrl: string, opts?: CompleteAuthorizeOptions): Promise<void>;
  approveDeviceCode(userCode: string, username?: string): void;
  lastDeviceCode(): { userCode: string; deviceCode: string } | undefined;
  revokeRefreshTokens(username?: string): void;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  stop(): Promise<void>;
  // ---- additions ----
  /** The users the fake knows (copy). */
  readonly users: readonly FakeUser[];
  /** What a person does when pressing "Cancel" on the devicelogin page: polling gets authorization_declined. */
  declineDeviceCode(userCode: string): void;
  /** Make a pending device code expire now: polling gets expired_token. */
  expireDeviceCode(userCode: string): void;
  /** The answer of the redirect_uri to the last form_post completeAuthorize made. */
  lastRedirectResult(): RedirectResult | undefined;
  /** The JSON Web Key Set served at /{tenant}/discovery/v2.0/keys (to verify tokens in tests). */
  jwks(): Promise<{ keys: Record<string, unknown>[] }>;
  /** Forget recorded requests (faults and grants are kept). */
  clearRequests(): void;
  /** Lifetime of access tokens issued from now on (e.g. short, to have a cached token expire). */
  setAccessTokenLifetime(seconds: number): void;
  /** Faults still queued (copies, with the remaining count). */
  pendingFaults(): FaultSpec[];
}
