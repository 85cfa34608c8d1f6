import { describe, expect, it } from 'vitest';
import { classifyStatus, statusProgress } from '../../src/domain/payment-status.js';
import { ENGINES } from '../support/databases.js';
import { testHarnesses } from '../support/harnesses.js';
import { newLink } from '../support/link-records.js';
import type { Harness } from '../support/paylink-harness.js';

/**
 * The status round looks at a page of links (50) a round, oldest first. Links whose replies and status lines Slack keeps
 * refusing for their conversation alone (here `team_access_not_granted`: an org-wide install whose access to one
 * workspace was withdrawn; an admin may give it back, so they are tried again) must not fill every round's page: the
 * missed reply of a newer link, in a workspace paylink still reaches, is posted all the same; and each is logged when
 * Slack starts refusing it, then once an hour, not every time its page comes round.
 */
const SETTLED_RANK = statusProgress(classifyStatus('SETTLED'));
const LOST_CHANNEL = 'C0LOSTWS';
const LOST_LINKS = 60;
const inLostWorkspace = (args: Record<string, unknown>) => args.channel === LOST_CHANNEL;

describe.each(ENGINES)('the status round, with more links Slack keeps refusing than a page holds, on %s', (engine) => {
  const harnesses = testHarnesses(engine);

  /**
   * An instance whose rounds run every 20 ms, with LOST_LINKS links whose summary went to a workspace paylink has since
   * lost access to, each with a status not yet replied to: Slack refuses every post and update there.
   */
  async function startWithLostWorkspace(): Promise<Harness> {
    const app = await harnesses.start({ statusRoundPeriodMs: 20 });
    const { ledger } = app.paylink;
    app.standin.failNext('chat.postMessage', 'team_access_not_granted', 1_000_000, inLostWorkspace);
    app.standin.failNext('chat.update', 'team_access_not_granted', 1_000_000, inLostWorkspace);
    const since = Date.now() - 3 * 60 * 60_000;
    for (let i = 0; i < LOST_LINKS; i += 1) {
      const at = new Date(since + i * 1_000);
      const id = await ledger.claimSubmission(newLink({ createdAt: at, originChannel: LOST_CHANNEL }));
      if (id === undefined) throw new Error('not claimed');
      const ts = `1700000000.${String(100 + i).padStart(6, '0')}`;
      await ledger.recordSummary(id, { channel: LOST_CHANNEL, ts, threadTs: ts }, null, 'https://pay.example/p?i=1');
      await ledger.recordNotification({
        linkId: id,
        dedupeKey: `lost-${i}`,
        status: 'SETTLED',
        rank: SETTLED_RANK,
        receivedAt: at,
      });
    }
    return app;
  }

  it('still posts a newer link’s missed reply and rewrites its status line', async () => {
    const app = await startWithLostWorkspace();
    const { ledger } = app.paylink;

    // A link in #sales; a status came whose reply and status line Slack did not take then (left for the round).
    await app.createLink();
    const [link] = await ledger.latestLinks({ now: new Date(), limit: 1 });
    if (!link?.summary_channel) throw new Error('no summary');
    await ledger.recordNotification({
      linkId: link.id,
      dedupeKey: 'sales-settled',
      status: 'SETTLED',
      rank: SETTLED_RANK,
      receivedAt: new Date(),
    });

    const reply = await app.standin.waitForCall(
      'chat.postMessage',
      ({ args }) =>
        args.channel === link.summary_channel &&
        args.thread_ts === link.thread_ts &&
        String(args.text).includes('Paid'),
      5_000,
    );
    await app.standin.waitForCall('chat.update', ({ args }) => args.channel === link.summary_channel, 5_000);
    expect(reply.args.channel).toBe(link.summary_channel);
    await expect.poll(async () => ledger.unrepliedNotifications(link.id)).toEqual([]);
    // The refused links are still tried, round after round: none given up on.
    expect((await ledger.linksWithUnpostedReplies(new Date(), { limit: 100 })).ids).toHaveLength(LOST_LINKS);
  });

  it('logs each link Slack keeps refusing when that begins, not again every time its page comes round', async () => {
    const app = await startWithLostWorkspace();
    // Every lost link tried four times or more: a few seconds, well within the hour.
    const lostPosts = () => app.standin.callsTo('chat.postMessage').filter((call) => inLostWorkspace(call.args)).length;
    await expect.poll(lostPosts, { timeout: 15_000 }).toBeGreaterThan(LOST_LINKS * 4);

    const perLink = new Map<string, number>();
    for (const line of app.logs.map((text) => JSON.parse(text) as { event?: string; link?: string; error?: string })) {
      if (line.event !== 'status_replies_not_posted' || line.error !== 'team_access_not_granted') continue;
      perLink.set(String(line.link), (perLink.get(String(line.link)) ?? 0) + 1);
    }
    expect({ links: perLink.size, mostLines: Math.max(...perLink.values()) }).toEqual({
      links: LOST_LINKS,
      mostLines: 1,
    });
  });
});
