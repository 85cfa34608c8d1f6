import { randomBytes, randomInt } from 'node:crypto';

/**
 * The pretend Slack workspace shared by the Web API standin (what it answers) and the request helpers
 * (what "Slack" sends to the app), so both sides agree on who the team, the app and the bot are.
 */
export const TEAM_ID = 'T0001';
export const TEAM_DOMAIN = 'paylink-test';
export const TEAM_NAME = 'Paylink Test';
export const APP_ID = 'A0PAYLINK';
export const BOT_USER_ID = 'U0BOT';
export const BOT_USER_NAME = 'paylink';
export const BOT_ID = 'B0BOT';

/** A user as Slack describes the actor in interaction payloads. */
export interface SlackUser {
  id: string;
  username: string;
  name: string;
  team_id: string;
}

/** The sales rep who, by default, types `/paylink` or uses the shortcut. */
export const SALES_REP: SlackUser = { id: 'U0REP', username: 'sales.rep', name: 'sales.rep', team_id: TEAM_ID };

/**
 * The Enterprise Grid organization of an org-wide install: Slack then sends interaction payloads with `team: null`,
 * this `enterprise` and `is_enterprise_install: true`, and slash commands with `enterprise_id` and `enterprise_name`.
 */
export const ENTERPRISE = { id: 'E0ORG', name: 'Paylink Org' } as const;

/**
 * A rep of that organization: Grid user ids start with W, and `team_id` is the user's own workspace, which need not
 * be the one where the app was opened.
 */
export const GRID_REP: SlackUser = { id: 'W0GRIDREP', username: 'grid.rep', name: 'grid.rep', team_id: 'T0HOME' };

/** The public channel where, by default, the rep works. */
export const SALES_CHANNEL = { id: 'C0SALES', name: 'sales' } as const;

/** A trigger id in Slack's shape (`944799105734.773906753841.38b5894552bdd4a780554ee59d1f3638`). */
export function fakeTriggerId(): string {
  return `${randomInt(1e11, 1e12)}.${randomInt(1e11, 1e12)}.${randomBytes(16).toString('hex')}`;
}
