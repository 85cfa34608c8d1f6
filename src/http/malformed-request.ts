import {
  HTTPModuleFunctions,
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

/** A request path Bolt cannot even decode (`/cb/%E0%A4%A`) is the sender's fault: 400, not Bolt's 500. */
export function answerMalformedUrls(args: ReceiverDispatchErrorHandlerArgs): void {
  if (args.error instanceof URIError && !args.response.headersSent) {
    args.logger.warn({ event: 'malformed_request', error: 'undecodable URL' });
    args.response.writeHead(400);
    args.response.end();
    return;
  }
  HTTPModuleFunctions.defaultDispatchErrorHandler(args);
}
