/**
 * JSON as Slack writes it: every character past ASCII as a `\uXXXX` escape, as in a view_submission captured from a
 * Thai workspace (`"text":"\u0e2a\u0e27\u0e31…"`) and Slack's Web API answers. The same value once parsed; but an app
 * reading Slack's JSON gets ASCII, which V8 keeps one byte a character, where raw UTF-8 with one "€" in a 5 KB view
 * would make the whole payload two bytes a character: stand-ins writing raw UTF-8 would bench the app on a heavier
 * payload than Slack sends.
 */
export function slackJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
