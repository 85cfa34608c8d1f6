import { App, HTTPReceiver, LogLevel, type types, type ViewOutput } from '@slack/bolt';
import { request } from 'undici';
import { HEALTH_PATH, INPUT_ACTION, PAYMENT_MODAL_ID, SLACK_EVENTS_PATH, SLASH_COMMAND } from '../src/constants.js';

/**
 * The yardstick of `npm run bench`: a bare Bolt app doing the minimum of paylink's job, so that what paylink
 * costs on top of Bolt can be told apart from what Bolt costs. /paylink → ack and a fixed modal; its
 * submission → ack, one SAFEDEBIT get_link_payment call, one message with the link. No validation, no
 * placeholder, no summary, no modal update. It reads the same environment variables as paylink, so the bench
 * starts both alike, and runs as its own process so that its CPU time and memory are measured apart.
 */

/**
 * The form's fields, named as in paylink's modal (its REQUIRED_INPUT_FIELDS) so that the bench submits one form to both
 * apps: written out, since paylink's form module would load its phone and VAT libraries into the yardstick.
 */
const FORM_FIELDS = [
  'amount',
  'payment_reference',
  'consumer_reference',
  'consumer_email',
  'consumer_phone_number',
] as const;
type FormField = (typeof FORM_FIELDS)[number];
const CALLBACK_URL = 'https://paylink.example.com/callback/bare-app';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`bare-app: ${name} is required`);
  return value;
}

const safedebitUrl = `${requiredEnv('SAFEDEBIT_API_URL').replace(/\/+$/, '')}/get_link_payment`;
const safedebitHeaders = {
  'content-type': 'application/json',
  accept: 'application/json',
  authorization: `Basic ${Buffer.from(`${requiredEnv('SAFEDEBIT_LOGIN')}:${requiredEnv('SAFEDEBIT_PASSWORD')}`).toString('base64')}`,
};
const beneficiaryReference = requiredEnv('SAFEDEBIT_BENEFICIARY_REFERENCE');

const fixedModalBlocks: types.InputBlock[] = FORM_FIELDS.map((field) => ({
  type: 'input',
  block_id: field,
  label: { type: 'plain_text', text: field },
  element: { type: 'plain_text_input', action_id: INPUT_ACTION },
}));

/** "1 250,50" → "125050": the minimum that turns what the bench types into SAFEDEBIT's cents, as digits, no float. */
function amountInCents(typed: string): string {
  const [euros = '0', cents = ''] = typed.replace(/\s/g, '').split(/[.,]/);
  return `${euros}${cents.padEnd(2, '0').slice(0, 2)}`.replace(/^0+(?=\d)/, '');
}

function typedValue(state: ViewOutput['state'], field: FormField): string {
  return state.values[field]?.[INPUT_ACTION]?.value ?? '';
}

const receiver = new HTTPReceiver({
  signingSecret: requiredEnv('SLACK_SIGNING_SECRET'),
  endpoints: SLACK_EVENTS_PATH,
  processBeforeResponse: false,
  // The bench waits for this before driving the app, as it does for paylink's own /healthz.
  customRoutes: [
    {
      path: HEALTH_PATH,
      method: ['GET'],
      handler: (_req, res) => {
        res.writeHead(200).end('ok');
      },
    },
  ],
});
const app = new App({
  token: requiredEnv('SLACK_BOT_TOKEN'),
  receiver,
  logLevel: LogLevel.WARN,
  clientOptions: { slackApiUrl: requiredEnv('SLACK_API_URL') },
});

app.command(SLASH_COMMAND, async ({ command, ack, client }) => {
  await ack();
  await client.views.open({
    trigger_id: command.trigger_id,
    view: {
      type: 'modal',
      callback_id: PAYMENT_MODAL_ID,
      // view_submission carries no channel: the modal remembers where to post.
      private_metadata: command.channel_id,
      title: { type: 'plain_text', text: 'Payment link' },
      submit: { type: 'plain_text', text: 'Create' },
      blocks: fixedModalBlocks,
    },
  });
});

app.view(PAYMENT_MODAL_ID, async ({ ack, view, client }) => {
  await ack();
  const { state } = view;
  const response = await request(safedebitUrl, {
    method: 'POST',
    headers: safedebitHeaders,
    body: JSON.stringify({
      beneficiary_reference: beneficiaryReference,
      amount: amountInCents(typedValue(state, 'amount')),
      payment_reference: typedValue(state, 'payment_reference'),
      consumer_reference: typedValue(state, 'consumer_reference'),
      consumer_email: typedValue(state, 'consumer_email'),
      consumer_phone_number: typedValue(state, 'consumer_phone_number').replace(/\D/g, ''),
      url_callback: CALLBACK_URL,
      sms_option: 0,
      email_option: 0,
      consumer_type: 0,
    }),
  });
  const answer = (await response.body.json()) as { result?: unknown; link?: unknown; code?: unknown };
  if (answer.result !== true || typeof answer.link !== 'string') {
    throw new Error(`SAFEDEBIT gave no link (code ${String(answer.code)})`);
  }
  await client.chat.postMessage({ channel: view.private_metadata, text: `:link: Payment link: ${answer.link}` });
});

await app.start(Number(requiredEnv('PORT')));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
