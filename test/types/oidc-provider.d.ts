// oidc-provider ships no types (and @types/oidc-provider brings Koa's whole tree): the part the
// test OpenID Provider (test/oidcProvider) uses.
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "http";

  export type Claims = { sub: string } & Record<string, unknown>;

  export interface Account {
    accountId: string;
    claims(use: string, scope: string): Claims | Promise<Claims>;
  }

  export interface ClientMetadata {
    client_id: string;
    application_type?: "native" | "web";
    token_endpoint_auth_method?: string;
    redirect_uris: string[];
    grant_types?: string[];
    response_types?: string[];
  }

  export interface Configuration {
    clients: ClientMetadata[];
    findAccount(ctx: unknown, sub: string): Account | undefined | Promise<Account | undefined>;
    claims?: Record<string, string[]>;
    conformIdTokenClaims?: boolean;
    cookies?: { keys: string[] };
    jwks?: { keys: Record<string, unknown>[] };
    ttl?: Record<string, number>;
    features?: Record<string, { enabled: boolean }>;
    interactions?: { url(ctx: unknown, interaction: { uid: string }): string | Promise<string> };
    renderError?(ctx: { type: string; body: unknown }, out: Record<string, string>, error: Error): void | Promise<void>;
  }

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; details: { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> } };
    params: Record<string, unknown> & { client_id: string };
    session?: { accountId: string };
    grantId?: string;
  }

  export interface Grant {
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  /** The part of Koa's context the test provider's middleware reads. */
  export interface Context {
    method: string;
    path: string;
    status: number;
    body: unknown;
    query: Record<string, string | string[] | undefined>;
    headers: Record<string, string | string[] | undefined>;
    oidc?: { body?: Record<string, unknown>; params?: Record<string, unknown> };
  }

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: (ctx: Context, next: () => Promise<void>) => Promise<void>): void;
    on(event: "server_error", listener: (ctx: Context, error: Error) => void): this;
    /** An authorization code was stored; with the default opaque format its value is its `jti`. */
    on(event: "authorization_code.saved", listener: (code: { jti: string }) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    Grant: { new (properties: { accountId: string; clientId: string }): Grant; find(id: string): Promise<Grant | undefined> };
  }
}
