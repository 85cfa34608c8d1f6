/** A direct message's conversation id: Slack starts those with `D` (channels `C`, private ones and group DMs `G`). */
export function isDirectMessage(channelId: string): boolean {
  return channelId.startsWith('D');
}
