import { TextDecoder } from 'node:util';

/**
 * A decoder for the charset a Content-Type declares (`application/json; charset=ISO-8859-1`), UTF-8 when it declares
 * none or one this runtime does not know: a PHP back office on Latin-1, as many French hosting stacks still are, says
 * so, and read as UTF-8 its accents would become U+FFFD. A UTF-8 decoder drops a byte order mark, which JSON.parse would
 * choke on.
 */
export function textDecoderFor(contentType: string | undefined): TextDecoder {
  const declared = /;\s*charset\s*=\s*"?([\w.:-]+)"?/i.exec(contentType ?? '')?.[1];
  if (declared !== undefined) {
    try {
      return new TextDecoder(declared);
    } catch {
      // An unknown label: read as UTF-8, as a body declaring none is.
    }
  }
  return new TextDecoder();
}

/**
 * A url-encoded form in a charset other than UTF-8, as the same form in UTF-8: its percent-escapes are that charset's
 * bytes, which URLSearchParams would read as UTF-8.
 */
export function formInUtf8(body: Buffer, decoder: TextDecoder): string {
  const fields = new URLSearchParams();
  for (const pair of body.toString('latin1').split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const [name, value] = equals === -1 ? [pair, ''] : [pair.slice(0, equals), pair.slice(equals + 1)];
    fields.append(decodeComponent(name, decoder), decodeComponent(value, decoder));
  }
  return fields.toString();
}

/** `%E9` and `+` into the bytes they stand for, the other characters as the bytes they were read from. */
function decodeComponent(component: string, decoder: TextDecoder): string {
  const bytes = Buffer.from(
    component
      .replace(/\+/g, ' ')
      .replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    'latin1',
  );
  return decoder.decode(bytes);
}
