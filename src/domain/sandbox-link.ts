import type { LinkRecord } from '../ledger/ledger.js';

/**
 * Whether paylink's built-in sandbox made the link: a trial link, marked [SANDBOX] in every message about it, whichever
 * instance (sandbox or live, on one ledger) writes the message.
 */
export function madeBySandbox(link: Pick<LinkRecord, 'sandbox'>): boolean {
  return link.sandbox === 1;
}
