import { SANDBOX_PAY_PATH } from '../constants.js';
import type { LinkRecord } from '../ledger/ledger.js';

/**
 * The address of every link the built-in sandbox made is its payment page (SAFEDEBIT's are …/paypage?SDESSID=…): it
 * tells a trial link that a sandbox instance of a release before the `sandbox` mark wrote (0 by default) after the
 * ledger was migrated, during a rolling upgrade or a rollback.
 */
export const SANDBOX_LINK_ADDRESS = `${SANDBOX_PAY_PATH}/`;

/**
 * Whether paylink's built-in sandbox made the link: marked so, or with the sandbox's payment page as address. A trial
 * link is marked [SANDBOX] in every message about it, whichever instance (sandbox or live, on one ledger) writes the
 * message. The ledger tells a link's kind by the same rule in SQL (#ofThisKind).
 */
export function madeBySandbox(link: Pick<LinkRecord, 'sandbox' | 'link'>): boolean {
  return link.sandbox === 1 || (link.link ?? '').includes(SANDBOX_LINK_ADDRESS);
}
