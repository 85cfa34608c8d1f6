import { type AccessDecision, decideAccess } from '../../domain/access.js';
import type { Messages } from '../../i18n/messages.js';
import { isDirectMessage } from '../channel-ids.js';
import type { ListenerContext } from './context.js';

/** The sentence a refused rep reads, or undefined when access is allowed. */
export function accessRefusal(ctx: ListenerContext, m: Messages, user: string, channel: string): string | undefined {
  const decision: AccessDecision = decideAccess(ctx.config, user, channel);
  if (decision === 'allowed') return undefined;
  ctx.logger.warn({ event: 'access_refused', reason: decision, user, channel });
  return decision === 'user_not_allowed' ? m.notAllowedUser : m.notAllowedChannel(...allowedChannels(ctx));
}

/** Channels a refused rep can be sent to, as many as a short answer holds. */
const CHANNELS_NAMED = 10;

/**
 * The allowed channels as Slack mentions, which it shows by name (a private one the rep is not in as such), none when
 * there is none to name: a DM's id (D…) is someone else's conversation; and whether some were left out.
 */
function allowedChannels(ctx: ListenerContext): [mentions: string[], more: boolean] {
  const named = ctx.config.allowedChannels.filter((id) => !isDirectMessage(id));
  return [named.slice(0, CHANNELS_NAMED).map((id) => `<#${id}>`), named.length > CHANNELS_NAMED];
}
