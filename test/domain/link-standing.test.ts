import { describe, expect, it } from 'vitest';
import { DECIDED_RANKS, hasExpired, RANKS_OF_KIND } from '../../src/domain/link-standing.js';
import { ANNEX_STATUSES, classifyStatus, statusProgress } from '../../src/domain/payment-status.js';
import { linkRecord } from '../support/link-records.js';

describe('status ranks', () => {
  it('tells the kind from the rank alone: no rank is shared by two kinds, every annex status has its kind', () => {
    const kinds = Object.keys(RANKS_OF_KIND) as (keyof typeof RANKS_OF_KIND)[];
    const all = kinds.flatMap((kind) => RANKS_OF_KIND[kind]);
    expect(new Set(all).size).toBe(all.length);
    for (const code of ANNEX_STATUSES) {
      const status = classifyStatus(code);
      if (!status.known) throw new Error(code);
      expect(RANKS_OF_KIND[status.kind]).toContain(statusProgress(status));
    }
  });

  it('counts an unknown status as awaiting payment: its rank decides nothing', () => {
    expect(DECIDED_RANKS).not.toContain(statusProgress(classifyStatus('SOMETHING_NEW')));
    expect(DECIDED_RANKS).not.toContain(statusProgress(classifyStatus('PENDING')));
    expect(DECIDED_RANKS).toContain(statusProgress(classifyStatus('SETTLED')));
  });
});

describe('an expired link', () => {
  const created = linkRecord({ created_at: '2026-11-27T09:30:00.000Z', expires_at: '2026-11-29T09:30:00.000Z' });

  it('is a made link with no status, from the expiry stored with it on', () => {
    expect(hasExpired(created, new Date('2026-11-29T09:29:59.999Z'))).toBe(false);
    expect(hasExpired(created, new Date('2026-11-29T09:30:00.000Z'))).toBe(true);
  });

  it('is none with a status (a debit under way, a payment), one never made, or one with no expiry stored', () => {
    const later = new Date('2036-12-27T00:00:00.000Z');
    const rank = (status: string) => statusProgress(classifyStatus(status));
    expect(hasExpired({ ...created, payment_status_rank: rank('ISSUED') }, later)).toBe(false);
    expect(hasExpired({ ...created, payment_status_rank: rank('SETTLED') }, later)).toBe(false);
    expect(hasExpired({ ...created, state: 'refused' }, later)).toBe(false);
    expect(hasExpired({ ...created, expires_at: null }, later)).toBe(false);
  });
});
