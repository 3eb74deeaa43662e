/**
 * Our own back-off per identity provider host. MSAL's throttling does not survive a cache plugin
 * (every silent call reloads the cache and wipes MSAL's throttle records), and its errors carry
 * neither the HTTP status nor Retry-After, so the network layer keeps this state itself.
 */
export const FIRST_BACKOFF_MS = 2_000;
export const MAX_BACKOFF_MS = 5 * 60_000;
/** A Retry-After beyond this is not honoured as such (a broken proxy, a typo): cap the wait. */
export const MAX_RETRY_AFTER_MS = 15 * 60_000;

interface HostState {
  blockedUntil: number;
  failures: number;
  reason: string;
}

export class Backoff {
  private readonly hosts = new Map<string, HostState>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Why and until when requests to `host` must wait, or undefined when they may go. */
  blocked(host: string): { until: number; reason: string } | undefined {
    const state = this.hosts.get(host);
    return state && state.blockedUntil > this.now() ? { until: state.blockedUntil, reason: state.reason } : undefined;
  }

  /** An answer arrived: 429 and 5xx make later requests wait, anything else clears the state. */
  answered(host: string, status: number, retryAfter: string | undefined): void {
    if (status === 429 || status >= 500) {
      const explicit = parseRetryAfter(retryAfter, this.now());
      const reason = status === 429 ? `the identity provider asked to slow down (HTTP 429)` : `the identity provider failed (HTTP ${status})`;
      this.fail(host, reason, explicit);
    } else {
      this.hosts.delete(host);
    }
  }

  /** No answer: unreachable, reset, or timed out. */
  unreachable(host: string, reason: string): void {
    this.fail(host, reason, undefined);
  }

  private fail(host: string, reason: string, waitMs: number | undefined): void {
    const state = this.hosts.get(host) ?? { blockedUntil: 0, failures: 0, reason };
    state.failures++;
    state.reason = reason;
    const exponential = Math.min(FIRST_BACKOFF_MS * 2 ** (state.failures - 1), MAX_BACKOFF_MS);
    state.blockedUntil = this.now() + (waitMs !== undefined ? Math.min(waitMs, MAX_RETRY_AFTER_MS) : exponential);
    this.hosts.set(host, state);
  }
}

/** Retry-After is seconds or an HTTP date (RFC 9110 10.2.3). */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) {
    return undefined;
  }
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    return Number(trimmed) * 1000;
  }
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
