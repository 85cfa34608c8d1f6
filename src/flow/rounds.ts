import type { Logger } from '@slack/bolt';

export interface RoundTimer {
  /** No round starts any more; resolves once the round in progress (if any) is over. */
  stop(): Promise<void>;
}

export interface RoundOptions {
  /** Logged as `${name}_failed` when a round fails; the next one is still scheduled. */
  name: string;
  periodMs: number;
  /** Before the first round; `periodMs` by default. */
  firstAfterMs?: number;
  logger: Logger;
}

/**
 * Runs `round` every `periodMs`, one at a time: the next round is scheduled once the last one is over, so rounds
 * never overlap however slow Slack or the ledger is. `round` is told whether the timer is being stopped.
 */
export function startRounds(options: RoundOptions, round: (stopping: () => boolean) => Promise<unknown>): RoundTimer {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      current = round(() => stopped)
        .then(
          () => undefined,
          (error: unknown) => options.logger.error({ event: `${options.name}_failed`, error }),
        )
        .finally(() => {
          current = undefined;
          schedule(options.periodMs);
        });
    }, delayMs);
  };
  schedule(options.firstAfterMs ?? options.periodMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}

/** One batch of claimed work, and what to do with each item of it (true when it was done). */
export interface ClaimedBatch<Item> {
  claimed: readonly Item[];
  handle(item: Item): Promise<boolean>;
}

/**
 * Works through claimed work in batches of `batchSize`, so that a backlog does not come out of the ledger at once:
 * claims a batch, handles each item, and claims again until a batch comes back short, an item of it was not done, or
 * the timer is stopping. An item not done may have been released for later: claimed again at once, a full batch of
 * them would be tried over and over while Slack refuses, so it waits for the next round. Resolves with how many
 * items were done.
 */
export async function workThroughClaims<Item>(
  batchSize: number,
  stopping: () => boolean,
  claimBatch: () => Promise<ClaimedBatch<Item>>,
): Promise<number> {
  let done = 0;
  while (!stopping()) {
    const { claimed, handle } = await claimBatch();
    let allDone = true;
    for (const item of claimed) {
      if (await handle(item)) done += 1;
      else allDone = false;
    }
    if (claimed.length < batchSize || !allDone) break;
  }
  return done;
}
