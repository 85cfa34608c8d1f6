import type { Ledger } from '../../src/ledger/ledger.js';

/** What a ledger refusing a write for a moment throws (a locked SQLite file; a failover looks the same to paylink). */
export function ledgerBusy(): Error {
  return Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
}

type LedgerMethod =
  | 'recordOutcome'
  | 'recordSummary'
  | 'recordSentPrivately'
  | 'recordRepTold'
  | 'releaseUndeliveredLink';

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
