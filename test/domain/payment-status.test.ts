import { describe, expect, it } from 'vitest';
import { ANNEX_STATUSES, type AnnexStatus, classifyStatus, type StatusKind } from '../../src/domain/payment-status.js';

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
  ])('%s is %s', (received, status) => {
    expect(classifyStatus(received)).toMatchObject({ known: true, status });
  });

  it.each(['ON_HOLD', '3', 'constructor', '__proto__', 'SETTLED!'])('%s is kept as received', (received) => {
    expect(classifyStatus(received)).toEqual({ known: false, raw: received });
  });
});
