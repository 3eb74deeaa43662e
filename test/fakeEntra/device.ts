// Device code flow: POST /{tenant}/oauth2/v2.0/devicecode issues codes; the person's
// side is GET/POST /devicelogin (enter code, pick account) or the headless
// approve/decline helpers used by tests.

import { recordIssued } from "./issued";
import { randomInt } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { normalizeUserCode, type DeviceFlow, type FakeState } from "./state";
import { OAuthError, missingParam } from "./errors";
import { sendHtml } from "./http";
import { deviceCodeEntryPage, deviceDonePage, devicePickUserPage } from "./pages";
import { grantScopes } from "./scopes";
import { findUser } from "./tenants";
import { opaque } from "./tokens";
import { checkClient, checkTenant } from "./tokenEndpoint";
import { parseClaimsParam } from "./claims";

// Entra's user codes are 9 characters without look-alike letters/digits.
const USER_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

function newUserCode(): string {
  let s = "";
  for (let i = 0; i < 9; i++) s += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return s;
}

export function handleDeviceCodeRequest(state: FakeState, tenantSegment: string, f: URLSearchParams): Record<string, string | number> {
  const tenant = checkTenant(tenantSegment, state);
  const clientId = checkClient(f, state, tenant.kind === "guid" ? tenant.tid : tenantSegment);
  const scope = f.get("scope");
  if (!scope) throw missingParam("scope");
  const scopes = grantScopes(scope);
  if (!scopes.ok) throw new OAuthError("invalid_scope", scopes.description);
  const claims = f.get("claims") || undefined;
  parseClaimsParam(claims);
  let userCode = newUserCode();
  while (state.userCodes.has(userCode)) userCode = newUserCode();
  const deviceCode = opaque("DAQABIQEAAA", 96);
  recordIssued(deviceCode);
  const flow: DeviceFlow = {
    userCode,
    deviceCode,
    clientId,
    scope,
    claims,
    tenant,
    status: "pending",
    expiresAt: Date.now() + state.lifetimes.deviceCodeSec * 1000,
  };
  state.deviceFlows.set(deviceCode, flow);
  state.userCodes.set(userCode, deviceCode);
  state.lastDeviceCode = deviceCode;
  const verificationUri = `${state.url}/devicelogin`;
  return {
    user_code: userCode,
    device_code: deviceCode,
    verification_uri: verificationUri,
    expires_in: state.lifetimes.deviceCodeSec,
    interval: state.lifetimes.deviceCodeIntervalSec,
    message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
  };
}

/** A pending, unexpired flow for a user code, or a reason why not (for pages and helpers). */
function pendingFlow(state: FakeState, userCode: string): DeviceFlow | string {
  const flow = state.deviceFlowByUserCode(userCode);
  if (!flow) return "That code didn't work. Check the code and try again.";
  if (Date.now() > flow.expiresAt) return "That code has expired. Go back to your device to get a new code.";
  if (flow.status !== "pending") return "That code has already been used.";
  return flow;
}

export function approveDevice(state: FakeState, userCode: string, username?: string): void {
  const flow = pendingFlow(state, userCode);
  if (typeof flow === "string") throw new Error(`approveDeviceCode(${userCode}): ${flow}`);
  const user = findUser(state.users, username ?? state.defaultUser);
  if (!user) throw new Error(`approveDeviceCode: unknown user ${username ?? state.defaultUser}`);
  flow.user = user;
  flow.status = "approved";
}

export function declineDevice(state: FakeState, userCode: string): void {
  const flow = pendingFlow(state, userCode);
  if (typeof flow === "string") throw new Error(`declineDeviceCode(${userCode}): ${flow}`);
  flow.status = "declined";
}

export function expireDevice(state: FakeState, userCode: string): void {
  const flow = state.deviceFlowByUserCode(userCode);
  if (!flow) throw new Error(`expireDeviceCode(${userCode}): unknown code`);
  flow.expiresAt = Date.now() - 1;
}

/** GET shows the code entry; POST otc → account picker; POST otc+username|cancel → done. */
export function handleDeviceLogin(state: FakeState, req: IncomingMessage, res: ServerResponse, form: URLSearchParams | undefined): void {
  const otc = form?.get("otc");
  if (!form || otc === null || otc === undefined) {
    sendHtml(req, res, 200, deviceCodeEntryPage());
    return;
  }
  const flow = pendingFlow(state, otc);
  if (typeof flow === "string") {
    sendHtml(req, res, 200, deviceCodeEntryPage(flow));
    return;
  }
  if (form.get("action") === "cancel") {
    flow.status = "declined";
    sendHtml(req, res, 200, deviceDonePage(false));
    return;
  }
  const user = findUser(state.users, form.get("username") ?? undefined);
  if (!user) {
    sendHtml(req, res, 200, devicePickUserPage(normalizeUserCode(otc), state.users, state.defaultUser, flow.clientId));
    return;
  }
  flow.user = user;
  flow.status = "approved";
  sendHtml(req, res, 200, deviceDonePage(true));
}
