/** A direct message's conversation id: Slack starts those with `D` (channels `C`, private ones and group DMs `G`). */
export function isDirectMessage(channelId: string): boolean {
  return channelId.startsWith('D');
}

/** A group DM, by the name Slack gives it in a command's or shortcut's payload (its id is a private channel's). */
export function isGroupDirectMessageName(channelName: string | undefined): boolean {
  return channelName?.startsWith('mpdm-') === true;
}
