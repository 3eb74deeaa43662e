// Every credential any identity provider of the tests (this fake, and the test OpenID Provider)
// issued in this process, so that tests can scan what they captured (logs, messages, files) for
// leaks. Kept in memory of the test process only.
const issued = new Set<string>();

export function recordIssued(...secrets: (string | undefined)[]): void {
  for (const secret of secrets) {
    if (secret) issued.add(secret);
  }
}

export function issuedSecrets(): ReadonlySet<string> {
  return issued;
}

const authorizeRequests: Record<string, string>[] = [];

/** The query of every authorize request any fake received (no secrets in it). */
export function recordAuthorize(params: Record<string, string>): void {
  authorizeRequests.push(params);
}

export function allAuthorizeRequests(): readonly Record<string, string>[] {
  return authorizeRequests;
}
