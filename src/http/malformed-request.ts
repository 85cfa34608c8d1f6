import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  HTTPModuleFunctions,
  type Logger,
  type ReceiverDispatchErrorHandlerArgs,
  type ReceiverProcessEventErrorHandlerArgs,
} from '@slack/bolt';

/**
 * Bolt reads fields of a payload before any listener runs; a correctly signed but malformed payload (a
 * view_submission without a view…) makes it throw a TypeError, which Bolt answers 500. That is the
 * sender's fault, not ours: answer 400. Listener errors never get here (app.error handles them).
 */
export async function answerMalformedRequests(args: ReceiverProcessEventErrorHandlerArgs): Promise<boolean> {
  if (args.error instanceof TypeError && !args.response.headersSent) {
    args.logger.warn({ event: 'malformed_request', error: args.error.message });
    args.response.writeHead(400);
    args.response.end();
    return true;
  }
  return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
}

/** Thrown by `new URL(target, base)` for a request target that is no URL (`//`, `//a:b@/x`). */
const isInvalidUrl = (error: unknown) =>
  error instanceof TypeError && (error as NodeJS.ErrnoException).code === 'ERR_INVALID_URL';

/**
 * A request target Bolt cannot decode (`/cb/%E0%A4%A`) or even parse (`//`) is the sender's fault: 400, not Bolt's 500
 * with an error line.
 */
export function answerMalformedUrls(args: ReceiverDispatchErrorHandlerArgs): void {
  if ((args.error instanceof URIError || isInvalidUrl(args.error)) && !args.response.headersSent) {
    args.logger.warn({ event: 'malformed_request', error: 'undecodable URL' });
    args.response.writeHead(400);
    args.response.end();
    return;
  }
  HTTPModuleFunctions.defaultDispatchErrorHandler(args);
}

/**
 * Bolt's Socket Mode receiver serves the custom routes (callbacks, the sandbox, /healthz) from an http.Server of its own,
 * with no dispatch error handler: a path it cannot decode throws in its async request listener, and the unhandled
 * rejection ends the process, so one anonymous request would stop paylink. Its listeners are wrapped: such a path gets
 * the same 400 as in HTTP mode, and any other failure a 500, the process going on.
 */
export function guardRequestListeners(server: Server, logger: Logger): void {
  const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => unknown)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    try {
      decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      logger.warn({ event: 'malformed_request', error: 'undecodable URL' });
      res.writeHead(400).end();
      return;
    }
    for (const listener of listeners) {
      Promise.resolve(listener.call(server, req, res)).catch((error: unknown) => {
        logger.error({ event: 'request_failed', error });
        if (res.headersSent) res.destroy();
        else res.writeHead(500).end();
      });
    }
  });
}
