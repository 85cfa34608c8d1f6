import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@slack/bolt';

/** The waits before each new try of a refused write: about 15 s in all. */
export const DEFAULT_LEDGER_RETRY_DELAYS_MS: readonly number[] = [1_000, 2_000, 4_000, 8_000];

export interface LedgerWriteContext {
  logger: Logger;
  /** The waits before each new try of a write the ledger refused after SAFEDEBIT answered. */
  ledgerRetryDelaysMs: readonly number[];
  /**
   * Aborted by a stop whose grace ran out: a write waiting to be tried again is kept at once instead, for the stop's
   * last try before the ledger closes.
   */
  ledgerRetriesCut?: AbortSignal;
}

/** A write the ledger refused past its retries, kept to be recorded later, and the link it is about. */
export interface UnrecordedWrite {
  link: string;
  record: () => Promise<unknown>;
}

/** A context that keeps the writes the ledger refused past their tries, for the rounds to record (recordLateWrites). */
export interface KeepingLedgerWriteContext extends LedgerWriteContext {
  unrecordedWrites: Map<string, UnrecordedWrite>;
}

/** A write's result, or why the ledger refused it (logged): the last error when it was tried again. */
export type Written<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** What a log line says of a write: which step of the flow, for which link, and anything the caller adds. */
export interface WriteDescription {
  step: string;
  link: string;
  [field: string]: unknown;
}

/**
 * One try of a write that must not stop what follows (the rep must get the link SAFEDEBIT made, or the form back,
 * whatever the ledger does): a refusal is logged and returned.
 */
export async function tryLedgerWrite<T>(
  ctx: LedgerWriteContext,
  what: WriteDescription,
  write: () => Promise<T>,
): Promise<Written<T>> {
  try {
    return { ok: true, value: await write() };
  } catch (error) {
    ctx.logger.error({ event: 'ledger_write_failed', ...what, error });
    return { ok: false, error };
  }
}

/**
 * Tries a write the ledger refused again until it takes it, waiting `ledgerRetryDelaysMs` before each try. A ledger
 * out of reach for a moment (a PostgreSQL failover, a locked SQLite file) must not leave a link `requested`: the
 * interrupted-link round would take it for one whose creation was cut short and tell its rep so, and App Home,
 * `/paylink status` and the export would miss its address.
 */
export async function retryLedgerWrite<T>(
  ctx: LedgerWriteContext,
  what: WriteDescription,
  write: () => Promise<T>,
): Promise<Written<T>> {
  let lastError: unknown;
  let attempts = 1;
  const cut = ctx.ledgerRetriesCut;
  for (const delayMs of ctx.ledgerRetryDelaysMs) {
    const waited = await sleep(delayMs, true, { signal: cut }).catch(() => false);
    if (!waited) break;
    attempts += 1;
    try {
      const value = await write();
      ctx.logger.info({ event: 'ledger_write_retried', ...what, attempt: attempts });
      return { ok: true, value };
    } catch (error) {
      lastError = error;
    }
  }
  ctx.logger.error({
    event: 'ledger_write_abandoned',
    ...what,
    attempts,
    ...(cut?.aborted ? { cut_by_stop: true } : {}),
    error: lastError,
  });
  return { ok: false, error: lastError };
}

/**
 * Tries a refused write again (retryLedgerWrite); still refused, it is kept in `ctx.unrecordedWrites` under `key`, for
 * the rounds to record once the ledger takes writes again (and, until then, to leave its link alone).
 */
export async function retryOrKeepForRounds<T>(
  ctx: KeepingLedgerWriteContext,
  what: WriteDescription,
  record: () => Promise<T>,
  key: string,
): Promise<Written<T>> {
  const retried = await retryLedgerWrite(ctx, what, record);
  if (!retried.ok) ctx.unrecordedWrites.set(key, { link: what.link, record });
  return retried;
}

/**
 * Gives a claim back for a later round (a DM Slack certainly did not take), trying again should the ledger refuse, then
 * keeping it for the rounds under `key` (recordLateWrites): a claim left in place would mean that DM is never sent.
 */
export async function releaseForLater(
  ctx: KeepingLedgerWriteContext,
  link: string,
  release: () => Promise<void>,
  key: string,
): Promise<void> {
  const what = { step: 'release_claim', link };
  // Not cut short by a stop: a claim is kept by no one, and its tries within the stop's last seconds may still land.
  const uncut = { ...ctx, ledgerRetriesCut: undefined };
  if ((await tryLedgerWrite(ctx, what, release)).ok) return;
  await retryOrKeepForRounds(uncut, what, release, key);
}
