import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, SIGNING_SECRET, startHarness, VALID_FORM } from '../support/paylink-harness.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import { SALES_CHANNEL } from '../support/slack-workspace.js';

const FLOWS = 200;

describe('a burst at the end of the month', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { LOG_LEVEL: 'warn', SAFEDEBIT_TIMEOUT_MS: '10000' } });
    h.safedebit.setMode({ kind: 'slow', delayMs: 1000 });
  });
  afterAll(async () => {
    await h.close();
  });

  it(`${FLOWS} flows at once with SAFEDEBIT answering in 1 s: every ack within 3 s, every link created and posted once`, async () => {
    const triggers = Array.from({ length: FLOWS }, () => h.standin.issueTriggerId());
    const commands = await Promise.all(
      triggers.map((trigger, index) =>
        sendSlashCommand(h.baseUrl, SIGNING_SECRET, { trigger_id: trigger, text: `${index + 1},00 LOAD-${index}` }),
      ),
    );
    for (const command of commands) {
      expect(command.status).toBe(200);
      expect(command.elapsedMs).toBeLessThan(3000);
    }
    await Promise.all(
      triggers.map((trigger) =>
        h.standin.waitForCall('views.open', (call) => call.args.trigger_id === trigger, 10_000),
      ),
    );
    const views = h.standin.displayedViews();
    expect(views).toHaveLength(FLOWS);

    const submissions = await Promise.all(
      views.map((view, index) =>
        h.submit(view, { ...VALID_FORM, amount: `${index + 1},00`, payment_reference: `LOAD-${index}` }),
      ),
    );
    for (const submission of submissions) {
      expect(submission.status).toBe(200);
      expect(submission.elapsedMs).toBeLessThan(3000);
    }
    const deadline = Date.now() + 30_000;
    const linkPosts = () =>
      h.standin.messagesIn(SALES_CHANNEL.id).filter((message) => String(message.text).includes('paypage?SDESSID='));
    while (linkPosts().length < FLOWS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    expect(h.safedebit.requests).toHaveLength(FLOWS);
    const references = h.safedebit.requests.map(
      (request) => (request.body as { payment_reference: string }).payment_reference,
    );
    expect(new Set(references).size).toBe(FLOWS);
    expect(linkPosts()).toHaveLength(FLOWS);
    const links = new Set(linkPosts().map((message) => String(message.text).match(/https?:\/\/\S+/)?.[0]));
    expect(links.size).toBe(FLOWS);
  }, 60_000);
});
