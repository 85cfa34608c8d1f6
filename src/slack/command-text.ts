import { parseAmount } from '../domain/amount.js';

export interface CommandPrefill {
  amount?: string;
  payment_reference?: string;
}

/**
 * `/paylink 1 250,50 F-2026-031` → amount "1 250,50", reference "F-2026-031". The amount is the longest
 * run of leading words that reads as an amount (so "1 250,50" keeps its space), the rest the reference.
 * Text that does not start with an amount is all reference.
 */
export function parseCommandText(text: string): CommandPrefill {
  const words = text.trim().split(/\s+/).filter(Boolean);
  for (let count = words.length; count >= 1; count -= 1) {
    const amount = words.slice(0, count).join(' ');
    if (parseAmount(amount, { maxCents: Number.MAX_SAFE_INTEGER }).ok) {
      const reference = words.slice(count).join(' ');
      return reference ? { amount, payment_reference: reference } : { amount };
    }
  }
  return words.length > 0 ? { payment_reference: words.join(' ') } : {};
}

export function isHelpRequest(text: string): boolean {
  return /^(help|aide|\?)$/i.test(text.trim());
}
