import { describe, expect, it } from 'vitest';
import { type Engine, freshDatabase } from './support/databases.js';
import { movableClock } from './support/movable-clock.js';
import { type Harness, type HarnessOptions, startHarness, VALID_FORM, visibleText } from './support/paylink-harness.js';
import type { StandinMode } from './support/safedebit-standin.js';
import type { DisplayedView } from './support/slack-api-standin.js';
import { SALES_CHANNEL, SALES_REP, type SlackUser, TEAM_ID } from './support/slack-workspace.js';

/** mulberry32: a small seeded PRNG, so that a run can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    chance: (p: number) => next() < p,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const OTHER_REP: SlackUser = { id: 'U0REP2', username: 'other.rep', name: 'other.rep', team_id: TEAM_ID };
const PRIVATE_CHANNEL = { id: 'G0PRIV', name: 'priv' };
const STATUSES = ['CREATED', 'SETTLED', 'REJECTED', 'PENDING', 'RETURNED', 'FOO'];
const MODES: StandinMode[] = [
  { kind: 'normal' },
  { kind: 'normal' },
  { kind: 'normal' },
  { kind: 'refuse', message: 'refusé' },
  { kind: 'refuse', code: 'EXIST_005' },
  { kind: 'status', status: 500 },
  { kind: 'hang' },
  { kind: 'drop' },
  { kind: 'slow', delayMs: 1700 },
  { kind: 'slow', delayMs: 300 },
];
const FAULT_METHODS = ['chat.postMessage', 'chat.update', 'views.update', 'conversations.open'];

async function runChaos(engine: Engine, seed: number) {
  const rnd = prng(seed);
  const log = (...args: unknown[]) => {
    if (process.env.STRESS_DEBUG) console.log(`[seed ${seed}]`, ...args);
  };
  const database = await freshDatabase(engine);
  const clock = movableClock();
  const all: Harness[] = [];
  try {
    const common: HarnessOptions = {
      engine,
      databaseUrl: database.url,
      clock: clock.now,
      statusRoundPeriodMs: 200,
      reminderPeriodMs: 300,
      interruptedLinksPeriodMs: 300,
      slackTimeoutMs: 1000,
      ledgerRetryDelaysMs: [50, 100],
    };
    const a = await startHarness({ ...common, env: { PAYLINK_REMIND_AFTER: '20m' } });
    all.push(a);
    const bEnv = { PAYLINK_REMIND_AFTER: '20m', SLACK_API_URL: a.standin.apiUrl, SAFEDEBIT_API_URL: a.safedebit.url };
    let b: Harness | undefined = await startHarness({ ...common, env: bEnv });
    all.push(b);
    const slack = a.standin;
    const instance = (i: 0 | 1) => (i === 0 ? a : b);

    // Opening modals one at a time, so that each submission knows its view.
    let opening = Promise.resolve();
    const openModal = (user: SlackUser, channel: { id: string; name: string }) => {
      const opened = opening.then(() =>
        a.openModal({ user_id: user.id, user_name: user.username, channel_id: channel.id, channel_name: channel.name }),
      );
      opening = opened.then(
        () => undefined,
        () => undefined,
      );
      return opened;
    };

    interface Sub {
      ref: string;
      view: DisplayedView;
      user: SlackUser;
      acked: number;
      deliveries: string[];
    }
    const subs: Sub[] = [];
    const notifications: { ref: string; status: string; to: number; http: number | string }[] = [];
    const N = Number(process.env.STRESS_SUBS ?? 30);

    const deliver = async (sub: Sub, to: 0 | 1) => {
      const app = instance(to);
      if (!app) {
        sub.deliveries.push(`${to}:down`);
        return false;
      }
      try {
        const result = await app.submit(sub.view, { ...VALID_FORM, payment_reference: sub.ref }, sub.user);
        sub.deliveries.push(`${to}:${result.status}`);
        if (result.status === 200) sub.acked += 1;
        return result.status === 200;
      } catch (error) {
        sub.deliveries.push(`${to}:err`);
        return false;
      }
    };

    const callbackPathOf = (ref: string) => {
      const request = a.safedebit.requests.find(
        (r) => (r.body as { payment_reference?: string } | undefined)?.payment_reference === ref,
      );
      const url = (request?.body as { url_callback?: string } | undefined)?.url_callback;
      return url ? new URL(url).pathname : undefined;
    };

    const notify = async (ref: string, to: 0 | 1, status: string) => {
      const path = callbackPathOf(ref);
      const app = instance(to);
      if (!path) return;
      if (!app) {
        notifications.push({ ref, status, to, http: 'down' });
        return;
      }
      try {
        const response = await fetch(`${app.baseUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ payment_status: status }),
        });
        await response.body?.cancel();
        notifications.push({ ref, status, to, http: response.status });
      } catch {
        notifications.push({ ref, status, to, http: 'err' });
      }
    };

    const one = async (i: number) => {
      const user = rnd.chance(0.7) ? SALES_REP : OTHER_REP;
      const channel = rnd.chance(0.75) ? SALES_CHANNEL : PRIVATE_CHANNEL;
      const ref = `S${seed}-${String(i).padStart(3, '0')}`;
      const delivery = rnd.pick(['a', 'b', 'both', 'both', 'twiceA', 'twiceB'] as const);
      const notes = Array.from({ length: rnd.int(4) }, () => ({
        to: rnd.pick([0, 1, 2] as const),
        status: rnd.pick(STATUSES),
        early: rnd.chance(0.3),
      }));
      const { view } = await openModal(user, channel);
      const sub: Sub = { ref, view, user, acked: 0, deliveries: [] };
      subs.push(sub);
      const deliveries: Promise<boolean>[] = [];
      if (delivery === 'a') deliveries.push(deliver(sub, 0));
      else if (delivery === 'b') deliveries.push(deliver(sub, 1));
      else if (delivery === 'both') deliveries.push(deliver(sub, 0), deliver(sub, 1));
      else {
        const to = delivery === 'twiceA' ? 0 : 1;
        deliveries.push(deliver(sub, to));
        deliveries.push(sleep(rnd.int(400)).then(() => deliver(sub, to)));
      }
      const outcomes = await Promise.all(deliveries);
      // Slack retries a delivery no instance acknowledged: to the one still up.
      if (!outcomes.some(Boolean)) await deliver(sub, 0);
      // Notifications: some as soon as SAFEDEBIT was asked (perhaps before the summary), others after a while.
      const deadline = Date.now() + 3000;
      while (!callbackPathOf(ref) && Date.now() < deadline) await sleep(50);
      for (const note of notes) {
        if (!note.early) await sleep(rnd.int(1500));
        const targets: (0 | 1)[] = note.to === 2 ? [0, 1] : [note.to];
        await Promise.all(targets.map((to) => notify(ref, to, note.status)));
      }
    };

    // Chaos: faults thrown in while submissions come.
    let chaosOn = true;
    const chaos = (async () => {
      while (chaosOn) {
        const roll = rnd.next();
        const method = rnd.pick(FAULT_METHODS);
        if (roll < 0.25) slack.failNext(method, { status: 429, retryAfterSeconds: 1 }, 1 + rnd.int(2));
        else if (roll < 0.4) slack.failNext(method, 'internal_error', 1);
        else if (roll < 0.55) {
          slack.setDelay(method, 1200);
          const off = rnd.int(1200);
          setTimeout(() => slack.setDelay(method, 0), off);
        } else if (roll < 0.8) a.safedebit.setMode(rnd.pick(MODES));
        else a.safedebit.setMode({ kind: 'normal' });
        await sleep(150 + rnd.int(400));
      }
    })();

    // The restart of b, mid-way.
    const restartAt = 8 + rnd.int(N - 12);
    const graceMs = rnd.pick([0, 50, 300, 1500]);
    const downMs = rnd.int(2500);
    log({ restartAt, graceMs, downMs });
    let restarting: Promise<void> | undefined;
    const running: Promise<void>[] = [];
    for (let i = 0; i < N; i++) {
      if (i === restartAt) {
        const old = b;
        restarting = (async () => {
          if (!old) return;
          await old.paylink.stop(graceMs);
          b = undefined;
          await Promise.allSettled([old.standin.close(), old.safedebit.close()]);
          await sleep(downMs);
          const fresh = await startHarness({ ...common, env: bEnv });
          all.push(fresh);
          b = fresh;
        })();
      }
      running.push(one(i).catch((error) => log('submission failed', i, error)));
      await sleep(100 + rnd.int(300));
    }
    await Promise.all(running);
    await restarting;
    chaosOn = false;
    await chaos;
    a.safedebit.setMode({ kind: 'normal' });
    for (const method of FAULT_METHODS) slack.setDelay(method, 0);

    const apps = () => [a, b].filter((x): x is Harness => x !== undefined);
    const quiet = async (ms = 1500, max = 20_000) => {
      const end = Date.now() + max;
      let last = slack.calls.length;
      let since = Date.now();
      while (Date.now() < end) {
        await sleep(100);
        if (slack.calls.length !== last) {
          last = slack.calls.length;
          since = Date.now();
        } else if (Date.now() - since >= ms) return;
      }
    };
    await quiet();
    // Notifications answered 503 (or sent to an instance that was down) are delivered again, as SAFEDEBIT may.
    for (const n of [...notifications]) {
      if (n.http !== 200 && n.http !== 404) await notify(n.ref, 0, n.status);
    }
    await quiet();
    // The rounds: interrupted links, then late delivery and reminders, then whatever is left.
    for (const stepMs of [2 * 60_000, 40 * 60_000, 10 * 60_000, 60 * 60_000]) {
      clock.advance(stepMs);
      await quiet(1500);
    }

    // ---- Invariants ----
    const { db } = a.paylink.ledger;
    const rows = await db.selectFrom('links').selectAll().execute();
    const notes = await db.selectFrom('notifications').selectAll().execute();
    const dms: Record<string, string> = {};
    for (const user of [SALES_REP, OTHER_REP]) {
      const response = await fetch(`${slack.apiUrl}conversations.open`, {
        method: 'POST',
        headers: { authorization: 'Bearer xoxb-check', 'content-type': 'application/json' },
        body: JSON.stringify({ users: user.id }),
      });
      dms[user.id] = ((await response.json()) as { channel: { id: string } }).channel.id;
    }
    const channels = [SALES_CHANNEL.id, PRIVATE_CHANNEL.id, ...Object.values(dms)];
    const messages = channels.flatMap((channel) => slack.messagesIn(channel).map((m) => ({ channel, m })));
    const problems: string[] = [];
    const allLogs = () => all.flatMap((app, i) => app.logs.map((line) => `${i} ${line}`));

    for (const sub of subs) {
      const mine = rows.filter((r) => r.payment_reference === sub.ref);
      const requests = a.safedebit.requests.filter(
        (r) => (r.body as { payment_reference?: string } | undefined)?.payment_reference === sub.ref,
      );
      if (mine.length > 1) problems.push(`${sub.ref}: ${mine.length} ledger rows`);
      if (requests.length > 1) problems.push(`${sub.ref}: ${requests.length} SAFEDEBIT requests`);
      if (sub.acked > 0 && mine.length === 0) problems.push(`${sub.ref}: acknowledged (${sub.deliveries}) but no row`);
      const row = mine[0];
      if (!row) continue;
      if (row.state === 'requested') problems.push(`${sub.ref}: still requested at the end`);
      if (mine.length === 1 && requests.length === 0 && row.state !== 'interrupted')
        problems.push(`${sub.ref}: no SAFEDEBIT request, state ${row.state}`);
      const summaries = messages.filter(
        ({ m }) => m.attachments !== undefined && (m.thread_ts ?? m.ts) === m.ts && visibleText(m.attachments).includes(sub.ref),
      );
      if (summaries.length > 1) problems.push(`${sub.ref}: ${summaries.length} summaries (${row.state})`);
      if (row.state === 'refused' && summaries.length > 0) problems.push(`${sub.ref}: refused but summary posted`);
      const reminders = messages.filter(
        ({ m }) =>
          /still awaiting payment|payment under way|payment is under way/i.test(String(m.text)) &&
          JSON.stringify(m).includes(sub.ref),
      );
      if (reminders.length > 1) problems.push(`${sub.ref}: ${reminders.length} reminders`);
      const interruptedDms = messages.filter(
        ({ m }) => String(m.text).includes('paylink stopped while SAFEDEBIT was creating') && JSON.stringify(m).includes(sub.ref),
      );
      if (interruptedDms.length > 1) problems.push(`${sub.ref}: ${interruptedDms.length} interrupted DMs`);
      if (row.link) {
        const inMessages = messages.filter(({ m }) => JSON.stringify(m).includes(row.link as string));
        const inResponses = slack.responses.filter((r) => JSON.stringify(r.body).includes(row.link as string));
        const inViews = slack.displayedViews().filter((v) => JSON.stringify(v).includes(row.link as string));
        if (inMessages.length + inResponses.length + inViews.length === 0)
          problems.push(`${sub.ref}: link never reached its rep`);
        const carriers = inMessages.filter(({ m }) => !(m.attachments !== undefined && (m.thread_ts ?? m.ts) === m.ts));
        if (carriers.length + inResponses.length > 2)
          problems.push(
            `${sub.ref}: link posted ${carriers.length} times + ${inResponses.length} response_url: ${carriers
              .map(({ channel, m }) => `${channel}:${String(m.text).slice(0, 60)}`)
              .join(' | ')}`,
          );
        if (row.reminded_at === null && row.payment_status === null && row.state === 'created')
          problems.push(`${sub.ref}: created, unpaid, never reminded`);
      }
      // Thread replies: one per distinct notification, once the summary exists.
      if (row.thread_ts && row.summary_channel) {
        const threadMessages = slack
          .messagesIn(row.summary_channel)
          .filter((m) => m.thread_ts === row.thread_ts && m.ts !== row.thread_ts);
        for (const n of notes.filter((x) => x.link_id === row.id)) {
          if (n.replied_at === null) problems.push(`${sub.ref}: notification ${n.status} never replied`);
        }
        const linkNotes = notes.filter((x) => x.link_id === row.id);
        const replies = threadMessages.filter((m) => !JSON.stringify(m).includes('paypage') && !String(m.text).includes(':warning:') && !String(m.text).includes(':information_source:'));
        if (replies.length !== linkNotes.length)
          problems.push(
            `${sub.ref}: ${replies.length} status replies for ${linkNotes.length} notifications: ${replies
              .map((m) => String(m.text).slice(0, 40))
              .join(' | ')}`,
          );
      } else if (row.state === 'created' && notes.some((x) => x.link_id === row.id)) {
        problems.push(`${sub.ref}: created, notified, but no summary place (${row.state_detail})`);
      }
    }
    if (problems.length > 0 || process.env.STRESS_DEBUG) {
      log(problems.join('\n'));
      log(JSON.stringify(subs.map((s) => [s.ref, s.deliveries])));
      if (process.env.STRESS_LOGS) console.log(allLogs().join('\n'));
      const focus = process.env.STRESS_REF;
      if (focus) {
        const row = rows.find((r) => r.payment_reference === focus);
        console.log(JSON.stringify(row, null, 1));
        console.log(allLogs().filter((l) => l.includes(focus) || (row && l.includes(row.id))).join('\n'));
        console.log(JSON.stringify(messages.filter(({ m }) => JSON.stringify(m).includes(focus) || (row?.link && JSON.stringify(m).includes(row.link))), null, 1));
        console.log(JSON.stringify(notifications.filter((n) => n.ref === focus)));
      }
    }
    const states = rows.reduce<Record<string, number>>((acc, r) => {
      acc[r.state] = (acc[r.state] ?? 0) + 1;
      return acc;
    }, {});
    console.log(`seed ${seed} ${engine}: ${rows.length} rows ${JSON.stringify(states)}, ${notes.length} notifications, ${problems.length} problems`);
    expect(problems).toEqual([]);
  } finally {
    await Promise.allSettled(all.map((h) => h.close()));
    await database.drop();
  }
}

const SEEDS = (process.env.STRESS_SEEDS ?? '1').split(',').map(Number);
const ENGINE_LIST = (process.env.STRESS_ENGINES ?? 'postgres').split(',') as Engine[];

describe.each(ENGINE_LIST)('chaos on %s', (engine) => {
  it.each(SEEDS)('seed %i keeps every promise', { timeout: 180_000 }, async (seed) => {
    await runChaos(engine, seed);
  });
});
