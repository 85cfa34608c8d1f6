import { afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/safedebit/sandbox.js';
import { type AppProcess, exitCodeOf, startAppProcess } from '../support/app-process.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import {
  BOT_TOKEN,
  SAFEDEBIT_LOGIN,
  SAFEDEBIT_PASSWORD,
  SIGNING_SECRET,
  VALID_FORM,
} from '../support/paylink-harness.js';
import { type SlackApiStandin, startSlackApiStandin } from '../support/slack-api-standin.js';
import { sendInteraction, sendSlashCommand, stateValuesFor, viewSubmissionPayload } from '../support/slack-requests.js';

describe('reminders in the app as a process', () => {
  let app: AppProcess | undefined;
  let standin: SlackApiStandin | undefined;
  let safedebit: Sandbox | undefined;
  let database: TestDatabase | undefined;
  afterEach(async () => {
    app?.kill();
    await Promise.all([standin?.close(), safedebit?.close(), database?.drop()]);
    app = standin = safedebit = database = undefined;
  });

  it('with PAYLINK_REMIND_AFTER=1s, reminds the rep a second after the link, and still stops at once on SIGTERM', async () => {
    standin = await startSlackApiStandin();
    safedebit = await startSandbox({ login: SAFEDEBIT_LOGIN, password: SAFEDEBIT_PASSWORD });
    database = await freshDatabase('sqlite');
    app = await startAppProcess({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: standin.apiUrl,
      SAFEDEBIT_API_URL: safedebit.url,
      SAFEDEBIT_LOGIN,
      SAFEDEBIT_PASSWORD,
      SAFEDEBIT_BENEFICIARY_REFERENCE: 'BENEF-0001',
      PAYLINK_PUBLIC_URL: 'https://paylink.example.com',
      PAYLINK_LOCALE: 'fr',
      PAYLINK_REMIND_AFTER: '1s',
      DATABASE_URL: database.url,
    });
    expect(app.output()).toContain('"reminder_period_ms":1000');
    await sendSlashCommand(app.baseUrl, SIGNING_SECRET, { trigger_id: standin.issueTriggerId() });
    await standin.waitForCall('views.open');
    const [view] = standin.displayedViews();
    if (!view) throw new Error('no modal');
    await sendInteraction(
      app.baseUrl,
      SIGNING_SECRET,
      viewSubmissionPayload({
        view: {
          ...view,
          callback_id: String(view.callback_id),
          state: { values: stateValuesFor(view as { blocks?: readonly unknown[] }, VALID_FORM) },
        },
      }),
    );
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
