import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, VALID_FORM, visibleText } from '../support/paylink-harness.js';
import { VERIFICATION_TOKEN } from '../support/slack-requests.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

/**
 * README: "full emails and phone numbers are never written, at any level". In Socket Mode at debug, the socket
 * client logs every envelope it receives through paylink's logger: the view submission with what the rep typed.
 */
describe('logs in Socket Mode at debug', () => {
  it.each([
    ['a phone written (06) 12 34 56 78', { consumer_phone_number: '(06) 12 34 56 78' }, ['12 34 56 78']],
    ['a phone written 06/12/34/56/78', { consumer_phone_number: '06/12/34/56/78' }, ['06/12/34/56/78']],
    ['a phone written 0612 345 678', { consumer_phone_number: '0612 345 678' }, ['0612 345 678']],
    ['a foreign phone written +1 (415) 555-2671', { consumer_phone_number: '+1 (415) 555-2671' }, ['555-2671']],
    ['an email with accents', { consumer_email: 'jérôme.dupont@exämple.fr' }, ['jérôme.dupont@', 'rôme.dupont@']],
  ])('never write the full contact: %s', async (_what, typed, leaks) => {
    h = await startHarness({ socketMode: true, env: { LOG_LEVEL: 'debug' } });
    const { view } = await h.overSocket.openModal();
    const form = { ...VALID_FORM, ...typed, delivery: [] };
    const ack = await h.overSocket.submit(view, form);
    expect(ack.payload).toMatchObject({ response_action: 'update' });
    await h.waitForViewUpdate(view.id, (shown) => visibleText(shown).includes('paypage?SDESSID='));

    const everything = h.logs.join('\n');
    for (const leaked of [...leaks, VERIFICATION_TOKEN]) expect(everything).not.toContain(leaked);
    expect(everything).toContain('Received a message on the WebSocket (envelope not logged)');
  });

  it('never write the response_url paylink keeps in the modal (it lets whoever holds it post as paylink)', async () => {
    h = await startHarness({ socketMode: true, env: { LOG_LEVEL: 'debug' } });
    const { view, responseUrl } = await h.overSocket.openModal();
    const ack = await h.overSocket.submit(view, { ...VALID_FORM, delivery: [] });
    expect(ack.payload).toMatchObject({ response_action: 'update' });
    await h.waitForViewUpdate(view.id, (shown) => visibleText(shown).includes('paypage?SDESSID='));
    const lines = h.logs.filter((line) => line.includes(new URL(responseUrl).pathname));
    expect(lines.map((line) => line.slice(0, 160))).toEqual([]);
  });
});
