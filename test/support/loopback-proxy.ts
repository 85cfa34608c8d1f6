import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';

/** One HTTP request seen inside a tunnel. */
export interface TunnelledRequest {
  /** The tunnel's target, `host:port` as CONNECT named it. */
  target: string;
  method: string;
  /** The request's path, e.g. `/api/chat.postMessage`. */
  path: string;
}

export interface LoopbackProxy {
  /** `http://127.0.0.1:<port>`, for HTTP_PROXY / HTTPS_PROXY. */
  readonly url: string;
  /** The targets of the CONNECT tunnels opened through it, in order. */
  readonly tunnels: readonly string[];
  /** The requests that went through those tunnels, in order, read off the plain-http bytes passing by. */
  readonly requests: readonly TunnelledRequest[];
  /** `METHOD /path` of every request tunnelled to `target`. */
  requestsTo(target: string): string[];
  /**
   * Answers the next `times` CONNECTs 502, as a proxy that cannot reach the target does (Infinity: every one, until
   * told 0).
   */
  refuseTunnels(times: number): void;
  /** How many CONNECTs it refused. */
  readonly refused: number;
  /** Ends every tunnel open, so that the next call must ask for a new one. */
  cutTunnels(): void;
  close(): Promise<void>;
}

/**
 * An HTTP forward proxy on a loopback port that records what goes through it. It serves CONNECT, which is how
 * undici's ProxyAgent reaches every target through a proxy, http and https alike (`proxyTunnel` defaults to
 * true); an absolute-form request (`POST http://host/path`) is answered 405, so a client that sent one would
 * show up as a failure rather than pass unseen. The stand-ins speak plain http, so the proxy can read each request
 * line in a tunnel: which Slack method, which SAFEDEBIT call went through it.
 */
export async function startLoopbackProxy(): Promise<LoopbackProxy> {
  const tunnels: string[] = [];
  const requests: TunnelledRequest[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A side going away mid-tunnel is normal here (a client closing its pool); unheard, it would crash the test.
    socket.on('error', () => socket.destroy());
  };

  const server = createServer((_request, response) => {
    response.writeHead(405, { connection: 'close' }).end('this proxy only tunnels (CONNECT)');
  });
  let toRefuse = 0;
  let refused = 0;
  server.on('connect', (request, client: Socket, head: Buffer) => {
    const target = request.url ?? '';
    const { hostname, port } = new URL(`http://${target}`);
    track(client);
    if (toRefuse > 0) {
      toRefuse -= 1;
      refused += 1;
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    tunnels.push(target);
    const upstream = connect(Number(port), hostname);
    track(upstream);
    let established = false;
    upstream.once('error', () => {
      if (!established) client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    });
    // Either side closing ends the tunnel.
    upstream.once('close', () => client.destroy());
    client.once('close', () => upstream.destroy());
    upstream.once('connect', () => {
      established = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      const readRequests = requestReader((method, path) => requests.push({ target, method, path }));
      readRequests(head);
      upstream.write(head);
      client.on('data', readRequests);
      client.pipe(upstream);
      upstream.pipe(client);
    });
  });

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    requests,
    requestsTo: (target) =>
      requests.filter((seen) => seen.target === target).map((seen) => `${seen.method} ${seen.path}`),
    refuseTunnels(times) {
      toRefuse = times;
    },
    get refused() {
      return refused;
    },
    cutTunnels() {
      for (const socket of sockets) socket.destroy();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Follows an HTTP/1.1 request stream (kept alive, so several requests in a row) and reports each request line.
 * Bodies are skipped by their content-length (undici sends one for the string bodies these clients post); after
 * an upgrade (Socket Mode's WebSocket) the bytes are frames, no longer read.
 */
function requestReader(onRequest: (method: string, path: string) => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  let bodyLeft = 0;
  let upgraded = false;
  return (chunk) => {
    if (upgraded) return;
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      const skipped = Math.min(bodyLeft, pending.length);
      pending = pending.subarray(skipped);
      bodyLeft -= skipped;
      const headEnd = pending.indexOf('\r\n\r\n');
      if (bodyLeft > 0 || headEnd < 0) return;
      const [requestLine = '', ...headerLines] = pending.subarray(0, headEnd).toString('latin1').split('\r\n');
      pending = pending.subarray(headEnd + 4);
      const [method = '', path = ''] = requestLine.split(' ');
      onRequest(method, path);
      const header = (name: string) =>
        headerLines
          .find((line) => line.toLowerCase().startsWith(`${name}:`))
          ?.slice(name.length + 1)
          .trim();
      if (header('upgrade') !== undefined) {
        upgraded = true;
        return;
      }
      bodyLeft = Number(header('content-length') ?? 0);
    }
  };
}
