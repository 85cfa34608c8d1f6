import { afterEach, describe, expect, it } from 'vitest';
import { monthKey, monthOf } from '../../src/domain/month.js';
import { ENGINES } from '../support/databases.js';
import { clockFrom, MID_MONTH } from '../support/movable-clock.js';
import { type Harness, SIGNING_SECRET, startHarness, VALID_FORM, visibleText } from '../support/paylink-harness.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import { type SlackUser, TEAM_ID } from '../support/slack-workspace.js';

const ADMIN: SlackUser = { id: 'U0FINANCE', username: 'finance', name: 'finance', team_id: TEAM_ID };

/**
 * SAFEDEBIT refused a request: no link exists, so no genuine notification can come for it. Its url_callback still went
 * out in the refused request (SAFEDEBIT, proxies, their logs), and whoever holds it could POST a status: it must not
 * make the refused try a paid link in the export finance rebuilds its paid totals from.
 */
describe.each(ENGINES)('a notification for a link SAFEDEBIT refused (ledger on %s)', (engine) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('does not make the refused try a paid row in the export', async () => {
    const app = await startHarness({ clock: clockFrom(MID_MONTH), engine, env: { PAYLINK_ADMINS: ADMIN.id } });
    h = app;
    app.safedebit.setMode({ kind: 'refuse', code: 'EXIST_005', message: 'Reference already used' });
    const { view } = await app.openModal();
    await app.submit(view, { ...VALID_FORM, payment_reference: 'F-REFUSED' });
    await app.waitForViewUpdate(view.id, (shown) => visibleText(shown).includes('EXIST_005'));
    const sent = app.safedebit.requests.at(-1)?.body as { url_callback: string };
    const callbackUrl = `${app.baseUrl}${new URL(sent.url_callback).pathname}`;

    expect(await app.notify(callbackUrl, 'SETTLED')).toBe(404);
    await app.waitForLog('callback_rejected');
    expect(app.logs.filter((line) => line.includes('"reason":"link_refused"'))).toHaveLength(1);

    const [row] = await app.paylink.ledger.db.selectFrom('links').selectAll().execute();
    expect(row).toMatchObject({ state: 'refused', payment_status: null, paid_at: null });
    expect(await app.paylink.ledger.db.selectFrom('notifications').selectAll().execute()).toEqual([]);

    const responseUrl = app.standin.responseUrl();
    await sendSlashCommand(app.baseUrl, SIGNING_SECRET, {
      text: `export ${monthKey(monthOf(MID_MONTH, 'Europe/Paris'))}`,
      user_id: ADMIN.id,
      user_name: ADMIN.username,
      response_url: responseUrl,
    });
    await expect.poll(() => app.standin.uploadedFiles().length, { timeout: 5000 }).toBe(1);
    const [file] = app.standin.uploadedFiles();
    const [header, refusedRow] = (file?.bytes?.toString('utf8') ?? '').slice(1).split('\r\n');
    const columns = String(header).split(',');
    const cells = String(refusedRow).split(',');
    const cell = (name: string) => cells[columns.indexOf(name)];
    expect(cell('state')).toBe('refused');
    expect(cell('payment_status')).toBe('');
    expect(cell('paid_at')).toBe('');
  });
});
