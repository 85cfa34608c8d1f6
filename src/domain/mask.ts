// Masked contact details let a Slack channel see where the link went without exposing the customer.
const HIDDEN = '•••';

/** `jean.dupont@example.com` → `j•••@example.com`: the first character of the local part and the whole domain. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return HIDDEN;
  // Array.from keeps an astral first character (an emoji, a rare CJK letter) whole.
  const first = Array.from(email.slice(0, at))[0] ?? '';
  return `${first}${HIDDEN}${email.slice(at)}`;
}

/**
 * Only the last 4 digits stay visible. A French national number keeps its usual pairs
 * (`0612345678` → `•• •• •• 56 78`); any other number (E.164) is shown as `•••• 0123`, hiding the
 * country code too, so a foreign number reveals no more than a French one.
 */
export function maskPhone(phone: string): string {
  if (/^0\d{9}$/.test(phone)) return `•• •• •• ${phone.slice(6, 8)} ${phone.slice(8)}`;
  return `•••• ${phone.replace(/\D/g, '').slice(-4)}`;
}
