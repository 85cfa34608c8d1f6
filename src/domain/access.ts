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

/** Where a user comes from, as Slack names it in an interaction. */
export interface UserOrigin {
  /** The user's own workspace (`user.team_id`). */
  userTeam?: string;
  /** The workspace paylink is installed in (`view.app_installed_team_id`). */
  installedTeam?: string;
  /** Whether that workspace belongs to an Enterprise Grid org (the payload names one). */
  inEnterprise: boolean;
}

/**
 * Whether a user is a member of another organization: Slack Connect lets the external members of a shared channel use
 * the host's apps, each named with their own workspace. Outside an Enterprise Grid org every member's workspace is the
 * one paylink is installed in; in a Grid org, members of its other workspaces have their own too, and paylink cannot
 * tell them from outsiders by id alone: it lets them through.
 */
export function fromAnotherOrganization(origin: UserOrigin): boolean {
  const { userTeam, installedTeam, inEnterprise } = origin;
  return !inEnterprise && userTeam !== undefined && installedTeam !== undefined && userTeam !== installedTeam;
}
