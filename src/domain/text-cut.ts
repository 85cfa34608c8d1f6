/**
 * Text cut to a length, never through a character: half an emoji is no text, and Slack refuses a view holding one.
 * Slack counts some limits in characters (what a rep sees) and others in UTF-16 units (what its JSON holds).
 */

/** `text`, cut to `max` characters (an emoji kept whole), ending with `…` when cut. */
export function cutToCharacters(text: string, max: number): string {
  const characters = Array.from(text);
  return characters.length > max ? `${characters.slice(0, max - 1).join('')}…` : text;
}

/** `text`'s first `maxUnits` UTF-16 units, less the first half of a character the cut would split. */
export function cutToUnits(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  const last = text.charCodeAt(maxUnits - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? maxUnits - 1 : maxUnits);
}
