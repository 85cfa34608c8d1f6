import { describe, expect, it } from 'vitest';
import { workThroughClaims } from '../../src/flow/rounds.js';

/** A ledger of `count` items claimed `batchSize` at a time, where `handle` says whether an item was done. */
function claimsOf(count: number, batchSize: number, done: (item: number) => boolean) {
  const waiting = Array.from({ length: count }, (_, item) => item);
  const batches: number[][] = [];
  const claimBatch = async () => {
    // Bounded, so that a round that never ends fails this test rather than hangs it.
    const claimed = batches.length < 10 ? waiting.splice(0, batchSize) : [];
    batches.push(claimed);
    return {
      claimed,
      handle: async (item: number) => {
        if (done(item)) return true;
        waiting.push(item); // released: claimable again
        return false;
      },
    };
  };
  return { claimBatch, batches };
}

describe('a round of claimed work', () => {
  it('works through a backlog a batch at a time, until a batch comes back short', async () => {
    const { claimBatch, batches } = claimsOf(120, 50, () => true);
    expect(await workThroughClaims(50, () => false, claimBatch)).toBe(120);
    expect(batches.map((batch) => batch.length)).toEqual([50, 50, 20]);
  });

  it('ends at a batch with an item not done, which waits for the next round instead of being claimed at once', async () => {
    const { claimBatch, batches } = claimsOf(120, 50, () => false);
    expect(await workThroughClaims(50, () => false, claimBatch)).toBe(0);
    expect(batches).toHaveLength(1);
    const oneRefused = claimsOf(120, 50, (item) => item !== 3);
    expect(await workThroughClaims(50, () => false, oneRefused.claimBatch)).toBe(49);
    expect(oneRefused.batches).toHaveLength(1);
  });

  it('claims nothing more once the timer is stopping', async () => {
    const { claimBatch, batches } = claimsOf(120, 50, () => true);
    let rounds = 0;
    expect(await workThroughClaims(50, () => rounds++ >= 1, claimBatch)).toBe(50);
    expect(batches).toHaveLength(1);
  });
});
