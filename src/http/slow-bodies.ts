import type { Server } from 'node:http';
import { sendText } from './send-text.js';

/**
 * Bolt reads a request to its events path whole before checking the signature, with no time limit but Node's five
 * minutes: anyone could hold a connection, and up to the body limit in memory, that long. A body not received within
 * `timeoutMs` is answered 408 and its connection closed, as paylink's own routes do with theirs.
 */
export function cutSlowBodies(server: Server, path: string, timeoutMs: number): void {
  // Before Bolt's listener, which starts reading the body.
  server.prependListener('request', (req, res) => {
    if (req.method !== 'POST' || routedPath(req.url) !== path) return;
    const timer = setTimeout(() => {
      // Node closes the connection once the answer is sent.
      if (res.headersSent) req.destroy();
      else sendText(res, 408, 'Request timeout', { connection: 'close' });
    }, timeoutMs);
    const received = () => clearTimeout(timer);
    req.once('end', received).once('close', received);
  });
}

/**
 * The path as Bolt routes it: resolved as a URL, so that `/slack/./events`, `/slack/%2e/events` and the absolute form
 * `http://host/slack/events`, which reach its events handler, are cut too. One that is no URL gets a 400 elsewhere.
 */
function routedPath(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}
