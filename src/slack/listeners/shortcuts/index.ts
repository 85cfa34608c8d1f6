import type { App, MessageShortcut } from '@slack/bolt';
import { MESSAGE_SHORTCUT_ID } from '../../../constants.js';
import type { ListenerContext } from '../context.js';
import { fromMessageShortcut } from './from-message.js';

export function registerShortcuts(app: App, ctx: ListenerContext): void {
  app.shortcut<MessageShortcut>({ callback_id: MESSAGE_SHORTCUT_ID, type: 'message_action' }, fromMessageShortcut(ctx));
}
