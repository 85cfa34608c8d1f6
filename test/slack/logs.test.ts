import { afterEach, describe, expect, it } from 'vitest';
import {
  BOT_TOKEN,
  type Harness,
  SAFEDEBIT_LOGIN,
  SAFEDEBIT_PASSWORD,
  SIGNING_SECRET,
  startHarness,
  VALID_FORM,
  visibleText,
} from '../support/paylink-harness.js';
import { sendSlashCommand } from '../support/slack-requests.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const CALLBACK_SECRET = 'callback-secret-for-log-test-0123456789';
const settled = (view: Record<string, unknown>) =>
  visibleText(view).includes('paypage?SDESSID=') ||
  visibleText(view).includes('no link to show') ||
  visibleText(view).includes('EXIST_005');

describe('logs', () => {
  it('at debug, whole flows log their events as JSON lines and never a secret or a full contact', async () => {
    h = await startHarness({ env: { LOG_LEVEL: 'debug', PAYLINK_CALLBACK_SECRET: CALLBACK_SECRET } });
    await sendSlashCommand(h.baseUrl, SIGNING_SECRET, { text: 'help' });
    const created = await h.openModal({ text: '1250,50 F-LOG-1' });
    await h.submit(created.view, { ...VALID_FORM, payment_reference: 'F-LOG-1', delivery: ['sms'] });
    await h.waitForViewUpdate(created.view.id, settled);

    const refused = await h.openModal();
    await h.submit(refused.view, { ...VALID_FORM, payment_reference: 'F-LOG-1' });
    await h.waitForViewUpdate(refused.view.id, settled);

    h.safedebit.setMode({ kind: 'status', status: 502 });
    const outage = await h.openModal();
    await h.submit(outage.view, { ...VALID_FORM, payment_reference: 'F-LOG-2' });
    await h.waitForViewUpdate(outage.view.id, settled);

    const invalid = await h.openModal();
    await h.submit(invalid.view, { ...VALID_FORM, consumer_email: 'jean.dupont@example' });

    const entries = h.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    const events = entries.map((entry) => entry.event).filter(Boolean);
    expect(events).toEqual(
      expect.arrayContaining([
        'started',
        'command_received',
        'modal_opened',
        'link_created',
        'link_refused',
        'link_outage',
      ]),
    );
    expect(entries.find((entry) => entry.event === 'link_created')).toMatchObject({
      level: 'info',
      payment_reference: 'F-LOG-1',
      amount_cents: 125050,
      user: 'U0REP',
      channel: 'C0SALES',
      latency_ms: expect.any(Number),
    });
    expect(entries.find((entry) => entry.event === 'link_refused')).toMatchObject({ code: 'EXIST_005' });
    expect(entries.find((entry) => entry.event === 'link_outage')).toMatchObject({ reason: 'http_status' });
    expect(entries.filter((entry) => entry.level === 'debug').length).toBeGreaterThan(0);

    const everything = h.logs.join('\n');
    const basic = Buffer.from(`${SAFEDEBIT_LOGIN}:${SAFEDEBIT_PASSWORD}`).toString('base64');
    for (const secret of [
      BOT_TOKEN,
      SIGNING_SECRET,
      SAFEDEBIT_PASSWORD,
      basic,
      CALLBACK_SECRET,
      VALID_FORM.consumer_email,
      'jean.dupont@example',
      VALID_FORM.consumer_phone_number,
      '0612345678',
      '+33612345678',
    ]) {
      expect(everything).not.toContain(secret);
    }
  });
});

describe("Bolt's refusals of a request to /slack/events", () => {
  it('a request not signed with SLACK_SIGNING_SECRET is logged as an event saying what to check, and answered 401', async () => {
    h = await startHarness();
    const answer = await sendSlashCommand(h.baseUrl, 'another-apps-signing-secret');
    expect(answer.status).toBe(401);
    const [refused] = await h.waitForLog('request_not_verified');
    expect(refused).toMatchObject({
      level: 'warn',
      reason: 'Failed to verify authenticity: signature mismatch',
      msg: expect.stringContaining('SLACK_SIGNING_SECRET'),
    });
  });

  // Signed with the right secret, 6 minutes from this host's clock (a VM or container without NTP): every /paylink is
  // refused, and the line is to send the operator to the clock, not to the secret.
  it('a request whose timestamp is over 5 minutes from this host’s clock is logged as the clock’s fault', async () => {
    h = await startHarness();
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    const answer = await sendSlashCommand(h.baseUrl, SIGNING_SECRET, {}, { timestampSeconds: sixMinutesAgo });
    expect(answer.status).toBe(401);
    const [refused] = await h.waitForLog('request_not_verified');
    expect(refused).toMatchObject({
      level: 'warn',
      reason: expect.stringContaining('stale'),
      msg: "Slack's timestamp is more than 5 minutes from this host's clock: set its clock right (NTP); Bolt checks the signature only then",
    });
  });
});
