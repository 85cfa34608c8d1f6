import { type Harness, VALID_FORM, visibleText } from './paylink-harness.js';
import { SALES_CHANNEL } from './slack-workspace.js';

/** No SAFEDEBIT: neither its address nor the credentials the harness gives (either without the other stops the start). */
export const NO_SAFEDEBIT = {
  SAFEDEBIT_API_URL: '',
  SAFEDEBIT_LOGIN: '',
  SAFEDEBIT_PASSWORD: '',
  SAFEDEBIT_BENEFICIARY_REFERENCE: '',
};

/** A link created in the built-in sandbox: its page's URL, and the messages its status shows in. */
export async function createSandboxLink(h: Harness, form: Record<string, string> = VALID_FORM) {
  const { view } = await h.openModal();
  await h.submit(view, form);
  await h.waitForViewUpdate(view.id, (v) => visibleText(v).includes('/sandbox/pay/'));
  const reply = h.standin.messagesIn(SALES_CHANNEL.id).findLast((m) => String(m.text).includes('/sandbox/pay/'));
  const summary = h.standin.messagesIn(SALES_CHANNEL.id).findLast((m) => m.attachments !== undefined);
  const link = String(reply?.text).match(/https?:\/\/[^\s|>]+/)?.[0] ?? '';
  return { link, threadTs: String(reply?.thread_ts), summaryTs: String(summary?.ts) };
}
