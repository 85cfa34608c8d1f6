import { describe, expect, it } from 'vitest';
import { ANNEX_STATUSES, classifyStatus, statusProgress } from '../../src/callback/notification.js';
import { DECIDED_RANKS, RANKS_OF_KIND } from '../../src/domain/link-standing.js';

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
