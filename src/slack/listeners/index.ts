import type { App } from '@slack/bolt';
import { registerActions } from './actions/index.js';
import { registerCommands } from './commands/index.js';
import type { ListenerContext } from './context.js';
import { registerEvents } from './events/index.js';
import { registerShortcuts } from './shortcuts/index.js';
import { registerViews } from './views/index.js';

/**
 * Every listener, registered from one place, grouped by Slack surface. Each surface's index.ts says which
 * Slack id goes to which listener; each listener is a function of its own, taking the context once.
 */
export function registerListeners(app: App, ctx: ListenerContext): void {
  registerCommands(app, ctx);
  registerShortcuts(app, ctx);
  registerActions(app, ctx);
  registerViews(app, ctx);
  registerEvents(app, ctx);
}
