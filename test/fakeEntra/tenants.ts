// Users and tenant-name resolution. Entra accepts a tenant path segment that is a
// multi-tenant alias, a tenant GUID or a verified domain; the fake mirrors that.

import { createHash } from "node:crypto";
import type { FakeUser } from "./types";

/** Fixed GUID of the default tenant (contoso.test). */
export const TENANT_ID = "5f1c2e4a-7b3d-4c8e-9a61-2d0b7e4f8c13";

/** The real tenant id behind `consumers` (Microsoft accounts); Entra uses it as issuer there. */
export const CONSUMERS_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad";

export const DEFAULT_USERS: readonly FakeUser[] = Object.freeze([
  { username: "alice@contoso.test", name: "Alice Anderson", oid: "0c8a1f3e-2b4d-4e6f-8a1c-3d5e7f9a1b2c", tid: TENANT_ID },
  { username: "bob@contoso.test", name: "Bob Brown", oid: "6e2d4c8a-1f3b-4a5d-9c7e-8b0a2d4f6e81", tid: TENANT_ID },
]);

export const MULTI_TENANT_ALIASES: ReadonlySet<string> = new Set(["common", "organizations", "consumers"]);

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A DNS-looking name with at least one dot, as Entra tenant domains are.
const DOMAIN_RE = /^(?=.{3,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

export function isGuid(s: string): boolean {
  return GUID_RE.test(s);
}

export type TenantKind =
  | { kind: "alias"; alias: string }
  | { kind: "guid"; tid: string }
  | { kind: "unknown"; reason: string };

/**
 * Resolves a path tenant segment. Domains map to the tenant of a user whose UPN has
 * that domain (the fake's notion of a verified domain); unknown domains are not found,
 * as Entra answers AADSTS90002.
 */
export function resolveTenant(segment: string, users: readonly FakeUser[]): TenantKind {
  const lower = segment.toLowerCase();
  if (MULTI_TENANT_ALIASES.has(lower)) return { kind: "alias", alias: lower };
  if (isGuid(segment)) return { kind: "guid", tid: lower };
  if (DOMAIN_RE.test(segment)) {
    const owner = users.find((u) => u.username.toLowerCase().endsWith(`@${lower}`));
    if (owner) return { kind: "guid", tid: owner.tid.toLowerCase() };
    return { kind: "unknown", reason: `Tenant '${segment}' not found.` };
  }
  return { kind: "unknown", reason: `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID.` };
}

/**
 * The tenant a token is issued for: the path tenant when it is a GUID (a guest tenant
 * when it is not the user's home), else the user's home tenant.
 */
export function tokenTenant(t: TenantKind, user: FakeUser): string {
  return t.kind === "guid" ? t.tid : user.tid.toLowerCase();
}

/**
 * Object id of the user's guest (tenant-profile) account in another tenant. Real Entra
 * gives a guest a different oid in each resource tenant; derive one deterministically.
 */
export function oidInTenant(user: FakeUser, tid: string): string {
  if (tid === user.tid.toLowerCase()) return user.oid;
  const h = createHash("sha256").update(`${user.oid}|${tid}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function findUser(users: readonly FakeUser[], username: string | undefined): FakeUser | undefined {
  if (!username) return undefined;
  const lower = username.toLowerCase();
  return users.find((u) => u.username.toLowerCase() === lower);
}
