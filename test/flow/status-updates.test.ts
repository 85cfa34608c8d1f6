import { afterEach, describe, expect, it } from 'vitest';
import { deliverStatusUpdates, deliverUnpostedReplies, recordLateWrites } from '../../src/flow/status-updates.js';
import { SlackApiError } from '../../src/slack/web-api.js';
import { newLink } from '../support/link-records.js';
import { type ListenerTestContext, listenerContext } from '../support/listener-context.js';

let t: ListenerTestContext;
afterEach(async () => {
  await t.close();
});

/**
 * A created link whose summary is posted (or, `given: 'privately'`, given to its rep without one), with one SETTLED
 * notification waiting for its thread reply.
 */
async function linkWithPendingNotification(given: 'in_thread' | 'privately' = 'in_thread'): Promise<string> {
  const id = await t.ledger.claimSubmission(newLink({ createdAt: t.ctx.clock() }));
  if (id === undefined) throw new Error('not claimed');
  await t.ledger.recordOutcome(id, { state: 'created', link: 'https://pay.example/paypage?SDESSID=1' });
  if (given === 'privately') await t.ledger.recordSentPrivately(id, 'https://pay.example/paypage?SDESSID=1');
  else {
    const place = { channel: 'C0SALES', ts: '1700000000.000100', threadTs: '1700000000.000100' };
    await t.ledger.recordSummary(id, place, null, 'https://pay.example/paypage?SDESSID=1');
  }
  await t.ledger.recordNotification({
    linkId: id,
    dedupeKey: 'k',
    status: 'SETTLED',
    rank: 40,
    receivedAt: t.ctx.clock(),
  });
  return id;
}

function failPostsWith(error: Error) {
  t.slack.chat.postMessage = async () => {
    throw error;
  };
}

describe('a thread reply Slack did not confirm', () => {
  it('is never posted twice: after a timeout Slack may have posted it, so it is not tried again', async () => {
    t = await listenerContext();
    const id = await linkWithPendingNotification();
    failPostsWith(Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' }));
    expect(await deliverStatusUpdates(t.ctx, id)).toEqual({
      kind: 'slack_unavailable',
      error: 'UND_ERR_HEADERS_TIMEOUT',
    });
    expect(await t.ledger.unrepliedNotifications(id)).toEqual([]);
  });

  it('is tried again on redelivery when Slack surely did not take it (a refusal, a connection never opened)', async () => {
    t = await listenerContext();
    const id = await linkWithPendingNotification();
    failPostsWith(new SlackApiError('chat.postMessage', { ok: false, error: 'internal_error' }));
    expect(await deliverStatusUpdates(t.ctx, id)).toMatchObject({ kind: 'slack_unavailable' });
    failPostsWith(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(await deliverStatusUpdates(t.ctx, id)).toMatchObject({ kind: 'slack_unavailable', error: 'ECONNREFUSED' });
    expect(await t.ledger.unrepliedNotifications(id)).toHaveLength(1);
  });

  // The host's route to Slack lost (a NAT gateway restarting), or its own address gone: connect() failed, nothing sent.
  it.each(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'])(
    'is tried again on redelivery when the connection failed with %s, before anything was sent',
    async (code) => {
      t = await listenerContext();
      const id = await linkWithPendingNotification();
      failPostsWith(Object.assign(new Error(`connect ${code}`), { code }));
      expect(await deliverStatusUpdates(t.ctx, id)).toMatchObject({ kind: 'slack_unavailable', error: code });
      expect(await t.ledger.unrepliedNotifications(id)).toHaveLength(1);
    },
  );
});

describe('a ledger failure while delivering', () => {
  const databaseDown = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const databaseLocked = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

  it('is told apart from Slack being out of reach, though both may say ECONNREFUSED', async () => {
    t = await listenerContext();
    const id = await linkWithPendingNotification();
    const { claimReply } = t.ledger;
    t.ledger.claimReply = async () => {
      throw databaseDown();
    };
    expect(await deliverStatusUpdates(t.ctx, id)).toEqual({ kind: 'ledger_unavailable', error: 'ECONNREFUSED' });
    expect(t.slack.callsTo('chat.postMessage')).toEqual([]);

    // The database back: the redelivery posts the reply, once.
    t.ledger.claimReply = claimReply;
    expect(await deliverStatusUpdates(t.ctx, id)).toEqual({ kind: 'posted', replies: 1 });
    expect(await deliverStatusUpdates(t.ctx, id)).toEqual({ kind: 'posted', replies: 0 });
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('after the reply was posted does not post it again: the claim stands until it goes stale', async () => {
    t = await listenerContext();
    const id = await linkWithPendingNotification();
    const { markReplied } = t.ledger;
    t.ledger.markReplied = async () => {
      throw databaseLocked();
    };
    expect(await deliverStatusUpdates(t.ctx, id)).toEqual({ kind: 'ledger_unavailable', error: 'SQLITE_BUSY' });
    t.ledger.markReplied = markReplied;
    expect(await deliverStatusUpdates(t.ctx, id)).toEqual({ kind: 'posted', replies: 0 });
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('after the reply was posted, for a moment: the reply is recorded when the ledger is back, never posted again', async () => {
    t = await listenerContext();
    const id = await linkWithPendingNotification();
    const { markReplied } = t.ledger;
    let refused = 0;
    t.ledger.markReplied = async (...args) => {
      if (refused++ === 0) throw databaseLocked();
      return markReplied.apply(t.ledger, args);
    };
    expect(await deliverStatusUpdates(t.ctx, id)).toEqual({ kind: 'posted', replies: 1 });
    expect(await t.ledger.unrepliedNotifications(id)).toEqual([]);
    expect(t.logs.some((line) => line.includes('"ledger_write_retried"'))).toBe(true);
    // Even once its claim would be stale, no delivery posts it again.
    t.ctx.replyClaimTimeoutMs = 0;
    expect(await deliverStatusUpdates(t.ctx, id)).toEqual({ kind: 'posted', replies: 0 });
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('after the reply was posted, for longer than the retries: recorded by a later round, never posted again', async () => {
    t = await listenerContext();
    const id = await linkWithPendingNotification();
    const { markReplied } = t.ledger;
    t.ledger.markReplied = async () => {
      throw databaseLocked();
    };
    expect(await deliverStatusUpdates(t.ctx, id)).toEqual({ kind: 'ledger_unavailable', error: 'SQLITE_BUSY' });
    // Its claim stale meanwhile: rounds, while the ledger still refuses, then once it is back, post nothing again.
    t.ctx.replyClaimTimeoutMs = 0;
    expect(await deliverUnpostedReplies(t.ctx)).toBe(0);
    t.ledger.markReplied = markReplied;
    expect(await deliverUnpostedReplies(t.ctx)).toBe(0);
    expect(await deliverUnpostedReplies(t.ctx)).toBe(0);
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(await t.ledger.unrepliedNotifications(id)).toEqual([]);
    expect(t.logs.filter((line) => /"recorded_late".*"reply:/.test(line))).toHaveLength(1);
  });

  it('after the reply was posted, until shutdown: the reply is logged as lost, for operators to check the thread', async () => {
    t = await listenerContext();
    const id = await linkWithPendingNotification();
    t.ledger.markReplied = async () => {
      throw databaseLocked();
    };
    await deliverStatusUpdates(t.ctx, id);
    await recordLateWrites(t.ctx);
    expect(t.logs.filter((line) => line.includes('"record_lost"'))).toEqual([]);
    await recordLateWrites(t.ctx, true);
    expect(t.logs.filter((line) => /"record_lost".*"reply:/.test(line))).toEqual([
      expect.stringContaining('"level":"error"'),
    ]);
  });

  it('is a ledger failure too when the link itself cannot be read', async () => {
    t = await listenerContext();
    const id = await linkWithPendingNotification();
    t.ledger.findLink = async () => {
      throw databaseDown();
    };
    expect(await deliverStatusUpdates(t.ctx, id)).toEqual({ kind: 'ledger_unavailable', error: 'ECONNREFUSED' });
  });
});

describe('writes kept for the rounds', () => {
  it('a write kept again under the same key while the round records the one before stays for the next round', async () => {
    t = await listenerContext();
    const recorded: string[] = [];
    const later = { link: 'L1', record: async () => void recorded.push('later') };
    t.ctx.unrecordedWrites.set('delivery:L1', {
      link: 'L1',
      record: async () => {
        recorded.push('first');
        // A flow keeps its own write of the same link meanwhile.
        t.ctx.unrecordedWrites.set('delivery:L1', later);
      },
    });
    await recordLateWrites(t.ctx);
    expect(t.ctx.unrecordedWrites.get('delivery:L1')).toBe(later);
    await recordLateWrites(t.ctx);
    expect(recorded).toEqual(['first', 'later']);
    expect(t.ctx.unrecordedWrites.size).toBe(0);
  });
});

describe('the round for replies Slack did not take', () => {
  const refusedOnce = () => {
    const { postMessage } = t.slack.chat;
    t.slack.chat.postMessage = async () => {
      t.slack.chat.postMessage = postMessage;
      throw new SlackApiError('chat.postMessage', { ok: false, error: 'internal_error' });
    };
  };

  it('posts a reply Slack surely did not take, once, with the status line', async () => {
    t = await listenerContext();
    const id = await linkWithPendingNotification();
    refusedOnce();
    expect(await deliverStatusUpdates(t.ctx, id)).toMatchObject({ kind: 'slack_unavailable' });
    expect(await deliverUnpostedReplies(t.ctx)).toBe(1);
    expect(await deliverUnpostedReplies(t.ctx)).toBe(0);
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(t.slack.callsTo('chat.update')).toHaveLength(1);
    expect(await t.ledger.unrepliedNotifications(id)).toEqual([]);
  });

  it('leaves alone a link still being created, and a reply another instance is posting until its claim is stale', async () => {
    t = await listenerContext();
    const creating = await t.ledger.claimSubmission(newLink({ createdAt: t.ctx.clock() }));
    if (creating === undefined) throw new Error('not claimed');
    await t.ledger.recordNotification({
      linkId: creating,
      dedupeKey: 'early',
      status: 'SETTLED',
      rank: 40,
      receivedAt: t.ctx.clock(),
    });
    const id = await linkWithPendingNotification();
    const now = t.ctx.clock();
    expect(await t.ledger.claimReply('k', now, new Date(now.getTime() - 1))).toBe(true);
    expect(await deliverUnpostedReplies(t.ctx)).toBe(0);
    expect(t.slack.callsTo('chat.postMessage')).toEqual([]);

    t.ctx.clock = () => new Date(now.getTime() + t.ctx.replyClaimTimeoutMs + 1);
    expect(await deliverUnpostedReplies(t.ctx)).toBe(1);
    expect(await t.ledger.unrepliedNotifications(id)).toEqual([]);
    expect(await t.ledger.unrepliedNotifications(creating)).toHaveLength(1);
  });

  it('keeps the later replies behind one another instance is posting, then posts them in order once its claim is stale', async () => {
    t = await listenerContext();
    const id = await linkWithPendingNotification();
    const now = t.ctx.clock();
    expect(await t.ledger.claimReply('k', now, new Date(now.getTime() - 1))).toBe(true);
    await t.ledger.recordNotification({
      linkId: id,
      dedupeKey: 'later',
      status: 'REJECTED',
      rank: 30,
      receivedAt: new Date(now.getTime() + 1),
    });
    expect(await deliverStatusUpdates(t.ctx, id)).toEqual({ kind: 'posted', replies: 0 });
    expect(t.slack.callsTo('chat.postMessage')).toEqual([]);

    // Its instance died mid-post: once the claim is stale, the round posts both, the older first.
    t.ctx.clock = () => new Date(now.getTime() + t.ctx.replyClaimTimeoutMs + 1);
    expect(await deliverUnpostedReplies(t.ctx)).toBe(2);
    expect(t.slack.callsTo('chat.postMessage').map((call) => String(call.args.text))).toEqual([
      expect.stringContaining('Paid'),
      expect.stringContaining('Rejected'),
    ]);
  });

  const updatesFailWith = (error: Error) => {
    const { update } = t.slack.chat;
    t.slack.chat.update = async () => {
      t.slack.chat.update = update;
      throw error;
    };
  };

  it('rewrites a status line whose update Slack did not take, once', async () => {
    t = await listenerContext();
    const id = await linkWithPendingNotification();
    updatesFailWith(new SlackApiError('chat.update', { ok: false, error: 'internal_error' }));
    expect(await deliverStatusUpdates(t.ctx, id)).toMatchObject({ kind: 'slack_unavailable' });
    expect(await t.ledger.findLink(id)).toMatchObject({ payment_status: 'SETTLED', summary_status: null });

    expect(await deliverUnpostedReplies(t.ctx)).toBe(0);
    expect(await deliverUnpostedReplies(t.ctx)).toBe(0);
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(t.slack.callsTo('chat.update')).toHaveLength(1);
    expect(JSON.stringify(t.slack.callsTo('chat.update')[0])).toContain('Paid');
    expect(await t.ledger.findLink(id)).toMatchObject({ summary_status: 'SETTLED' });
  });

  it.each([
    'message_not_found',
    // Its channel archived or frozen since.
    'is_inactive',
  ])('does not try again, round after round, to rewrite a summary Slack says is gone (%s)', async (error) => {
    t = await listenerContext();
    const id = await linkWithPendingNotification();
    updatesFailWith(new SlackApiError('chat.update', { ok: false, error }));
    expect(await deliverStatusUpdates(t.ctx, id)).toEqual({ kind: 'undeliverable', error });
    expect(await deliverUnpostedReplies(t.ctx)).toBe(0);
    expect(t.slack.callsTo('chat.update')).toEqual([]);
  });
});

describe.each(['fr', 'en'] as const)('payments of a multiple-payment link, in its thread (%s)', (locale) => {
  it('each reply says it is towards the link’s amount: two "Paid" lines do not read as twice the amount', async () => {
    t = await listenerContext({ PAYLINK_LOCALE: locale });
    const id = await t.ledger.claimSubmission(newLink({ createdAt: t.ctx.clock(), paymentType: 'multi' }));
    if (id === undefined) throw new Error('not claimed');
    await t.ledger.recordOutcome(id, { state: 'created', link: 'https://pay.example/paypage?SDESSID=1' });
    const place = { channel: 'C0SALES', ts: '1700000000.000100', threadTs: '1700000000.000100' };
    await t.ledger.recordSummary(id, place, null, 'https://pay.example/paypage?SDESSID=1');
    for (const [n, paymentId] of ['PAY-1', 'PAY-2'].entries()) {
      const receivedAt = new Date(t.ctx.clock().getTime() + n * 60_000);
      await t.ledger.recordNotification({
        linkId: id,
        dedupeKey: paymentId,
        status: 'SETTLED',
        rank: 40,
        paymentId,
        receivedAt,
      });
    }
    expect(await deliverStatusUpdates(t.ctx, id)).toEqual({ kind: 'posted', replies: 2 });
    const towards =
      locale === 'fr'
        ? 'Payé · sur un paiement multiple de 1\u202F250,50\u00A0€ · '
        : 'Paid · towards a multiple payment of €1,250.50 · ';
    expect(t.slack.callsTo('chat.postMessage').map((call) => String(call.args.text))).toEqual([
      expect.stringContaining(towards),
      expect.stringContaining(towards),
    ]);
  });
});

describe('a thread reply posted later than its notification came', () => {
  it('gives the day in each reader’s own zone with the time, which alone would read as today’s; posted at once, the time alone', async () => {
    t = await listenerContext(); // its clock: 26 Nov 13:32Z, 14:32 in Paris, 08:32 in New York
    const id = await t.ledger.claimSubmission(newLink({ createdAt: new Date('2026-11-25T08:00:00Z') }));
    if (id === undefined) throw new Error('not claimed');
    await t.ledger.recordOutcome(id, { state: 'created', link: 'https://pay.example/paypage?SDESSID=1' });
    const place = { channel: 'C0SALES', ts: '1700000000.000100', threadTs: '1700000000.000100' };
    await t.ledger.recordSummary(id, place, null, 'https://pay.example/paypage?SDESSID=1');
    // 23:30 in Paris the night before; 00:30 in Paris, the same day there, but 19:30 on 25 Nov in New York; and one
    // that came five minutes before the reply.
    for (const [dedupeKey, status, receivedAt] of [
      ['night', 'WAITING', '2026-11-25T22:30:00Z'],
      ['paris-today', 'WAITING', '2026-11-25T23:30:00Z'],
      ['now', 'SETTLED', '2026-11-26T13:27:00Z'],
    ] as const) {
      await t.ledger.recordNotification({ linkId: id, dedupeKey, status, rank: 40, receivedAt: new Date(receivedAt) });
    }
    expect(await deliverStatusUpdates(t.ctx, id)).toEqual({ kind: 'posted', replies: 3 });
    expect(t.slack.callsTo('chat.postMessage').map((call) => String(call.args.text))).toEqual([
      expect.stringContaining('<!date^1795645800^{date_short_pretty}, {time}|25 Nov 2026, 23:30>'),
      expect.stringContaining('<!date^1795649400^{date_short_pretty}, {time}|26 Nov 2026, 00:30>'),
      expect.stringContaining('<!date^1795699620^{time}|14:27>'),
    ]);
  });
});

const databaseLocked = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

/** notificationsOf refused once (a locked SQLite file, a PostgreSQL connection reset), then working. */
function historyReadRefusedOnce() {
  const { notificationsOf } = t.ledger;
  let refused = 0;
  t.ledger.notificationsOf = async (...args) => {
    if (refused++ === 0) throw databaseLocked();
    return notificationsOf.apply(t.ledger, args);
  };
}

// Whether to mention the rep depends on the link's history, read for a paid or failed status: read once its reply was
// claimed, a failure was taken for Slack's (the reply marked done, never posted) or came after it was marked done.
describe('a ledger read refused for a moment while a paid status is delivered', () => {
  it('leaves the thread reply to post later, not marked done unposted', async () => {
    t = await listenerContext();
    const id = await linkWithPendingNotification();
    historyReadRefusedOnce();
    await deliverStatusUpdates(t.ctx, id);
    await deliverStatusUpdates(t.ctx, id);
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('still tells the rep apart, for a link given without a summary', async () => {
    t = await listenerContext();
    const id = await linkWithPendingNotification('privately');
    historyReadRefusedOnce();
    await deliverStatusUpdates(t.ctx, id);
    await deliverStatusUpdates(t.ctx, id);
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(1);
  });
});
