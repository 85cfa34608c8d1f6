import type { SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { SLASH_COMMAND } from '../../../constants.js';
import { fromAnotherOrganization } from '../../../domain/access.js';
import { formatAmount } from '../../../domain/amount.js';
import { validatePaymentForm } from '../../../domain/payment-form.js';
import { createLinkFromSubmission } from '../../../flow/create-link.js';
import { messagesFor } from '../../../i18n/messages.js';
import { describeProblem } from '../../../i18n/problems.js';
import { formInputFromState } from '../../form-state.js';
import { decodeModalOrigin, encodeModalOrigin } from '../../metadata.js';
import { buildCreatingView, buildNoticeView } from '../../views/outcome-views.js';
import { buildPaymentModal, notesOfForm, showsCompanyFields } from '../../views/payment-modal.js';
import { accessRefusal } from '../access.js';
import type { ListenerContext } from '../context.js';

/**
 * The form's submission: validated before the ack (errors go back under their inputs), acknowledged
 * with a "creating…" view, and only then handed to the slow part: SAFEDEBIT and the posts.
 */
export function paymentSubmission(ctx: ListenerContext) {
  return async ({
    ack,
    body,
    view,
  }: Pick<SlackViewMiddlewareArgs<ViewSubmitAction>, 'ack' | 'body' | 'view'>): Promise<void> => {
    const locale = ctx.config.locale;
    const m = messagesFor(locale);
    const base = { locale, sandbox: ctx.sandbox, privateMetadata: view.private_metadata };
    const decoded = decodeModalOrigin(view.private_metadata);
    if (!decoded) {
      ctx.logger.warn({ event: 'submission_rejected', reason: 'bad_private_metadata' });
      await ack({ response_action: 'update', view: buildNoticeView(base, m.formUnusable(SLASH_COMMAND)) });
      return;
    }
    // The submitter is who Slack says it is, whatever the metadata claims; the access is checked again.
    const origin = { ...decoded, user: body.user.id };
    const userTeam = body.user.team_id;
    const installedTeam = view.app_installed_team_id;
    if (fromAnotherOrganization({ userTeam, installedTeam, inEnterprise: Boolean(body.enterprise) })) {
      const { user, channel } = origin;
      ctx.logger.warn({ event: 'access_refused', reason: 'other_organization', user, team: userTeam, channel });
      await ack({ response_action: 'update', view: buildNoticeView(base, m.notAllowedOtherOrganization) });
      return;
    }
    const refusal = accessRefusal(ctx, m, origin.user, origin.channel);
    if (refusal) {
      await ack({ response_action: 'update', view: buildNoticeView(base, refusal) });
      return;
    }
    const input = formInputFromState(view.state);
    const checked = validatePaymentForm(input, {
      maxCents: ctx.config.maxAmountCents,
      paymentTypes: ctx.config.paymentTypes,
      defaultLang: locale,
    });
    // Drawn before a restart that changed PAYLINK_PAYMENT_TYPES, the choice picked is offered no more: the form is drawn
    // again with today's choices, rather than refused under a list that may hold none.
    const typeGone = !checked.ok && checked.problems.payment_type?.code === 'option_not_offered';
    // A company picked on a form showing none of its fields (the switch's redraw refused by Slack, or lost to a second
    // click): drawn again with the details typed, kept in the metadata, to check before a company's link is made.
    const companyHidden = input.consumer_type === 'company' && !showsCompanyFields(view.blocks);
    if (typeGone || companyHidden) {
      const fields = [...(typeGone ? ['payment_type'] : []), ...(companyHidden ? ['consumer_type'] : [])];
      ctx.logger.info({ event: 'submission_invalid', user: origin.user, fields });
      const { payment_type: offered, ...typed } = input;
      const drawnAgain = buildPaymentModal({
        ...base,
        ...(companyHidden ? { privateMetadata: encodeModalOrigin({ ...decoded, company: undefined }) } : {}),
        paymentTypes: ctx.config.paymentTypes,
        values: { ...(companyHidden ? decoded.company : {}), ...typed, ...(typeGone ? {} : { payment_type: offered }) },
        ...notesOfForm(view.blocks),
        banner: [...(typeGone ? [m.paymentTypesChanged] : []), ...(companyHidden ? [m.companyDetailsBack] : [])].join(
          '\n',
        ),
      });
      await ack({ response_action: 'update', view: drawnAgain });
      return;
    }
    if (!checked.ok) {
      const errors = Object.fromEntries(
        Object.entries(checked.problems).map(([field, problem]) => [field, describeProblem(problem, locale)]),
      );
      ctx.logger.info({ event: 'submission_invalid', user: origin.user, fields: Object.keys(errors) });
      await ack({ response_action: 'errors', errors });
      return;
    }
    const form = checked.value;
    const teamId = body.team?.id ?? body.user.team_id;
    await ack({
      response_action: 'update',
      view: buildCreatingView(base, formatAmount(form.amountCents, locale), form.payment_reference),
    });
    ctx.track(
      'links',
      createLinkFromSubmission(ctx, {
        origin,
        ...(teamId ? { teamId } : {}),
        viewId: view.id,
        viewHash: view.hash,
        privateMetadata: view.private_metadata,
        input,
        form,
      }),
    );
  };
}
