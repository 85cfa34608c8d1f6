import { type AccessDecision, decideAccess } from '../../domain/access.js';
import type { Messages } from '../../i18n/messages.js';
import type { ListenerContext } from './context.js';

/** The sentence a refused rep reads, or undefined when access is allowed. */
export function accessRefusal(ctx: ListenerContext, m: Messages, user: string, channel: string): string | undefined {
  const decision: AccessDecision = decideAccess(ctx.config, user, channel);
  if (decision === 'allowed') return undefined;
  ctx.logger.warn({ event: 'access_refused', reason: decision, user, channel });
  return decision === 'user_not_allowed' ? m.notAllowedUser : m.notAllowedChannel;
}
