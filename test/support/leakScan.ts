// A mocha root hook (loaded with --require): after all tests, scans everything the tests captured
// (log lines, error messages) for any credential a fake Entra ID issued in this process, and checks
// that every authorize request used PKCE S256.
import { allAuthorizeRequests, issuedSecrets } from "../fakeEntra";

const captured: string[][] = [];

/** Registers a growing list of captured text (a log's lines) for the final scan. */
export function registerCapture(lines: string[]): void {
  captured.push(lines);
}

/** Captures one piece of text (an error message, a notification) for the final scan. */
export function captureText(text: string): void {
  captured.push([text]);
}

export function findLeaks(texts: readonly string[][] = captured): string[] {
  const secrets = [...issuedSecrets()];
  const leaks: string[] = [];
  for (const lines of texts) {
    for (const line of lines) {
      if (secrets.some((secret) => line.includes(secret)) || /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./.test(line)) {
        leaks.push(line.slice(0, 200));
      }
    }
  }
  return leaks;
}

export const mochaHooks = {
  afterAll(): void {
    const lines = captured.reduce((n, l) => n + l.length, 0);
    const leaks = findLeaks();
    if (leaks.length > 0) {
      throw new Error(`Credentials leaked into ${leaks.length} captured line(s), e.g.: ${leaks[0]}`);
    }
    const authorize = allAuthorizeRequests();
    // Requests made by MSAL (the fake's own tests also send hand-made, deliberately broken ones).
    const byMsal = authorize.filter((p) => p["x-client-SKU"]);
    const withoutPkce = byMsal.filter((p) => p.code_challenge_method !== "S256" || !p.code_challenge);
    if (withoutPkce.length > 0) {
      throw new Error(`${withoutPkce.length} of ${byMsal.length} authorize requests by MSAL did not use PKCE S256`);
    }
    console.log(`  leak scan: ${lines} captured lines and messages checked against ${issuedSecrets().size} issued credentials; ${byMsal.length} authorize requests by MSAL, all with PKCE S256`);
  },
};
