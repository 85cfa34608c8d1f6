import type { types } from '@slack/bolt';
import { OPEN_LINK_ACTION, OUTCOME_VIEW_ID } from '../../constants.js';
import type { Locale } from '../../i18n/locale.js';
import { type Messages, messagesFor } from '../../i18n/messages.js';
import { isDirectMessage } from '../channel-ids.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { contextBlock, mrkdwn, plain } from './text.js';

interface OutcomeViewBase {
  locale: Locale;
  sandbox: boolean;
  privateMetadata: string;
}

function outcomeView(base: OutcomeViewBase, title: string, blocks: types.KnownBlock[]): types.ModalView {
  const m = messagesFor(base.locale);
  return {
    type: 'modal',
    callback_id: OUTCOME_VIEW_ID,
    private_metadata: base.privateMetadata,
    title: plain(base.sandbox ? m.sandboxModalTitle : title, 24),
    close: plain(m.close, 24),
    blocks: [...(base.sandbox ? [contextBlock(messagesFor(base.locale).sandboxBanner)] : []), ...blocks],
  };
}

/** Shown at once on a valid submission, so Slack's 3-second ack never waits on SAFEDEBIT. `reference` as typed. */
export function buildCreatingView(base: OutcomeViewBase, amount: string, reference: string): types.ModalView {
  const m = messagesFor(base.locale);
  return outcomeView(base, m.creatingTitle, [
    { type: 'section', text: mrkdwn(m.creatingText(amount, escapeMrkdwn(reference))) },
  ]);
}

export interface CreatedViewData extends OutcomeViewBase {
  amount: string;
  /** As the rep typed it: escaped here. */
  reference: string;
  link: string;
  /**
   * Where the link was posted: a conversation, the rep's DM with the app (the bot could not post where asked), sent
   * to the rep privately instead, nowhere (the modal is the only place the rep has it), or not posted, where else it
   * went unknown.
   */
  postedIn: { channel: string } | 'direct_message' | 'privately' | 'nowhere' | 'not_posted';
}

export function buildCreatedView(data: CreatedViewData): types.ModalView {
  const m = messagesFor(data.locale);
  return outcomeView(data, m.createdTitle, [
    {
      type: 'section',
      text: mrkdwn(m.createdText(data.amount, escapeMrkdwn(data.reference))),
    },
    {
      type: 'section',
      text: mrkdwn(`<${data.link}>`),
      accessory: { type: 'button', action_id: OPEN_LINK_ACTION, text: plain(m.openLink, 75), url: data.link },
    },
    contextBlock(whereText(m, data.postedIn)),
  ]);
}

function whereText(m: Messages, postedIn: CreatedViewData['postedIn']): string {
  if (postedIn === 'nowhere') return m.createdOnlyHere;
  if (postedIn === 'privately') return m.createdSentPrivately;
  if (postedIn === 'not_posted') return m.createdNotPosted;
  if (postedIn === 'direct_message') return m.createdInDirectMessage;
  // Slack shows a DM's `<#D…>` as no channel: the only DM paylink posts in where asked is the rep's with it.
  return isDirectMessage(postedIn.channel) ? m.createdInAppDirectMessage : m.createdWhere(`<#${postedIn.channel}>`);
}

/** A plain notice in place of the form: access refused, or a problem only the admin can fix. */
export function buildNoticeView(base: OutcomeViewBase, text: string): types.ModalView {
  return outcomeView(base, messagesFor(base.locale).modalTitle, [{ type: 'section', text: mrkdwn(text) }]);
}
