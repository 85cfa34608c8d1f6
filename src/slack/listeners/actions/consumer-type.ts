import type { BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { COMPANY_FIELDS, type CompanyField } from '../../../domain/payment-form.js';
import { messagesFor } from '../../../i18n/messages.js';
import { slackErrorCode } from '../../errors.js';
import { formInputFromState } from '../../form-state.js';
import { decodeModalOrigin, encodeModalOrigin } from '../../metadata.js';
import { buildPaymentModal, notesOfForm } from '../../views/payment-modal.js';
import type { ListenerContext } from '../context.js';

/** Individual ↔ company: re-render with or without the company fields, keeping everything typed and shown. */
export function consumerTypeAction(ctx: ListenerContext) {
  return async ({ ack, body }: Pick<SlackActionMiddlewareArgs<BlockAction>, 'ack' | 'body'>): Promise<void> => {
    await ack();
    const view = body.view;
    if (!view) return;
    const { payment_type: paymentType, ...typedBut } = formInputFromState(view.state);
    // Drawn before a restart that changed PAYLINK_PAYMENT_TYPES, the choice picked is offered no more: said, as at the
    // submission, rather than swapped for today's first without a word.
    const offered: readonly string[] = ctx.config.paymentTypes;
    const typeGone = paymentType !== undefined && !offered.includes(paymentType);
    const typed = typeGone || paymentType === undefined ? typedBut : { ...typedBut, payment_type: paymentType };
    const origin = decodeModalOrigin(view.private_metadata);
    const notes = notesOfForm(view.blocks);
    const m = messagesFor(ctx.config.locale);
    // An individual's form has no company fields: what was typed in them waits in the modal's metadata.
    const company = typed.consumer_type === 'company';
    const kept = companyDetailsOf(origin?.company ?? {});
    const values = company ? { ...kept, ...typed } : typed;
    const keeping = company ? undefined : { ...kept, ...companyDetailsOf(typed) };
    const privateMetadata = origin ? encodeModalOrigin({ ...origin, company: keeping }) : view.private_metadata;
    try {
      await ctx.slack.views.update({
        view_id: view.id,
        hash: view.hash,
        view: buildPaymentModal({
          locale: ctx.config.locale,
          sandbox: ctx.sandbox,
          privateMetadata,
          paymentTypes: ctx.config.paymentTypes,
          values,
          // The form given back after a refusal keeps saying why.
          ...notes,
          // Said once, however many restarts and switches the form has seen.
          ...(typeGone && !notes.banner?.includes(m.paymentTypesChanged)
            ? { banner: [notes.banner, m.paymentTypesChanged].filter(Boolean).join('\n') }
            : {}),
        }),
      });
    } catch (error) {
      // hash_conflict: another update of the view came first (a second click). A company sent from a form left without
      // its fields is drawn again with them at submission (paymentSubmission).
      ctx.logger.warn({ event: 'views_update_failed', step: 'consumer_type', error: slackErrorCode(error) });
    }
  };
}

/** The company details among `values`, those given only. */
function companyDetailsOf(values: Partial<Record<CompanyField, string>>): Partial<Record<CompanyField, string>> {
  return Object.fromEntries(
    COMPANY_FIELDS.flatMap((field) => (values[field] === undefined ? [] : [[field, values[field]]])),
  );
}
