/** Who may create links where: an empty list means everyone / everywhere. */
export interface AccessRules {
  allowedUsers: readonly string[];
  allowedChannels: readonly string[];
}

export type AccessDecision = 'allowed' | 'user_not_allowed' | 'channel_not_allowed';

/** Whether `user` may create links at all (anywhere allowed). */
export function userAllowed(rules: Pick<AccessRules, 'allowedUsers'>, user: string): boolean {
  return rules.allowedUsers.length === 0 || rules.allowedUsers.includes(user);
}

export function decideAccess(rules: AccessRules, user: string, channel: string): AccessDecision {
  if (!userAllowed(rules, user)) return 'user_not_allowed';
  if (rules.allowedChannels.length > 0 && !rules.allowedChannels.includes(channel)) return 'channel_not_allowed';
  return 'allowed';
}
