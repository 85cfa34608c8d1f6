/** Every Slack identifier the app registers or matches, in one place (the manifest repeats the first two). */
export const SLASH_COMMAND = '/paylink';
export const MESSAGE_SHORTCUT_ID = 'paylink_from_message';
export const PAYMENT_MODAL_ID = 'paylink_modal';
/** Views shown after submission (pending, outcome): no submit, so they carry their own callback_id. */
export const OUTCOME_VIEW_ID = 'paylink_outcome';
export const CONSUMER_TYPE_ACTION = 'consumer_type_select';
export const OPEN_LINK_ACTION = 'open_payment_link';
/** The URL button of a link in App Home and lists: opens the link's thread. */
export const OPEN_THREAD_ACTION = 'open_link_thread';
/** The action_id of the single element inside each input block (the block_id names the field). */
export const INPUT_ACTION = 'value';

export const SLACK_EVENTS_PATH = '/slack/events';
export const HEALTH_PATH = '/healthz';
/** The customer's thank-you page (`?lang=fr|en`), where the payment page sends the browser by default. */
export const THANK_YOU_PATH = '/thanks';
