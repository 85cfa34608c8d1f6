import { afterEach, describe, expect, it } from 'vitest';
import { CONSUMER_TYPE_ACTION } from '../../src/constants.js';
import { drawnUnder } from '../support/earlier-forms.js';
import { type Harness, SIGNING_SECRET, startHarness, VALID_FORM, visibleText } from '../support/paylink-harness.js';
import type { DisplayedView } from '../support/slack-api-standin.js';
import { blockActionsPayload, sendInteraction, stateValuesFor } from '../support/slack-requests.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const COMPANY = { social_reference: 'ACME SAS', siren: '732 829 320', tva_interco: 'FR44732829320' };
const blockIdsOf = (view: Record<string, unknown>) =>
  (view.blocks as Array<{ block_id?: string }>).map((block) => block.block_id);

/** The rep picks `type` on `view` as their Slack client holds it (its hash), with `typed` in the form. */
function pick(view: DisplayedView, type: 'company' | 'individual', typed: Record<string, string>) {
  return sendInteraction(
    h.baseUrl,
    SIGNING_SECRET,
    blockActionsPayload({
      view,
      stateValues: stateValuesFor(view as { blocks?: readonly unknown[] }, { ...typed, consumer_type: type }),
      actions: [
        {
          type: 'radio_buttons',
          action_id: CONSUMER_TYPE_ACTION,
          block_id: 'consumer_type',
          selected_option: { text: { type: 'plain_text', text: type }, value: type },
        },
      ],
    }),
  );
}

describe('the company/individual switch, clicked twice quickly', () => {
  it('never sends a company link without the company details the rep typed', async () => {
    h = await startHarness();
    const { view } = await h.openModal({ text: '1250,50 F-2026-031' });
    await pick(view, 'company', {});
    await h.waitForViewUpdate(view.id, (shown) => blockIdsOf(shown).includes('siren'));
    const asCompany = h.standin.displayedViews().find((shown) => shown.id === view.id) as DisplayedView;

    // The rep types the company's details, misclicks "Individual" and at once clicks "Company" again: both clicks
    // leave the client before the first redraw reaches it, so both carry the view's current hash.
    await pick(asCompany, 'individual', COMPANY);
    await pick(asCompany, 'company', COMPANY);
    await h.waitForLog((entry) => entry.event === 'views_update_failed');
    const shown = h.standin.displayedViews().find((candidate) => candidate.id === view.id) as DisplayedView;

    // Slack keeps the rep's last pick on the radio buttons across views.update (same block_id and action_id:
    // "Preserving input entry"): the form says Company, and shows none of the company's fields.
    expect(blockIdsOf(shown)).not.toContain('siren');
    const submitted = await h.submit(shown, { ...VALID_FORM, consumer_type: 'company' });

    // Not a company link without its details: the form again, with those the rep typed, to check and send.
    const answer = submitted.json as { response_action?: string; view?: Record<string, unknown> };
    expect(answer.response_action).toBe('update');
    const again = answer.view as unknown as DisplayedView;
    expect(visibleText(again)).toContain("Check the company's details");
    const filled = (field: string) =>
      (again.blocks as Array<{ block_id?: string; element?: { initial_value?: string } }>).find(
        (block) => block.block_id === field,
      )?.element?.initial_value;
    expect(Object.keys(COMPANY).map(filled)).toEqual(Object.values(COMPANY));
    expect(h.safedebit.requests).toHaveLength(0);

    await h.submit({ ...again, id: view.id }, { ...VALID_FORM, ...COMPANY, consumer_type: 'company' });
    await h.waitForViewUpdate(view.id, (update) => visibleText(update).includes('paypage?SDESSID='));
    const sent = h.safedebit.requests[0]?.body as Record<string, unknown>;
    expect(sent).toMatchObject({ consumer_type: 1, social_reference: 'ACME SAS', siren: '732829320' });
  });

  // Drawn before a restart that changed PAYLINK_PAYMENT_TYPES (`multi` offered then, picked), and sent for a company
  // whose redraw was lost: both are said, and the rep checks both before a link of a type nobody chose is made.
  it('drawn again for a company whose payment type is offered no more, says both', async () => {
    h = await startHarness({ env: { PAYLINK_PAYMENT_TYPES: 'now,later' } });
    const { view } = await h.openModal();
    const older = drawnUnder(view, ['multi', 'later']);
    const submitted = await h.submit(older, { ...VALID_FORM, payment_type: 'multi', consumer_type: 'company' });
    const answer = submitted.json as { response_action?: string; view?: Record<string, unknown> };
    expect(answer.response_action).toBe('update');
    const shown = visibleText(answer.view ?? {});
    expect(shown).toContain('The payment types offered have changed since this form was opened');
    expect(shown).toContain("Check the company's details");
    expect(blockIdsOf(answer.view ?? {})).toContain('siren');
    expect(h.safedebit.requests).toHaveLength(0);
  });

  // The switch on a form drawn before the restart that changed PAYLINK_PAYMENT_TYPES (`multi` picked, offered then):
  // said, as at the submission, rather than swapped for today's first choice without a word.
  it('clicked on a form whose payment type is offered no more, says the payment types changed', async () => {
    h = await startHarness({ env: { PAYLINK_PAYMENT_TYPES: 'now,later' } });
    const { view } = await h.openModal();
    const older = drawnUnder(view, ['multi', 'later']);
    await pick(older, 'company', { payment_type: 'multi' });
    await h.waitForViewUpdate(view.id, (shown) => blockIdsOf(shown).includes('siren'));
    const redrawn = h.standin.displayedViews().find((shown) => shown.id === view.id) as DisplayedView;
    expect(visibleText(redrawn)).toContain('The payment types offered have changed since this form was opened');
  });

  // Open through two restarts that changed PAYLINK_PAYMENT_TYPES, switched after each: the banner says it once.
  it('says the payment types changed once, however many restarts and switches the form has seen', async () => {
    h = await startHarness({ env: { PAYLINK_PAYMENT_TYPES: 'now,later' } });
    const { view } = await h.openModal();
    const changed = 'The payment types offered have changed since this form was opened';
    const older = drawnUnder(view, ['multi', 'later'], `:warning: ${changed}: check it, then send it again.`);
    await pick(older, 'company', { payment_type: 'multi' });
    await h.waitForViewUpdate(view.id, (shown) => blockIdsOf(shown).includes('siren'));
    const redrawn = h.standin.displayedViews().find((shown) => shown.id === view.id) as DisplayedView;
    expect(visibleText(redrawn).split(changed)).toHaveLength(2);
  });
});
