import { afterEach, describe, expect, it } from 'vitest';
import {
  type AppProcess,
  appEnvironment,
  exitCodeOf,
  openModalOf,
  startAppProcess,
  validSubmission,
} from '../support/app-process.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { SAFEDEBIT_LOGIN, SAFEDEBIT_PASSWORD, SIGNING_SECRET } from '../support/paylink-harness.js';
import { type SafedebitStandin, startSafedebitStandin } from '../support/safedebit-standin.js';
import { type SlackApiStandin, startSlackApiStandin } from '../support/slack-api-standin.js';
import { sendInteraction } from '../support/slack-requests.js';

describe('reminders in the app as a process', () => {
  let app: AppProcess | undefined;
  let standin: SlackApiStandin | undefined;
  let safedebit: SafedebitStandin | undefined;
  let database: TestDatabase | undefined;
  afterEach(async () => {
    app?.kill();
    await Promise.all([standin?.close(), safedebit?.close(), database?.drop()]);
    app = standin = safedebit = database = undefined;
  });

  it('with PAYLINK_REMIND_AFTER=1s, reminds the rep a second after the link, and still stops at once on SIGTERM', async () => {
    standin = await startSlackApiStandin();
    safedebit = await startSafedebitStandin({ login: SAFEDEBIT_LOGIN, password: SAFEDEBIT_PASSWORD });
    database = await freshDatabase('sqlite');
    app = await startAppProcess({
      ...appEnvironment({ slackApiUrl: standin.apiUrl, safedebitUrl: safedebit.url, databaseUrl: database.url }),
      PAYLINK_LOCALE: 'fr',
      PAYLINK_REMIND_AFTER: '1s',
    });
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
