import type { LinkFlowContext } from '../../flow/create-link.js';

/**
 * What listeners share: what the link flow needs, and how to run that flow after the ack so that shutdown
 * waits for it. Listeners call Slack through `ctx.slack`, never Bolt's `client`: Bolt's client retries a call after a
 * timeout or a dropped connection, when Slack may already have posted it (README, "Slack calls").
 */
export interface ListenerContext extends LinkFlowContext {
  /** Runs work after the ack and keeps it counted until done, for a graceful shutdown. */
  track(work: Promise<void>): void;
}
