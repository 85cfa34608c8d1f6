import { describe, expect, it, vi } from 'vitest';
import { startRounds, workThroughClaims } from '../../src/flow/rounds.js';
import { createJsonLogger } from '../../src/logger.js';

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
    expect(await workThroughClaims(() => false, claimNext)).toEqual({ ranOut: true });
    expect(claimed).toHaveLength(120);
  });

  it('ends at an item not done, which waits for the next round, and leaves the rest unclaimed', async () => {
    const { claimNext, claimed, waiting } = claimsOf(120, (item) => item !== 3);
    expect(await workThroughClaims(() => false, claimNext)).toEqual({ ranOut: false });
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
    expect(await workThroughClaims(() => handled++ >= 2, claimNext)).toEqual({ ranOut: false });
    expect(claimed).toHaveLength(2);
  });
});

describe('a round that fails at every tick (the ledger out of reach for hours)', () => {
  const lines: string[] = [];
  const logger = createJsonLogger({ level: 'debug', secrets: [], write: (line) => lines.push(line) });
  const events = () => lines.map((line) => JSON.parse(line) as { level: string; event: string });

  it('logs the failure once, not once a round, then once that it is over', async () => {
    lines.length = 0;
    let rounds = 0;
    const timer = startRounds({ name: 'status_updates', periodMs: 1, logger, clock: () => new Date() }, async () => {
      rounds += 1;
      if (rounds <= 20) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    });
    await vi.waitFor(() => expect(rounds).toBeGreaterThan(22), { timeout: 5_000 });
    await timer.stop();
    // A day of a ledger down is 1,440 status rounds, 2,304 interrupted-links rounds and up to 288 reminder rounds per
    // instance: each an error line, where one says it all.
    expect(events().map(({ level, event }) => `${level} ${event}`)).toEqual([
      'error status_updates_failed',
      'info status_updates_recovered',
    ]);
  });

  it('says again, once an hour, that it still fails, so that an alert on errors does not go quiet for good', async () => {
    lines.length = 0;
    vi.useFakeTimers();
    try {
      let rounds = 0;
      const timer = startRounds(
        { name: 'reminders', periodMs: 5 * 60_000, logger, clock: () => new Date() },
        async () => {
          rounds += 1;
          throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
        },
      );
      // 26 rounds, 5 minutes apart: failing from minute 5 to minute 130.
      await vi.advanceTimersByTimeAsync(130 * 60_000);
      expect(rounds).toBe(26);
      await timer.stop();
    } finally {
      vi.useRealTimers();
    }
    expect(events().filter(({ event }) => event === 'reminders_failed')).toHaveLength(3);
  });
});
