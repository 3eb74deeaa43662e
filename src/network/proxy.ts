import type { Agent } from "http";
import { HttpProxyAgent } from "http-proxy-agent";
import { HttpsProxyAgent } from "https-proxy-agent";
import { getProxyForUrl } from "proxy-from-env";

/** VS Code's proxy settings (`http.proxy`, `http.proxyStrictSSL`, `http.noProxy`). */
export interface ProxySettings {
  readonly proxy?: string;
  readonly strictSSL: boolean;
  readonly noProxy?: readonly string[];
}

export const NO_PROXY_SETTINGS: ProxySettings = { strictSSL: true };

/**
 * The proxy for a request: VS Code's `http.proxy` when set (minus `http.noProxy` hosts), else the
 * standard HTTPS_PROXY / HTTP_PROXY / NO_PROXY environment, as the editor itself does.
 */
export function proxyFor(url: string, settings: ProxySettings): string | undefined {
  if (settings.proxy) {
    const host = new URL(url).hostname.toLowerCase();
    const excluded = (settings.noProxy ?? []).some((pattern) => matchesHost(host, pattern.toLowerCase()));
    return excluded ? undefined : settings.proxy;
  }
  return getProxyForUrl(url) || undefined;
}

function matchesHost(host: string, pattern: string): boolean {
  const bare = pattern.replace(/^\*?\./, "");
  return host === bare || host.endsWith(`.${bare}`);
}

/** One agent per proxy and scheme, reused across requests (keeps the proxy connection). */
export class ProxyAgents {
  private readonly agents = new Map<string, Agent>();

  constructor(private readonly settings: () => ProxySettings) {}

  agentFor(url: string): Agent | undefined {
    const proxy = proxyFor(url, this.settings());
    if (!proxy) {
      return undefined;
    }
    const secure = url.startsWith("https:");
    const { strictSSL } = this.settings();
    const key = `${secure}|${proxy}|${strictSSL}`;
    const existing = this.agents.get(key);
    if (existing) {
      return existing;
    }
    const agent = secure ? new HttpsProxyAgent(proxy, { rejectUnauthorized: strictSSL }) : new HttpProxyAgent(proxy, { rejectUnauthorized: strictSSL });
    this.agents.set(key, agent);
    return agent;
  }

  /** Where a request would go, for logs. */
  describe(url: string): string {
    const proxy = proxyFor(url, this.settings());
    return proxy ? `through proxy ${new URL(proxy).host}` : "directly";
  }
}
