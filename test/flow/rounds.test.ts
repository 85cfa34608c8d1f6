import { describe, expect, it } from 'vitest';
import { workThroughClaims } from '../../src/flow/rounds.js';

/** A ledger of `count` items claimed one at a time, where `done` says whether an item was done. */
function claimsOf(count: number, done: (item: number) => boolean) {
  const waiting = Array.from({ length: count }, (_, item) => item);
  const claimed: number[] = [];
  const claimNext = async () => {
    // Bounded, so that a round that never ends fails this test rather than hangs it.
    const item = claimed.length < 1_000 ? waiting.shift() : undefined;
    if (item === undefined) return undefined;
    claimed.push(item);
    return async () => {
      if (done(item)) return true;
      waiting.push(item); // released: claimable again
      return false;
    };
  };
  return { claimNext, claimed, waiting };
}

describe('a round of claimed work', () => {
  it('works through a backlog one item at a time, until none is left', async () => {
    const { claimNext, claimed } = claimsOf(120, () => true);
    expect(await workThroughClaims(() => false, claimNext)).toEqual({ done: 120, ranOut: true });
    expect(claimed).toHaveLength(120);
  });

  it('ends at an item not done, which waits for the next round, and leaves the rest unclaimed', async () => {
    const { claimNext, claimed, waiting } = claimsOf(120, (item) => item !== 3);
    expect(await workThroughClaims(() => false, claimNext)).toEqual({ done: 3, ranOut: false });
    expect(claimed).toEqual([0, 1, 2, 3]);
    expect(waiting).toHaveLength(117);
  });

  it('leaves every item after one whose handling failed unclaimed for the next round', async () => {
    const { claimNext, claimed, waiting } = claimsOf(5, (item) => {
      if (item === 1) throw new Error('ledger out of reach');
      return true;
    });
    await expect(workThroughClaims(() => false, claimNext)).rejects.toThrow('ledger out of reach');
    expect({ claimed, waiting }).toEqual({ claimed: [0, 1], waiting: [2, 3, 4] });
  });

  it('claims nothing more once the timer is stopping', async () => {
    const { claimNext, claimed } = claimsOf(120, () => true);
    let handled = 0;
    expect(await workThroughClaims(() => handled++ >= 2, claimNext)).toEqual({ done: 2, ranOut: false });
    expect(claimed).toHaveLength(2);
  });
});
