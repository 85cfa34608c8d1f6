import type { App, BlockAction } from '@slack/bolt';
import { CONSUMER_TYPE_ACTION, OPEN_LINK_ACTION, OPEN_THREAD_ACTION } from '../../../constants.js';
import type { ListenerContext } from '../context.js';
import { consumerTypeAction } from './consumer-type.js';
import { acknowledgeUrlButton } from './url-button.js';

export function registerActions(app: App, ctx: ListenerContext): void {
  app.action<BlockAction>(CONSUMER_TYPE_ACTION, consumerTypeAction(ctx));
  app.action(OPEN_LINK_ACTION, acknowledgeUrlButton);
  app.action(OPEN_THREAD_ACTION, acknowledgeUrlButton);
}
