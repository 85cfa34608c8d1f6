import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, SIGNING_SECRET, startHarness, VALID_FORM, visibleText } from '../support/paylink-harness.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import { SALES_CHANNEL } from '../support/slack-workspace.js';

let running: Harness | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('without SAFEDEBIT credentials (development)', () => {
  it('runs the whole flow against the built-in sandbox, and every message and log line says SANDBOX', async () => {
    const h = await startHarness({ env: { SAFEDEBIT_API_URL: '' } });
    running = h;
    expect(await (await fetch(`${h.baseUrl}/healthz`)).json()).toMatchObject({ safedebit: 'SANDBOX' });

    const help = await sendSlashCommand(h.baseUrl, SIGNING_SECRET, { text: 'help' });
    expect(visibleText(help.json)).toMatch(/^\[SANDBOX\]/);

    const { view } = await h.openModal();
    expect(visibleText(view.title)).toContain('SANDBOX');
    await h.submit(view, VALID_FORM);
    const created = await h.waitForViewUpdate(view.id, (v) => visibleText(v).includes('paypage?SDESSID='));
    expect(visibleText(created.args.view)).toContain('SANDBOX');

    expect(h.safedebit.requests).toHaveLength(0); // the test's own sandbox is not the one used
    const [summary, reply] = h.standin.messagesIn(SALES_CHANNEL.id);
    expect(String(summary?.text)).toMatch(/^\[SANDBOX\]/);
    expect(String(reply?.text)).toMatch(/^\[SANDBOX\]/);
    const link = String(reply?.text).match(/https?:\/\/\S+/)?.[0] ?? '';
    expect(new URL(link).hostname).toBe('127.0.0.1');
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('SANDBOX');

    expect(h.logs.length).toBeGreaterThan(5);
    for (const line of h.logs) expect(JSON.parse(line)).toMatchObject({ safedebit: 'SANDBOX' });
  });

  it('is refused in production: no sandbox there', async () => {
    await expect(startHarness({ env: { SAFEDEBIT_API_URL: '', NODE_ENV: 'production' } })).rejects.toThrow(
      'SAFEDEBIT_API_URL: required in production',
    );
  });
});
