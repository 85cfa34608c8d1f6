import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, stopWithGrace, VALID_FORM } from '../support/paylink-harness.js';

let app: Harness | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('a stop whose grace runs out', () => {
  it('ends then, rather than waiting for the Slack call in flight to answer or time out (10 s more)', async () => {
    app = await startHarness();
    const { view } = await app.openModal();
    // Slack holds the summary's post: the link flow is still posting it when the grace runs out.
    app.standin.setDelay('chat.postMessage', 20_000);
    await app.submit(view, VALID_FORM);
    await app.standin.waitForCall('chat.postMessage', undefined, 5_000);
    const { outcome, tookMs, graceExpiredLogged } = await stopWithGrace(app, 1_000, 8_000);
    expect({ outcome, withinGrace: tookMs < 3_000, graceExpiredLogged }).toEqual({
      outcome: 'stopped',
      withinGrace: true,
      graceExpiredLogged: true,
    });
  }, 20_000);
});
