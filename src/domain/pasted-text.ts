/** Every space separator (no-break, narrow or thin, as PDFs and mail clients paste them) written as a plain space. */
export function plainSpaces(text: string): string {
  return text.replace(/\p{Zs}/gu, ' ');
}

/**
 * Without the invisible format marks pasting brings along (WhatsApp's and iOS Contacts' direction marks around a phone
 * number, a web page's zero-width spaces and word joiners, a byte order mark): for values paylink rewrites anyway
 * (an amount, a phone number), where the rep sees no such character to remove.
 */
export function withoutFormatMarks(text: string): string {
  return text.replace(/\p{Cf}/gu, '');
}
