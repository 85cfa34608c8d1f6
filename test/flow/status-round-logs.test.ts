import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, VALID_FORM } from '../support/paylink-harness.js';
import { SALES_REP } from '../support/slack-workspace.js';

let app: Harness | undefined;
afterEach(async () => {
  await app?.close();
});

type LogLine = { level: string; event?: string; link?: string; outcome?: string; error?: string };
const linesOf = (h: Harness, event: string, from: number) =>
  h.logs
    .slice(from)
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => line.event === event);

/** Has the status round (every 20 ms) run at least `count` more times, each meeting every link still behind. */
async function letRoundsRun(h: Harness, method: string, count: number) {
  const before = h.standin.callsTo(method).length;
  await expect.poll(() => h.standin.callsTo(method).length - before, { timeout: 10_000 }).toBeGreaterThan(count);
}

describe('the status round, meeting the same refusal round after round (a minute apart: 1,440 a day)', () => {
  it('logs a reply Slack keeps refusing once, with Slack’s error, not once a round', async () => {
    app = await startHarness({ statusRoundPeriodMs: 20 });
    const h = app;
    const { callbackUrl } = await h.createLink();
    const from = h.logs.length;
    // Slack unwell for a while (its answer says so): tried again at every round.
    h.standin.failNext('chat.postMessage', 'service_unavailable', 100_000);
    expect(await h.notify(callbackUrl, 'SETTLED')).toBe(503);
    await letRoundsRun(h, 'chat.postMessage', 20);

    const lines = linesOf(h, 'status_replies_not_posted', from);
    expect(lines.map(({ level, outcome, error }) => ({ level, outcome, error }))).toEqual([
      { level: 'warn', outcome: 'slack_unavailable', error: 'service_unavailable' },
    ]);
  });

  it('logs Slack refusing paylink itself (its token revoked) as an error an admin must act on, once for every link', async () => {
    app = await startHarness({ statusRoundPeriodMs: 20 });
    const h = app;
    const links = [
      await h.createLink(),
      await h.createLink({ ...VALID_FORM, payment_reference: 'F-2026-032' }, SALES_REP),
    ];
    const from = h.logs.length;
    h.standin.failNext('chat.postMessage', 'token_revoked', 100_000);
    for (const { callbackUrl } of links) expect(await h.notify(callbackUrl, 'SETTLED')).toBe(503);
    await letRoundsRun(h, 'chat.postMessage', 40);

    const callbacks = linesOf(h, 'callback', from);
    expect(callbacks.map(({ level, error }) => ({ level, error }))).toEqual([
      { level: 'error', error: 'token_revoked' },
      { level: 'error', error: 'token_revoked' },
    ]);
    const lines = linesOf(h, 'status_replies_not_posted', from);
    expect(lines.map(({ level, error }) => ({ level, error }))).toEqual([{ level: 'error', error: 'token_revoked' }]);
  });
});
