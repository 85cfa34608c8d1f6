import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, SIGNING_SECRET, startHarness, stopWithGrace, VALID_FORM } from '../support/paylink-harness.js';
import { appHomeOpenedEvent, sendEvent } from '../support/slack-requests.js';
import { SALES_REP } from '../support/slack-workspace.js';

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

  it('names what it still waited for: an App Home tab being drawn, not links', async () => {
    app = await startHarness();
    // Slack holds the tab's publication: the Home draw is still under way when the grace runs out.
    app.standin.setDelay('views.publish', 20_000);
    await sendEvent(app.baseUrl, SIGNING_SECRET, appHomeOpenedEvent(SALES_REP.id));
    await app.standin.waitForCall('views.publish', undefined, 5_000);
    const { outcome } = await stopWithGrace(app, 1_000, 8_000);
    expect(outcome).toBe('stopped');
    const expired = app.logs.find((line) => line.includes('"shutdown_grace_expired"'));
    expect(JSON.parse(String(expired))).toMatchObject({ in_flight: 1, waiting_for: ['home'] });
  }, 20_000);
});
