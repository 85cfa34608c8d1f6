import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RANKS_OF_KIND } from '../../src/domain/link-standing.js';
import { classifyStatus, statusProgress } from '../../src/domain/payment-status.js';
import { statusLine, statusReplyText } from '../../src/slack/messages/status-messages.js';
import { dateTimeShown, timeShown } from '../../src/slack/mrkdwn.js';
import { ENGINES, type Engine, freshDatabase } from '../support/databases.js';
import { type Harness, startHarness, VALID_FORM } from '../support/paylink-harness.js';
import type { StandinMode } from '../support/safedebit-standin.js';
import { SALES_CHANNEL, SALES_REP } from '../support/slack-workspace.js';

/**
 * Invariants that hold whatever the order of events: two instances on one ledger, sharing one Slack and one SAFEDEBIT,
 * a submission (and its repeats), SAFEDEBIT's answer, notifications in any order, status rounds and a refused post.
 */

type Answer = 'link' | 'refusal' | 'outage' | 'slow' | 'timeout';
type Action =
  | { kind: 'submit'; to: 0 | 1 }
  | { kind: 'submitBoth' }
  | { kind: 'notify'; to: 0 | 1; status: string; payId?: string }
  | { kind: 'burst'; notes: { to: 0 | 1; status: string; payId?: string }[] }
  | { kind: 'slackRefusesOnce'; method: 'chat.postMessage' | 'chat.update' }
  | { kind: 'settle' };

const STATUSES = [
  'CREATED',
  'SETTLED',
  'REJECTED',
  'RETURNED',
  'CANCELED',
  'CREDITED',
  'REMBOURSE',
  'PENDING',
  'WAITING',
  'settled',
  'PAID',
  'GUARANTEED',
  'INDEMNIZED',
  'TOREMBOURSE',
  'FOO',
  'foo',
];
const instance = fc.constantFrom<0 | 1>(0, 1);
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('submit' as const), to: instance }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'submitBoth' as const }) },
  {
    weight: 5,
    arbitrary: fc.record(
      {
        kind: fc.constant('notify' as const),
        to: instance,
        status: fc.constantFrom(...STATUSES),
        payId: fc.constantFrom('P-1', 'P-2'),
      },
      { requiredKeys: ['kind', 'to', 'status'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('burst' as const),
      notes: fc.array(
        fc.record(
          { to: instance, status: fc.constantFrom(...STATUSES), payId: fc.constantFrom('P-1', 'P-2') },
          { requiredKeys: ['to', 'status'] },
        ),
        { minLength: 2, maxLength: 3 },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('slackRefusesOnce' as const),
      method: fc.constantFrom<'chat.postMessage' | 'chat.update'>('chat.postMessage', 'chat.update'),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'settle' as const }) },
);
const scenario = fc.record({
  answer: fc.constantFrom<Answer>('link', 'refusal', 'outage', 'slow', 'timeout'),
  firstTo: instance,
  slackDelayMs: fc.constantFrom(0, 0, 150),
  actions: fc.array(action, { maxLength: Number(process.env.ORDERS_LENGTH ?? 6) }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

const MODES: Record<Answer, StandinMode> = {
  link: { kind: 'normal' },
  refusal: { kind: 'refuse', message: 'refusé' },
  outage: { kind: 'status', status: 500 },
  slow: { kind: 'slow', delayMs: 400 },
  /** Answered after SAFEDEBIT_TIMEOUT_MS (1500): an outage, though the link exists. */
  timeout: { kind: 'slow', delayMs: 1700 },
};

/** The log line of the instance that called SAFEDEBIT, whatever the answer. */
const ANSWER_HANDLED = /"event":"link_(created|refused|outage)"/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await condition()) return true;
    await sleep(50);
  }
  return condition();
}

/**
 * The model: distinct notifications (first arrival), and the furthest-along status (equal ranks: the later, unless it
 * is the same status again, for another payment: the first stays, with its time).
 */
function expectedOf(notifications: { status: string; payId?: string }[]) {
  const seen = new Map<string, string>();
  let furthest: { status: string; rank: number } | undefined;
  for (const n of notifications) {
    const classified = classifyStatus(n.status);
    const key = JSON.stringify([classified.known ? classified.status : classified.raw.toUpperCase(), n.payId ?? '']);
    if (seen.has(key)) continue;
    seen.set(key, n.status);
    const rank = statusProgress(classified);
    if (furthest === undefined || rank > furthest.rank || (rank === furthest.rank && n.status !== furthest.status)) {
      furthest = { status: n.status, rank };
    }
  }
  return { distinct: [...seen.values()], furthest };
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** Every order the notifications may have been handled in. */
function allOrders<T>(groups: T[][]): T[][] {
  return groups.reduce<T[][]>(
    (orders, group) => orders.flatMap((o) => permutations(group).map((p) => [...o, ...p])),
    [[]],
  );
}

async function runScenario(engine: Engine, s: Scenario) {
  const database = await freshDatabase(engine);
  const started: Harness[] = [];
  try {
    const a = await startHarness({ engine, databaseUrl: database.url, statusRoundPeriodMs: 150 });
    started.push(a);
    const b = await startHarness({
      engine,
      databaseUrl: database.url,
      statusRoundPeriodMs: 150,
      env: { SLACK_API_URL: a.standin.apiUrl, SAFEDEBIT_API_URL: a.safedebit.url },
    });
    started.push(b);
    const apps = [a, b] as const;
    a.safedebit.setMode(MODES[s.answer]);
    a.standin.setDelay('chat.postMessage', s.slackDelayMs);
    const { view } = await a.openModal();
    await apps[s.firstTo].submit(view, VALID_FORM);
    await waitUntil(() => a.safedebit.requests.length > 0, 5000);
    const sent = a.safedebit.requests[0]?.body as { url_callback: string };
    const path = new URL(sent.url_callback).pathname;
    // Each entry: notifications sent one after the other, or a burst sent at once (any order possible).
    const sentNotifications: { status: string; payId?: string }[][] = [];
    const notify = async (to: 0 | 1, status: string, payId?: string) => {
      const response = await fetch(`${apps[to].baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payment_status: status, ...(payId ? { pay_id: payId } : {}) }),
      });
      await response.body?.cancel();
    };
    for (const step of s.actions) {
      if (step.kind === 'submit') await apps[step.to].submit(view, VALID_FORM);
      else if (step.kind === 'submitBoth') await Promise.all(apps.map((app) => app.submit(view, VALID_FORM)));
      else if (step.kind === 'slackRefusesOnce') a.standin.failNext(step.method, 'internal_error', 1);
      else if (step.kind === 'burst') {
        await Promise.all(step.notes.map((n) => notify(n.to, n.status, n.payId)));
        sentNotifications.push(step.notes.map((n) => ({ status: n.status, ...(n.payId ? { payId: n.payId } : {}) })));
      } else if (step.kind === 'settle') await sleep(500);
      else {
        await notify(step.to, step.status, step.payId);
        sentNotifications.push([{ status: step.status, ...(step.payId ? { payId: step.payId } : {}) }]);
      }
    }
    const { db } = a.paylink.ledger;
    const linkRow = () => db.selectFrom('links').selectAll().executeTakeFirstOrThrow();
    // Settle: the flow ended, every reply posted, every status line rewritten (rounds every 150 ms on both).
    const settled = await waitUntil(async () => {
      const link = await linkRow();
      // A reported-on outage is about to be confirmed (its summary and replies follow): not settled yet.
      if (link.state === 'requested' || (link.state === 'outage' && link.payment_status !== null)) return false;
      const summaryRefused = [...a.logs, ...b.logs].some((l) => l.includes('"step":"summary'));
      if (link.summary_ts === null) return link.state !== 'created' || summaryRefused;
      const unreplied = await db
        .selectFrom('notifications')
        .select('dedupe_key')
        .where('replied_at', 'is', null)
        .execute();
      return unreplied.length === 0 && link.summary_status === link.payment_status;
    }, 8000);
    if (!settled) throw new Error(`not settled within 8 s: ${JSON.stringify(await linkRow())}`);
    await sleep(400);

    const link = await linkRow();
    const slack = a.standin;
    const orders = allOrders(sentNotifications).map(expectedOf);
    const { distinct } = orders[0] ?? { distinct: [] };
    const furthests = orders.map((o) => o.furthest);
    const furthest = furthests.find((f) => f?.status === link.payment_status) ?? furthests[0];
    if (process.env.ORDERS_DEBUG)
      console.log(
        JSON.stringify({
          answer: s.answer,
          state: link.state,
          summary: link.summary_ts !== null,
          n: sentNotifications.length,
          furthest: furthest?.status,
          ps: link.payment_status,
        }),
      );

    // One SAFEDEBIT call per submission, its answer handled by one instance: b calls a's stand-ins, which therefore
    // count both instances' calls, so only their logs tell which instance made it.
    expect(a.safedebit.requests).toHaveLength(1);
    const answersHandled = apps.map((app) => app.logs.filter((l) => ANSWER_HANDLED.test(l)).length);
    expect(answersHandled.sort()).toEqual([0, 1]);

    const channelMessages = slack.messagesIn(SALES_CHANNEL.id);
    const summaries = channelMessages.filter((m) => m.attachments !== undefined && (m.thread_ts ?? m.ts) === m.ts);
    if (s.answer === 'refusal') {
      // Nothing posted in the channel for a refused link.
      expect(channelMessages).toEqual([]);
      expect(link.state).toBe('refused');
      return;
    }
    // At most one summary per link.
    expect(summaries.length).toBeLessThanOrEqual(1);
    // A link SAFEDEBIT made (or reported on) has its summary: no post failed for good here.
    if (link.state !== 'created') {
      expect(summaries).toHaveLength(0);
      return;
    }
    // Known and left alone: a summary Slack refused stays without summary.
    const logs = a.logs.concat(b.logs);
    if (link.summary_ts === null && logs.some((l) => l.includes('"event":"slack_post_failed","step":"summary'))) return;
    if (process.env.ORDERS_DEBUG && link.summary_ts === null)
      console.log(a.logs.concat(b.logs.map((l) => `B ${l}`)).join('\n'));
    expect(link.summary_ts).not.toBeNull();
    expect(link.summary_channel).toBe(SALES_CHANNEL.id);
    expect(summaries).toHaveLength(1);

    // One reply per distinct notification, in the link's thread, in the order the ledger gives them.
    const rows = await db
      .selectFrom('notifications')
      .selectAll()
      .orderBy('received_at')
      .orderBy('dedupe_key')
      .execute();
    expect(rows.length).toBe(distinct.length);
    const target = { amountCents: link.amount_cents, user: SALES_REP.id, paymentType: link.payment_type };
    const statuses = rows.map((r) => classifyStatus(r.status));
    const replyOf = (r: (typeof rows)[number], i: number) =>
      statusReplyText(
        target,
        classifyStatus(r.status),
        'en',
        timeShown(new Date(r.received_at), 'en', 'Europe/Paris'),
        statuses.slice(0, i),
      );
    // Whether the rep is mentioned depends on the statuses before, which two instances may each see without the other's.
    const withoutMention = (text: string) => text.replace(/ · <@\w+>$/, '');
    const expectedReplies = rows.map(replyOf);
    const replies = channelMessages
      .filter((m) => m.thread_ts === link.thread_ts && m.ts !== link.thread_ts)
      .map((m) => String(m.text))
      .filter(
        (text) => !text.includes('paypage') && expectedReplies.some((e) => e.split(' · ')[0] === text.split(' · ')[0]),
      );
    // Without bursts, the thread shows them in the order they came, a reply Slack refused once included, and each
    // mentions the rep as that order says.
    if (s.actions.every((step) => step.kind !== 'burst')) expect(replies).toEqual(expectedReplies);
    expect(replies.map(withoutMention).sort()).toEqual(expectedReplies.map(withoutMention).sort());

    // The status line shows the furthest-along status; paid_at iff it is a paid one.
    expect(link.payment_status).toBe(furthest?.status ?? null);
    if (furthest) {
      const line = statusLine(
        classifyStatus(furthest.status),
        'en',
        dateTimeShown(new Date(String(link.payment_status_at)), 'en', 'Europe/Paris'),
        link.payment_type,
      );
      const summary = summaries[0] as { attachments: { text?: string; blocks?: unknown }[] };
      expect(JSON.stringify(summary.attachments)).toContain(JSON.stringify(line.text).slice(1, -1));
      expect(link.paid_at !== null).toBe(RANKS_OF_KIND.paid.includes(furthest.rank));
    } else {
      expect(link.paid_at).toBeNull();
    }
  } finally {
    await Promise.allSettled(started.map((h) => h.close()));
    await database.drop();
  }
}

/**
 * Runs per engine: few in `npm test`, which must stay quick; `ORDERS_RUNS=60` (with `ORDERS_LENGTH`) looks further.
 * `ORDERS_SEED` and `ORDERS_PATH` replay a run fast-check reported, `ORDERS_NO_SHRINK=1` reports it as found.
 */
const RUNS = Number(process.env.ORDERS_RUNS ?? 6);

describe.each(ENGINES)('orders of events (ledger on %s)', (engine) => {
  it('keep every invariant', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, (s) => runScenario(engine, s)),
      {
        numRuns: RUNS,
        ...(process.env.ORDERS_SEED ? { seed: Number(process.env.ORDERS_SEED) } : {}),
        ...(process.env.ORDERS_PATH ? { path: process.env.ORDERS_PATH } : {}),
        endOnFailure: process.env.ORDERS_NO_SHRINK === '1',
      },
    );
  });
});
