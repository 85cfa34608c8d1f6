import { afterEach, describe, expect, it } from 'vitest';
import {
  type AppProcess,
  exitCodeOf,
  openModalOf,
  type ProcessWorld,
  startAppProcess,
  startProcessWorld,
  validSubmission,
} from '../support/app-process.js';
import { SIGNING_SECRET } from '../support/paylink-harness.js';
import { sendInteraction } from '../support/slack-requests.js';

describe('reminders in the app as a process', () => {
  let world: ProcessWorld | undefined;
  let app: AppProcess | undefined;
  afterEach(async () => {
    await world?.close([app]);
    world = app = undefined;
  });

  it('with PAYLINK_REMIND_AFTER=1s, reminds the rep a second after the link, and still stops at once on SIGTERM', async () => {
    world = await startProcessWorld();
    const { standin } = world;
    app = await startAppProcess({ ...world.env, PAYLINK_LOCALE: 'fr', PAYLINK_REMIND_AFTER: '1s' });
    expect(app.output()).toContain('"reminder_period_ms":1000');
    await sendInteraction(app.baseUrl, SIGNING_SECRET, validSubmission(await openModalOf(app.baseUrl, standin)));
    const createdAt = Date.now();
    const reminder = await standin.waitForCall('chat.postMessage', (call) =>
      String(call.args.text).includes("attend toujours d'être payé"),
    );
    // Due a second after the link, found by the next round (a second apart at most).
    expect(reminder.at - createdAt).toBeGreaterThanOrEqual(900);
    expect(reminder.at - createdAt).toBeLessThan(3_500);
    expect(String(reminder.args.channel)).toMatch(/^D/);

    const exited = exitCodeOf(app);
    const stoppedAt = Date.now();
    app.child.kill('SIGTERM');
    expect(await exited, app.output()).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(2_000);
    expect(
      standin.callsTo('chat.postMessage').filter((call) => String(call.args.text).includes('attend toujours')),
    ).toHaveLength(1);
  }, 20_000);
});
