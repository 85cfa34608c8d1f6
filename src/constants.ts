import type { FormField, PaymentFormInput } from './domain/payment-form.js';
import type { PaymentLinkRequest } from './safedebit/request.js';

/**
 * The Slack identifiers the app registers or matches, and the HTTP paths it serves (the manifest repeats the command,
 * the shortcut, the event and the events path; a test checks they agree). The payment modal's text inputs are not
 * here: each block_id is the SAFEDEBIT field it fills, from the form's field lists (src/domain/payment-form.ts).
 */
export const SLASH_COMMAND = '/paylink';
export const MESSAGE_SHORTCUT_ID = 'paylink_from_message';
export const PAYMENT_MODAL_ID = 'paylink_modal';
/** Views shown after submission (pending, outcome): no submit, so they carry their own callback_id. */
export const OUTCOME_VIEW_ID = 'paylink_outcome';
export const CONSUMER_TYPE_ACTION = 'consumer_type_select';
export const OPEN_LINK_ACTION = 'open_payment_link';
/** The URL button of a link in App Home and lists: opens the link's thread. */
export const OPEN_THREAD_ACTION = 'open_link_thread';
/** The one event the app subscribes to: its Home tab opened (the manifest's bot_events). */
export const APP_HOME_OPENED_EVENT = 'app_home_opened';
/** The action_id of the single element inside each input block (the block_id names the field). */
export const INPUT_ACTION = 'value';

// The payment modal's other blocks, written by the modal and read back from a submitted or re-rendered view. A
// choice that is a SAFEDEBIT field is named after it, as the text inputs are.
export const CONSUMER_TYPE_BLOCK_ID = 'consumer_type' satisfies FormField & keyof PaymentLinkRequest;
export const PAYMENT_LANG_BLOCK_ID = 'payment_lang' satisfies FormField & keyof PaymentLinkRequest;
/** Sent as SAFEDEBIT's pay_now, multi_pay or pay_later flag. */
export const PAYMENT_TYPE_BLOCK_ID = 'payment_type' satisfies FormField;
/** Sent as SAFEDEBIT's sms_option and email_option. */
export const DELIVERY_BLOCK_ID = 'delivery' satisfies keyof PaymentFormInput;
/** Above a form given back: why (a refusal, an outage). */
export const FORM_BANNER_BLOCK_ID = 'form_banner';
/** A note under a field (a problem found once the submission was acknowledged): the field's block_id and this. */
export const FIELD_NOTE_SUFFIX = '__note';

export const SLACK_EVENTS_PATH = '/slack/events';
export const HEALTH_PATH = '/healthz';
/** The customer's thank-you page (`?lang=fr|en`), where the payment page sends the browser by default. */
export const THANK_YOU_PATH = '/thanks';
/** SAFEDEBIT's notifications: `url_callback` is this, `/`, and the link's signed token (src/callback/token.ts). */
export const CALLBACK_ROUTE_PREFIX = '/cb';
/** The built-in sandbox's `get_link_payment`, served when SAFEDEBIT_API_URL is unset. */
export const SANDBOX_API_PATH = '/sandbox/api';
/** The built-in sandbox's payment page of a link (`/sandbox/pay/<id>`): a ledger tells trial links by it. */
export const SANDBOX_PAY_PATH = '/sandbox/pay';
