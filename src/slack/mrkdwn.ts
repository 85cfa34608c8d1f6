/** Slack mrkdwn treats &, < and > as markup: escape anything a rep or customer typed. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
