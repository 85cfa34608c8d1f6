import type { Ledger } from '../../src/ledger/ledger.js';

/** What a ledger refusing a write for a moment throws (a locked SQLite file; a failover looks the same to paylink). */
export function ledgerBusy(): Error {
  return Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
}

type LedgerMethod =
  | 'findLink'
  | 'homeViewers'
  | 'recordOutcome'
  | 'recordSummary'
  | 'recordSentPrivately'
  | 'recordRepTold'
  | 'releaseUndeliveredLink'
  | 'releaseReminder'
  | 'releaseInterruptedLink';

/** Makes the ledger's `method` throw ledgerBusy() for each call `refuses(...its arguments)` says so, and work otherwise. */
export function refuseWhen<M extends LedgerMethod>(
  ledger: Ledger,
  method: M,
  refuses: (...args: Parameters<Ledger[M]>) => boolean,
): void {
  const original = (ledger[method] as (...args: Parameters<Ledger[M]>) => ReturnType<Ledger[M]>).bind(ledger);
  ledger[method] = (async (...args: Parameters<Ledger[M]>) => {
    if (refuses(...args)) throw ledgerBusy();
    return original(...args);
  }) as Ledger[M];
}

/**
 * Runs `then` each time the ledger has kept a notification, before the caller goes on (to fail what comes next);
 * returns what puts the ledger back as it was.
 */
export function afterNotificationKept(ledger: Ledger, then: () => void): () => void {
  const record = ledger.recordNotification.bind(ledger);
  ledger.recordNotification = async (notification) => {
    const isNew = await record(notification);
    then();
    return isNew;
  };
  return () => {
    ledger.recordNotification = record;
  };
}
