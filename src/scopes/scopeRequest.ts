import type { Protocol } from "../config/authority";
import { CLIENT_ID_FORM, isClientId, isOidcClientId, isTenant, OIDC_CLIENT_ID_FORM, TENANT_FORM } from "../config/validate";

/**
 * Scopes as other extensions pass them to `vscode.authentication.getSession`, parsed and checked.
 * `VSCODE_CLIENT_ID:<id>` and `VSCODE_TENANT:<tenant>` pick client and tenant per request, as in
 * VS Code's built-in Microsoft provider; they are never sent to the server.
 */
export interface ScopeRequest {
  /** What the caller asked for, as given: sessions report these scopes back. */
  readonly original: readonly string[];
  /** Sent to the identity provider: special scopes removed, sorted, without duplicates. */
  readonly scopes: string[];
  readonly clientId?: string;
  readonly tenant?: string;
}

export const MAX_SCOPES = 100;
export const MAX_SCOPE_LENGTH = 1024;
const CLIENT_PREFIX = "VSCODE_CLIENT_ID:";
const TENANT_PREFIX = "VSCODE_TENANT:";
const OIDC_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);
// OAuth scopes are space-separated tokens of printable ASCII without '"' and '\' (RFC 6749 3.3).
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export class ScopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScopeError";
  }
}

/** `VSCODE_CLIENT_ID:…` and `VSCODE_TENANT:…`: they pick client and tenant, they are no permission. */
export function isSpecialScope(scope: string): boolean {
  return scope.startsWith(CLIENT_PREFIX) || scope.startsWith(TENANT_PREFIX);
}

/**
 * With an OpenID Provider (`protocol` "oidc") the Entra conventions do not apply: there are no
 * tenants, client ids have the provider's own form, and no Microsoft Graph scope is added (MSAL
 * asks for `openid profile offline_access` itself, whatever else is asked).
 */
export function parseScopes(input: unknown, protocol: Protocol = "entra"): ScopeRequest {
  const oidc = protocol === "oidc";
  const [validClientId, clientIdForm] = oidc ? [isOidcClientId, OIDC_CLIENT_ID_FORM] : [isClientId, CLIENT_ID_FORM];
  if (!Array.isArray(input)) {
    throw new ScopeError(`Scopes must be an array of strings; got ${describe(input)}.`);
  }
  if (input.length > MAX_SCOPES) {
    throw new ScopeError(`Too many scopes: ${input.length} given, at most ${MAX_SCOPES} are accepted.`);
  }
  let clientId: string | undefined;
  let tenant: string | undefined;
  const scopes = new Set<string>();
  input.forEach((scope: unknown, index) => {
    if (typeof scope !== "string" || scope.length === 0) {
      throw new ScopeError(`Scope ${index} must be a non-empty string; got ${describe(scope)}.`);
    }
    if (scope.length > MAX_SCOPE_LENGTH) {
      throw new ScopeError(`Scope ${index} is ${scope.length} characters long; at most ${MAX_SCOPE_LENGTH} are accepted.`);
    }
    if (!SCOPE_TOKEN.test(scope)) {
      throw new ScopeError(`Scope ${index} contains a space, a control character or another character that scopes may not contain.`);
    }
    if (scope.startsWith(CLIENT_PREFIX)) {
      clientId = special(scope.slice(CLIENT_PREFIX.length), clientId, CLIENT_PREFIX, validClientId, clientIdForm);
    } else if (scope.startsWith(TENANT_PREFIX)) {
      if (oidc) {
        throw new ScopeError(`"${TENANT_PREFIX}" cannot be used with an OpenID Provider ("msal.protocol" is "oidc"), which has no tenants: leave it out.`);
      }
      tenant = special(scope.slice(TENANT_PREFIX.length), tenant, TENANT_PREFIX, isTenant, TENANT_FORM);
    } else {
      scopes.add(scope);
    }
  });
  // As the built-in provider: a request for OpenID scopes only gets a Microsoft Graph profile token.
  if (!oidc && [...scopes].every((s) => OIDC_SCOPES.has(s))) {
    scopes.add("User.Read");
  }
  return { original: [...input] as string[], scopes: [...scopes].sort(), clientId, tenant };
}

function special(value: string, previous: string | undefined, prefix: string, valid: (v: string) => boolean, form: string): string {
  if (!valid(value)) {
    throw new ScopeError(`"${prefix}${value}": the value must be ${form}.`);
  }
  if (previous !== undefined && previous !== value) {
    throw new ScopeError(`"${prefix}" is given twice with different values.`);
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === "string") {
    return value.length === 0 ? "an empty string" : "a string";
  }
  return value === null ? "null" : Array.isArray(value) ? "an array" : `a value of type ${typeof value}`;
}

/** A stable key for the request's token: joins concurrent identical requests. */
export function scopeKey(request: ScopeRequest): string {
  return request.scopes.join(" ");
}
