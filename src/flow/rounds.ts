import type { Logger } from '@slack/bolt';
import type { DirectMessageOutcome } from '../slack/delivery.js';
import { slackRefusesApp } from '../slack/errors.js';

export interface RoundTimer {
  /** No round starts any more; resolves once the round in progress (if any) is over. */
  stop(): Promise<void>;
}

export interface RoundOptions {
  /**
   * Logged as `${name}_failed` (an error) when a round fails, the next one still scheduled; a failure that goes on
   * round after round (the ledger down for hours) is logged when it begins, again once an hour (`failed_rounds` so far)
   * and as `${name}_recovered` when a round succeeds again, not once a round.
   */
  name: string;
  periodMs: number;
  /** Before the first round; `periodMs` by default. */
  firstAfterMs?: number;
  logger: Logger;
  /** The app's clock: when a streak of failures began, and when it was last said. */
  clock: () => Date;
}

/** A round's period worked out from a delay, kept between `shortestMs` and `longestMs`. */
export function periodWithin(periodMs: number, shortestMs: number, longestMs: number): number {
  return Math.min(longestMs, Math.max(shortestMs, Math.round(periodMs)));
}

/**
 * Runs `round` every `periodMs`, one at a time: the next round is scheduled once the last one is over, so rounds
 * never overlap however slow Slack or the ledger is. `round` is told whether the timer is being stopped.
 */
export function startRounds(options: RoundOptions, round: (stopping: () => boolean) => Promise<unknown>): RoundTimer {
  const failures = failureStreak(options);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      current = round(() => stopped)
        .then(failures.succeeded, failures.failed)
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

/** A failure said again, while it lasts, at most this often. */
const FAILURE_REPEAT_MS = 60 * 60_000;

/**
 * The log of a timer's failing rounds: the first of a streak, the same failure again once FAILURE_REPEAT_MS has passed
 * since it was last said (or at once when the failure changes), and the streak's end.
 */
function failureStreak(options: Pick<RoundOptions, 'name' | 'logger' | 'clock'>) {
  let failedRounds = 0;
  let since: Date | undefined;
  let lastSaid = { at: 0, error: '' };
  return {
    succeeded: () => {
      if (failedRounds > 0) {
        options.logger.info({ event: `${options.name}_recovered`, failed_rounds: failedRounds, since });
      }
      failedRounds = 0;
      since = undefined;
    },
    failed: (error: unknown) => {
      failedRounds += 1;
      const now = options.clock().getTime();
      since ??= new Date(now);
      const words = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (failedRounds > 1 && words === lastSaid.error && now - lastSaid.at < FAILURE_REPEAT_MS) return;
      lastSaid = { at: now, error: words };
      options.logger.error({
        event: `${options.name}_failed`,
        error,
        ...(failedRounds > 1 ? { failed_rounds: failedRounds, since } : {}),
      });
    },
  };
}

/** What a round of claimed work came to. */
export interface ClaimsWorkedThrough {
  /** True when the round ended because no item was left to claim: every claimable one was seen. */
  ranOut: boolean;
}

/**
 * Works through claimed work one item at a time: `claimNext` claims an item in the ledger and returns what to do with
 * it (true when it was done), or undefined when none is left. The next is claimed once the last is handled, until none
 * is left, one was not done, or the timer is stopping. One at a time, so that a round cut short (a crash, a ledger call
 * failing) leaves at most the item in hand claimed and undone, never a batch of them. An item not done may have been
 * released for later: claimed again at once, it would be tried over and over while Slack refuses, so it waits for the
 * next round.
 */
export async function workThroughClaims(
  stopping: () => boolean,
  claimNext: () => Promise<(() => Promise<boolean>) | undefined>,
): Promise<ClaimsWorkedThrough> {
  while (!stopping()) {
    const handle = await claimNext();
    if (handle === undefined) return { ranOut: true };
    if (!(await handle())) break;
  }
  return { ranOut: false };
}

/**
 * Slack refusing paylink itself (its token revoked, the app uninstalled, a scope missing): the round fails with it, which
 * its timer logs as an error when it begins and once an hour (`<round>_failed`), rather than a warning a link a round:
 * only an admin can end it.
 */
export class SlackRefusesPaylink extends Error {
  readonly code: string;
  constructor(code: string) {
    super(`Slack refuses paylink's calls (${code}): reinstall the app, or give it its bot token again`);
    this.name = 'SlackRefusesPaylink';
    this.code = code;
  }
}

/**
 * Whether a round of DMs goes on to its next claim after this DM: it was sent, or refused for its recipient alone (a
 * rep who left), so that one rep's links do not hold back everyone else's by a round each. A refusal that would meet
 * every DM (Slack unwell) ends the round instead of using up its claims; one of paylink itself fails it.
 */
export function roundGoesOnAfter(outcome: DirectMessageOutcome): boolean {
  if (!outcome.sent && slackRefusesApp(outcome.error)) throw new SlackRefusesPaylink(outcome.error);
  return outcome.sent || outcome.recipientGone;
}
