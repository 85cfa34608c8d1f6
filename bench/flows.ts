import type { DisplayedView, SlackApiCall, SlackApiStandin } from '../test/support/slack-api-standin.js';
import {
  type SlackHttpResult,
  sendInteraction,
  sendSlashCommand,
  stateValuesFor,
  viewSubmissionPayload,
} from '../test/support/slack-requests.js';

/** What one /paylink → modal → link flow took, each from the bench's send to what it waited for. */
export interface FlowTimings {
  /** The slash command's HTTP round trip: Slack shows an error past 3 s. */
  commandToAckMs: number;
  /** Until the stand-in Slack received the app's views.open: the trigger_id dies 3 s after the command. */
  commandToViewsOpenMs: number;
  /** From sending the view_submission until the stand-in received the chat.postMessage carrying the link. */
  submissionToLinkMs: number;
}

export interface BurstResult {
  timings: FlowTimings[];
  /** Why each failed flow failed. */
  failures: string[];
}

/** A form both apps accept; payment_reference is made unique per flow (SAFEDEBIT refuses a reused one). */
const FORM = {
  amount: '1 250,50',
  consumer_reference: 'CUST-42',
  consumer_email: 'jean.dupont@example.com',
  consumer_phone_number: '06 12 34 56 78',
} as const;

/** Past this, a step of a flow counts as failed: Slack itself gives up after 3 s. */
const STEP_TIMEOUT_MS = 10_000;

/** Calls the bench waits for, by a key unique to one flow: O(1) per call whatever the number of flows. */
class ExpectedCalls {
  readonly #pending = new Map<string, { arrived: (call: SlackApiCall) => void; timer: NodeJS.Timeout }>();

  constructor(private readonly what: string) {}

  expect(key: string): Promise<SlackApiCall> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(key);
        reject(new Error(`no ${this.what} within ${STEP_TIMEOUT_MS} ms`));
      }, STEP_TIMEOUT_MS);
      this.#pending.set(key, { arrived: resolve, timer });
    });
  }

  arrived(key: unknown, call: SlackApiCall): void {
    if (typeof key !== 'string') return;
    const pending = this.#pending.get(key);
    if (pending === undefined) return;
    this.cancel(key);
    pending.arrived(call);
  }

  /** Stops waiting without settling: for a flow that failed before it awaited the call. */
  cancel(key: string): void {
    clearTimeout(this.#pending.get(key)?.timer);
    this.#pending.delete(key);
  }
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function expectHttpOk(result: SlackHttpResult, what: string): void {
  if (result.status !== 200) throw new Error(`${what} answered HTTP ${result.status}: ${result.body.slice(0, 200)}`);
  if ((result.json as { response_action?: unknown } | undefined)?.response_action === 'errors') {
    throw new Error(`${what} refused the form: ${result.body.slice(0, 200)}`);
  }
}

/**
 * Drives apps as Slack and its users would, through the one stand-in Slack both apps call. Each flow works in
 * a channel of its own, so its views.open is told apart by trigger_id and its link post by channel.
 */
export class FlowDriver {
  readonly #viewsOpened = new ExpectedCalls('views.open');
  readonly #linksPosted = new ExpectedCalls('chat.postMessage with the link');
  readonly #stopWatching: () => void;
  #flowCount = 0;

  /** `linkPrefix`: how every payment link starts, to tell the link post from paylink's other posts. */
  constructor(
    private readonly standin: SlackApiStandin,
    private readonly signingSecret: string,
    linkPrefix: string,
  ) {
    this.#stopWatching = standin.onCall((call) => {
      if (call.method === 'views.open') this.#viewsOpened.arrived(call.args.trigger_id, call);
      else if (call.method === 'chat.postMessage' && String(call.args.text).includes(linkPrefix)) {
        this.#linksPosted.arrived(call.args.channel, call);
      }
    });
  }

  /** `flows` flows started at once against the app at `baseUrl`; resolves when all have ended. */
  async burst(baseUrl: string, flows: number): Promise<BurstResult> {
    const outcomes = await Promise.allSettled(Array.from({ length: flows }, () => this.#flow(baseUrl)));
    const result: BurstResult = { timings: [], failures: [] };
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') result.timings.push(outcome.value);
      else result.failures.push(outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason));
    }
    return result;
  }

  close(): void {
    this.#stopWatching();
  }

  async #flow(baseUrl: string): Promise<FlowTimings> {
    const flowNumber = ++this.#flowCount;
    const channel = `C0BENCH${String(flowNumber).padStart(6, '0')}`;
    const triggerId = this.standin.issueTriggerId();
    try {
      const viewOpened = this.#viewsOpened.expect(triggerId);
      // Date.now(), the clock of the stand-in's arrival times (SlackApiCall.at).
      const commandSentAt = Date.now();
      const command = await within(
        sendSlashCommand(baseUrl, this.signingSecret, {
          trigger_id: triggerId,
          response_url: this.standin.responseUrl(),
          channel_id: channel,
          channel_name: `bench-${flowNumber}`,
        }),
        'answer to the command',
      );
      expectHttpOk(command, 'the command');
      const opened = await viewOpened;

      const view = this.#displayedView(opened);
      const inputs = { ...FORM, payment_reference: `BENCH-${flowNumber}` };
      const payload = viewSubmissionPayload({
        view: { ...view, callback_id: String(view.callback_id), state: { values: stateValuesFor(view, inputs) } },
      });
      const linkPosted = this.#linksPosted.expect(channel);
      const submittedAt = Date.now();
      const submission = await within(
        sendInteraction(baseUrl, this.signingSecret, payload),
        'answer to the submission',
      );
      expectHttpOk(submission, 'the submission');
      const posted = await linkPosted;

      return {
        commandToAckMs: command.elapsedMs,
        commandToViewsOpenMs: opened.at - commandSentAt,
        submissionToLinkMs: posted.at - submittedAt,
      };
    } finally {
      this.#viewsOpened.cancel(triggerId);
      this.#linksPosted.cancel(channel);
    }
  }

  /**
   * The modal as Slack holds it (with the id paylink later updates), found by its private_metadata, which both
   * apps make unique per flow (it holds the channel). A scan of every modal held, once per flow: a few hundred
   * thousand comparisons over a whole run, nothing next to the HTTP work.
   */
  #displayedView(viewsOpen: SlackApiCall): DisplayedView & { blocks?: readonly unknown[] } {
    const metadata = (viewsOpen.args.view as { private_metadata?: unknown } | undefined)?.private_metadata;
    const view = this.standin.displayedViews().find((held) => held.private_metadata === metadata);
    if (view === undefined) throw new Error('views.open was received but no modal is displayed for it');
    return view;
  }
}
