import { describe, expect, it } from 'vitest';
import {
  ANNEX_STATUSES,
  type AnnexStatus,
  classifyStatus,
  type StatusKind,
  statusProgress,
} from '../../src/domain/payment-status.js';

describe('classifyStatus', () => {
  const EXPECTED_KIND: Record<AnnexStatus, StatusKind> = {
    CREATED: 'pending',
    ISSUED: 'pending',
    SETTLED: 'paid',
    WAITINGFORVALIDATION: 'pending',
    REJECTED: 'failed',
    RETURNED: 'failed',
    CANCELED: 'failed',
    WAITING: 'pending',
    GUARANTEED: 'paid',
    INDEMNIZED: 'paid',
    CREDITED: 'paid',
    CREDITINPROGRESS: 'pending',
    REMBOURSE: 'refunded',
    TOREMBOURSE: 'refunded',
    WAITINGREMBOURSE: 'refunded',
    PENDING: 'pending',
  };

  it.each(ANNEX_STATUSES)('%s has its kind', (status) => {
    expect(classifyStatus(status)).toEqual({ known: true, status, kind: EXPECTED_KIND[status] });
  });

  it.each([
    ['settled', 'SETTLED'],
    ['Waiting_For_Validation', 'WAITINGFORVALIDATION'],
    ['credit-in-progress', 'CREDITINPROGRESS'],
    ['to rembourse', 'TOREMBOURSE'],
    ['CANCELLED', 'CANCELED'],
    ['refunded', 'REMBOURSE'],
    ['paid', 'SETTLED'],
    // The annex's French words written with their accents, as French speakers write them.
    ['REMBOURSÉ', 'REMBOURSE'],
    ['Remboursé', 'REMBOURSE'],
    ['TO_REMBOURSÉ', 'TOREMBOURSE'],
    ['waiting remboursé', 'WAITINGREMBOURSE'],
    ['REMBOURSE\u0301', 'REMBOURSE'],
    ['indemnified', 'INDEMNIZED'],
  ])('%s is %s', (received, status) => {
    expect(classifyStatus(received)).toMatchObject({ known: true, status });
  });

  it.each(['ON_HOLD', '3', 'constructor', '__proto__', 'SETTLED!'])('%s is kept as received', (received) => {
    expect(classifyStatus(received)).toEqual({ known: false, raw: received });
  });
});

describe('statusProgress', () => {
  /**
   * How far along each annex status is, least first; statuses on one line are as far along as each other (the later
   * notification wins). In SEPA a reject or a cancellation comes before settlement, a return after it, an indemnity
   * after a return, refunds last.
   */
  const ORDER: AnnexStatus[][] = [
    ['CREATED'],
    ['WAITING', 'WAITINGFORVALIDATION', 'PENDING'],
    ['ISSUED'],
    ['CREDITINPROGRESS'],
    ['REJECTED', 'CANCELED'],
    ['SETTLED', 'CREDITED'],
    ['GUARANTEED'],
    ['RETURNED'],
    ['INDEMNIZED'],
    ['TOREMBOURSE'],
    ['WAITINGREMBOURSE'],
    ['REMBOURSE'],
  ];
  const progress = (status: string) => statusProgress(classifyStatus(status));

  it('ranks every annex status as the order of a SEPA payment has it', () => {
    expect(ORDER.flat().sort()).toEqual([...ANNEX_STATUSES].sort());
    for (const [index, tier] of ORDER.entries()) {
      for (const status of tier) {
        expect(progress(status), status).toBe(progress(tier[0] ?? ''));
        const next = ORDER[index + 1]?.[0];
        if (next !== undefined) expect(progress(status), `${status} < ${next}`).toBeLessThan(progress(next));
      }
    }
  });

  it('ranks a status paylink does not know below every known one, so it never replaces one', () => {
    for (const status of ANNEX_STATUSES) expect(progress('ON_HOLD'), status).toBeLessThan(progress(status));
  });
});
