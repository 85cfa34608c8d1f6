import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases.js';
import { testHarnesses } from '../support/harnesses.js';
import { movableClock } from '../support/movable-clock.js';
import { SALES_REP } from '../support/slack-workspace.js';

describe.each(ENGINES)('the thread replies of one payment, on %s', (engine) => {
  const harnesses = testHarnesses(engine);

  it('mention the rep once for it: SETTLED does, CREDITED and GUARANTEED after it do not; RETURNED does', async () => {
    const clock = movableClock();
    const app = await harnesses.start({ clock: clock.now });
    const { callbackUrl } = await app.createLink();
    for (const status of ['CREATED', 'SETTLED', 'CREDITED', 'GUARANTEED', 'RETURNED']) {
      clock.advance(60_000);
      expect(await app.notify(callbackUrl, status)).toBe(200);
    }
    const replies = app.standin
      .messagesIn('C0SALES')
      .filter((message) => message.thread_ts !== undefined && !String(message.text).startsWith(':link:'));
    const mentioned = replies.map((reply) => String(reply.text).endsWith(`<@${SALES_REP.id}>`));
    expect(mentioned).toEqual([false, true, false, false, true]);
  });
});
