import type { Server, ServerResponse } from 'node:http';

/**
 * Lets a stopping server's kept-alive connections go (a load balancer's, a reverse proxy's). Node's `close()` closes
 * only the connections idle then: one busy answering would go on taking request after request, each answered as if
 * nothing were stopping, and the stop would wait for it until its grace ran out. Once `drain()` is called, every
 * response carries `Connection: close` (Node closes its connection once it is sent), and a connection left idle by a
 * response already under way is closed.
 */
export function drainable(server: Server): { drain(): void } {
  const answering = new Set<ServerResponse>();
  let draining = false;
  // Before the app's own listener: a route answering at once (/healthz) would have sent its headers already.
  server.prependListener('request', (_req, res: ServerResponse) => {
    if (draining) {
      res.shouldKeepAlive = false;
      return;
    }
    answering.add(res);
    res.once('close', () => answering.delete(res));
  });
  return {
    drain() {
      draining = true;
      for (const res of answering) {
        if (!res.headersSent) res.shouldKeepAlive = false;
        else res.once('finish', () => setImmediate(() => server.closeIdleConnections()));
      }
      answering.clear();
      server.closeIdleConnections();
    },
  };
}
