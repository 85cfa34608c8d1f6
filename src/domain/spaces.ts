/** Every space separator (no-break, narrow or thin, as PDFs and mail clients paste them) written as a plain space. */
export function plainSpaces(text: string): string {
  return text.replace(/\p{Zs}/gu, ' ');
}
