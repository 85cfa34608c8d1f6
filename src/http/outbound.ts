import { isIPv6 } from 'node:net';
import { Agent, type Dispatcher, EnvHttpProxyAgent, fetch, Pool, type RequestInit } from 'undici';
import { errorCode, TUNNEL_NOT_OPENED } from './transport-errors.js';

/**
 * The outbound proxies, as HTTP_PROXY, HTTPS_PROXY and NO_PROXY give them. Read once at start with the rest
 * (loadConfig) and passed down, so that tests set them explicitly and nothing below reads the process environment.
 */
export interface ProxySettings {
  /** Proxy for http:// targets. */
  httpProxy?: string;
  /** Proxy for https:// targets; when unset, `httpProxy` serves them too (undici's rule). */
  httpsProxy?: string;
  /** Hosts reached directly: comma- or space-separated names (subdomains included), `host:port`, or `*`. */
  noProxy?: string;
}

export type ProxySettingsResult = { ok: true; proxy: ProxySettings } | { ok: false; problems: string[] };

/** Each setting's variables, the lowercase one first: when both are set it wins, as in undici and curl. */
export const PROXY_VARIABLES = {
  httpProxy: ['http_proxy', 'HTTP_PROXY'],
  httpsProxy: ['https_proxy', 'HTTPS_PROXY'],
  noProxy: ['no_proxy', 'NO_PROXY'],
} as const satisfies Record<keyof ProxySettings, readonly [string, string]>;

/**
 * The proxy settings of an environment; an empty variable is no proxy. A proxy that is not an http(s) URL is a
 * problem named by its variable, never printed: it may carry a password (`http://user:pass@proxy:3128`).
 */
export function readProxySettings(env: Readonly<Record<string, string | undefined>>): ProxySettingsResult {
  const proxy: ProxySettings = {};
  const problems: string[] = [];
  for (const [setting, names] of Object.entries(PROXY_VARIABLES) as [keyof ProxySettings, readonly string[]][]) {
    const name = names.find((candidate) => env[candidate] !== undefined);
    const value = name === undefined ? '' : (env[name] ?? '').trim();
    if (value === '') continue;
    if (setting !== 'noProxy' && !isProxyUrl(value)) {
      problems.push(`${name}: expected a proxy URL such as http://proxy.example:3128`);
      continue;
    }
    proxy[setting] = value;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, proxy };
}

function isProxyUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

export function usesProxy(proxy: ProxySettings): boolean {
  return proxy.httpProxy !== undefined || proxy.httpsProxy !== undefined;
}

export interface OutboundOptions extends Pick<Agent.Options, 'connections' | 'headersTimeout' | 'bodyTimeout'> {
  /** Bounds each connection attempt: to the server, or to the proxy and then the TLS handshake through it. */
  connectTimeoutMs?: number;
}

/**
 * How long before the end of the idle time a server announces (`Keep-Alive: timeout=5`, Node's default) a
 * connection stops being reused. undici's default, 2 s, dropped such connections after 3 s idle, so calls a few
 * seconds apart (a rep's next flow, a burst of status replies) each opened a new one, a TCP and TLS handshake
 * apiece. 1 s still leaves a round trip's margin before the server may close it.
 */
const KEEP_ALIVE_TIMEOUT_THRESHOLD_MS = 1_000;

/**
 * A dispatcher for calls leaving paylink: through the proxy the settings name for the target's scheme, unless
 * NO_PROXY exempts its host; a plain pooled Agent when no proxy is set (no per-call proxy lookup). Through a
 * proxy every target, http or https, is reached by a CONNECT tunnel (undici's default), pooled and kept alive
 * like a direct connection. A proxy that cannot be reached fails like a server that cannot (`ECONNREFUSED`…):
 * nothing was sent, so the clients' retry rules hold as they are.
 */
export function createOutboundDispatcher(proxy: ProxySettings, options: OutboundOptions = {}): Dispatcher {
  const { connectTimeoutMs, ...agentOptions } = options;
  const pooling = { ...agentOptions, keepAliveTimeoutThreshold: KEEP_ALIVE_TIMEOUT_THRESHOLD_MS };
  if (!usesProxy(proxy)) {
    return new Agent({
      ...pooling,
      ...(connectTimeoutMs === undefined ? {} : { connect: { timeout: connectTimeoutMs } }),
    });
  }
  // A ProxyAgent replaces the Agent's connector with its tunnel: its two legs take their own timeouts.
  const connectTimeouts =
    connectTimeoutMs === undefined
      ? {}
      : {
          connect: { timeout: connectTimeoutMs },
          proxyTls: { timeout: connectTimeoutMs },
          requestTls: { timeout: connectTimeoutMs },
        };
  return new EnvHttpProxyAgent({
    ...pooling,
    ...connectTimeouts,
    clientFactory: tunnelClients(connectTimeoutMs ?? agentOptions.headersTimeout),
    // Empty strings, not undefined: undici reads the process environment for a setting left undefined.
    httpProxy: proxy.httpProxy ?? '',
    httpsProxy: proxy.httpsProxy ?? '',
    noProxy: bracketedIpv6(proxy.noProxy ?? ''),
  });
}

/**
 * NO_PROXY with its bare IPv6 addresses bracketed (`::1` → `[::1]`), as undici matches them: it reads `::1` as host
 * `:` and port 1. curl, Go and Kubernetes' docs write them bare.
 */
function bracketedIpv6(noProxy: string): string {
  return noProxy
    .split(/([,\s]+)/)
    .map((entry) => (isIPv6(entry) ? `[${entry}]` : entry))
    .join('');
}

/**
 * The proxy's own connections, on which each tunnel is asked for (CONNECT). Its answer is waited for as long as a
 * connection (undici's default, 300 s, would hold a call that long on a proxy gone silent), and a tunnel it did not
 * open, its CONNECT unanswered or refused (a 502 from a proxy that cannot reach the target), fails as a connection that
 * never opened (TUNNEL_NOT_OPENED), not as an aborted request: nothing was sent to the target, so a retry is safe.
 */
function tunnelClients(answerWithinMs: number | undefined) {
  return (origin: URL | string, options: Pool.Options): Dispatcher => {
    const pool = new Pool(origin, {
      ...options,
      ...(answerWithinMs === undefined ? {} : { headersTimeout: answerWithinMs }),
    });
    const askTunnel = pool.connect.bind(pool) as (params: Dispatcher.ConnectOptions) => Promise<Dispatcher.ConnectData>;
    const notOpened = (detail: string, cause?: unknown) =>
      Object.assign(new Error(`the proxy did not open a tunnel: ${detail}`, { cause }), { code: TUNNEL_NOT_OPENED });
    Object.assign(pool, {
      async connect(params: Dispatcher.ConnectOptions): Promise<Dispatcher.ConnectData> {
        let tunnel: Dispatcher.ConnectData;
        try {
          tunnel = await askTunnel(params);
        } catch (error) {
          throw notOpened(errorCode(error) ?? String(error), error);
        }
        if (tunnel.statusCode !== 200) {
          tunnel.socket.destroy();
          throw notOpened(`it answered ${tunnel.statusCode}`);
        }
        return tunnel;
      },
    });
    return pool;
  };
}

/** A fetch going through `dispatcher`, for libraries that take a fetch function (Bolt's WebClient). */
export function fetchThrough(dispatcher: Dispatcher) {
  // Node's global RequestInit is undici's, declared apart (undici-types): the same shape, distinct FormData types.
  return (url: string | URL, init: globalThis.RequestInit = {}) => fetch(url, { ...(init as RequestInit), dispatcher });
}
