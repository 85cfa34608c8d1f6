import type { Config } from '../../config.js';
import type { LinkFlowContext, LinkSubmission } from '../../flow/create-link.js';

/** What listeners share: the config, and how to start a link flow that shutdown will wait for. */
export interface ListenerContext {
  config: Readonly<Config>;
  sandbox: boolean;
  flow: Omit<LinkFlowContext, 'client'>;
  /** Runs work after the ack and keeps it counted until done, for a graceful shutdown. */
  track(work: Promise<void>): void;
}

export type { LinkSubmission };
