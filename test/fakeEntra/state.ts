// Server-side state: issued authorization codes, refresh tokens and device flows, plus
// the resolved options. Secrets are map keys only; records get fingerprints.

import type { FakeUser } from "./types";
import type { TenantKind } from "./tenants";
import { isGuid } from "./tenants";
import type { FaultQueue } from "./faults";

export interface Lifetimes {
  accessTokenSec: number;
  idTokenSec: number;
  deviceCodeIntervalSec: number;
  deviceCodeSec: number;
  authCodeSec: number;
  refreshTokenSec: number;
}

export interface AuthCodeGrant {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
  nonce?: string;
  /** The authorize request's `claims`: what the sign-in satisfied goes into the tokens. */
  claims?: string;
  user: FakeUser;
  /** Tenant of the authorize path; the token's tenant is derived from it at redemption. */
  tenant: TenantKind;
  expiresAt: number;
  used: boolean;
}

export interface RefreshGrant {
  clientId: string;
  user: FakeUser;
  state: "active" | "rotated" | "revoked";
  expiresAt: number;
}

export interface DeviceFlow {
  userCode: string;
  deviceCode: string;
  clientId: string;
  scope: string;
  /** The devicecode request's `claims`. */
  claims?: string;
  tenant: TenantKind;
  status: "pending" | "approved" | "declined" | "redeemed";
  user?: FakeUser;
  expiresAt: number;
}

export class FakeState {
  readonly codes = new Map<string, AuthCodeGrant>();
  readonly refreshTokens = new Map<string, RefreshGrant>();
  /** Keyed by device_code; userCodes maps the normalized user code to it. */
  readonly deviceFlows = new Map<string, DeviceFlow>();
  readonly userCodes = new Map<string, string>();
  lastDeviceCode: string | undefined;
  defaultUser: string;

  constructor(
    readonly url: string,
    readonly users: readonly FakeUser[],
    readonly lifetimes: Lifetimes,
    readonly faults: FaultQueue,
    private readonly clientIds: readonly string[] | undefined,
  ) {
    this.defaultUser = users[0]?.username ?? "";
  }

  isClientAllowed(clientId: string): boolean {
    return this.clientIds ? this.clientIds.includes(clientId) : isGuid(clientId);
  }

  deviceFlowByUserCode(userCode: string): DeviceFlow | undefined {
    const dc = this.userCodes.get(normalizeUserCode(userCode));
    return dc === undefined ? undefined : this.deviceFlows.get(dc);
  }
}

/** People type codes in any case, with spaces or dashes. */
export function normalizeUserCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, "");
}
