import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, SIGNING_SECRET, startHarness } from '../support/paylink-harness.js';
import { appHomeOpenedEvent, sendEvent, sendSlashCommand } from '../support/slack-requests.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

let app: Harness | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

type Line = { level: string; event?: string; error?: string; link?: string };
const lines = (h: Harness, from = 0) => h.logs.slice(from).map((line) => JSON.parse(line) as Line);

/**
 * A human deleted the link's summary in #sales before anyone looked at it: Slack answers `message_not_found` to
 * chat.update and chat.getPermalink of it, for ever. paylink asks for its thread's permalink whenever it shows the link
 * (App Home, /paylink list and status, the reminder).
 */
async function linkWithDeletedSummary(h: Harness) {
  const { callbackUrl } = await h.createLink();
  const summary = h.standin.messagesIn(SALES_CHANNEL.id).find((message) => message.thread_ts === undefined);
  const ts = String(summary?.ts);
  const isIt = (args: Record<string, unknown>) => args.ts === ts || args.message_ts === ts;
  h.standin.failNext('chat.update', 'message_not_found', 1_000, isIt);
  h.standin.failNext('chat.getPermalink', 'message_not_found', 1_000, isIt);
  return { callbackUrl, ts };
}

describe('a summary a human deleted, Slack answering message_not_found for it for ever', () => {
  it('is asked of Slack, and logged, once: not again at every App Home draw, list and status', async () => {
    app = await startHarness();
    const h = app;
    const { ts } = await linkWithDeletedSummary(h);
    const from = h.logs.length;

    for (let visit = 0; visit < 5; visit += 1) {
      expect((await sendEvent(h.baseUrl, SIGNING_SECRET, appHomeOpenedEvent(SALES_REP.id))).status).toBe(200);
      await h.waitForLog('home_published', visit + 1);
    }
    for (const text of ['list', 'list open', 'status F-2026-031']) {
      const responseUrl = h.standin.responseUrl();
      await sendSlashCommand(h.baseUrl, SIGNING_SECRET, { text, user_id: SALES_REP.id, response_url: responseUrl });
      await h.standin.waitForResponse((post) => post.url === responseUrl);
    }

    // Slack said the message is gone: asking again changes nothing, and an operator reads it once.
    const asked = h.standin.callsTo('chat.getPermalink').filter((call) => call.args.message_ts === ts);
    const logged = lines(h, from).filter((line) => line.event === 'permalink_unavailable');
    expect({ asked: asked.length, logged: logged.length }).toEqual({ asked: 1, logged: 1 });
  });
});
