/**
 * Work that goes on after an answer (to Slack, or SAFEDEBIT), by what it is, as `shutdown_grace_expired` names it
 * when a stop's grace runs out: links being created, App Home tabs being drawn, command answers (list, status,
 * export).
 */
export type TrackedWork = 'links' | 'home' | 'answers';

/** Runs work after the answer and keeps it counted until done, for a graceful shutdown. */
export type Track = (kind: TrackedWork, work: Promise<void>) => void;
