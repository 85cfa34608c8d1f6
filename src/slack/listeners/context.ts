import type { LinkFlowContext } from '../../flow/create-link.js';
import type { Track } from '../../flow/tracked-work.js';

/**
 * What listeners share: what the link flow needs, and how to run that flow after the ack so that shutdown
 * waits for it. Listeners call Slack through `ctx.slack`, never Bolt's `client`: Bolt's client retries a call after a
 * timeout or a dropped connection, when Slack may already have posted it (README, "Slack calls").
 */
export interface ListenerContext extends LinkFlowContext {
  track: Track;
}
