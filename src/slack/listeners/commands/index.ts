import type { App } from '@slack/bolt';
import { SLASH_COMMAND } from '../../../constants.js';
import type { ListenerContext } from '../context.js';
import { paylinkCommand } from './paylink.js';

export function registerCommands(app: App, ctx: ListenerContext): void {
  app.command(SLASH_COMMAND, paylinkCommand(ctx));
}
