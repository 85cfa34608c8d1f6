import type { LinkFlowContext } from '../../flow/create-link.js';

/**
 * What listeners share: what the link flow needs (bar the client, which each listener gets from Bolt), and
 * how to run that flow after the ack so that shutdown waits for it.
 */
export interface ListenerContext extends Omit<LinkFlowContext, 'client'> {
  /** Runs work after the ack and keeps it counted until done, for a graceful shutdown. */
  track(work: Promise<void>): void;
}
