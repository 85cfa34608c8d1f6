import type { App } from '@slack/bolt';
import { APP_HOME_OPENED_EVENT } from '../../../constants.js';
import type { ListenerContext } from '../context.js';
import { appHomeOpened } from './app-home-opened.js';

export function registerEvents(app: App, ctx: ListenerContext): void {
  app.event(APP_HOME_OPENED_EVENT, appHomeOpened(ctx));
}
