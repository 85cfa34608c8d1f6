import type { types } from '@slack/bolt';
import { type Dispatcher, request } from 'undici';

/** A message for a command's or shortcut's response_url. */
export interface ResponseUrlMessage {
  text: string;
  blocks?: types.KnownBlock[];
  response_type?: 'ephemeral' | 'in_channel';
}

/** A response_url post's longest wait, for its answer and again for its body; the Slack client's own, when shorter. */
export const RESPONSE_URL_TIMEOUT_MS = 5000;
/** undici's default: a longer answer (none is expected, Slack answers `ok`) closes its connection rather than be read. */
const RESPONSE_BODY_READ_BYTES = 128 * 1024;

/**
 * Posts to a response_url through `dispatcher` (the Slack client's: same connections, same proxy). Bolt's
 * `respond()` does the same but only inside a listener; the link flow runs after the ack and may need it later
 * (the URL stays valid 30 minutes, 5 uses).
 */
export async function postToResponseUrl(
  dispatcher: Dispatcher,
  url: string,
  message: ResponseUrlMessage,
  timeoutMs = RESPONSE_URL_TIMEOUT_MS,
): Promise<void> {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ response_type: 'ephemeral', ...message }),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    dispatcher,
  });
  // Its status says whether Slack took the message; the body is read only to free the connection, and given up on
  // if it never ends (bodyTimeout bounds each wait between two chunks, not the whole).
  await response.body
    .dump({ limit: RESPONSE_BODY_READ_BYTES, signal: AbortSignal.timeout(timeoutMs) })
    .catch(() => undefined);
  if (response.statusCode !== 200) throw new Error(`response_url answered HTTP ${response.statusCode}`);
}
