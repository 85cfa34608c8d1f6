import { TextDecoder } from 'node:util';

/** Turns a body's bytes into text in one charset. */
export interface TextDecoding {
  /** The charset's WHATWG name (`utf-8`, `windows-1252`…). */
  readonly encoding: string;
  decode(bytes: Uint8Array): string;
}

/**
 * A decoder for the charset a Content-Type declares (`application/json; charset=ISO-8859-1`), UTF-8 when it declares
 * none or one this runtime does not know: a PHP back office on Latin-1, as many French hosting stacks still are, says
 * so, and read as UTF-8 its accents would become U+FFFD. A UTF-8 decoder drops a byte order mark, which JSON.parse would
 * choke on.
 */
export function textDecoderFor(contentType: string | undefined): TextDecoding {
  const declared = /;\s*charset\s*=\s*"?([\w.:-]+)"?/i.exec(contentType ?? '')?.[1];
  if (declared !== undefined) {
    try {
      const decoder = new TextDecoder(declared);
      const legacy = decoder.encoding === 'windows-1252' ? WINDOWS_1252 : decoder;
      return SINGLE_BYTE.test(legacy.encoding) ? utf8First(legacy) : legacy;
    } catch {
      // An unknown label: read as UTF-8, as a body declaring none is.
    }
  }
  return new TextDecoder();
}

/**
 * What `latin1`, `iso-8859-1` and `windows-1252` all name (WHATWG): Node 20's decoder for them reads 0x80–0x9F as
 * invisible C1 controls, losing the `’`, `œ`, `€` and `–` French text is full of.
 */
const WINDOWS_1252_80_9F = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';
const WINDOWS_1252: TextDecoding = {
  encoding: 'windows-1252',
  decode: (bytes) =>
    Buffer.from(bytes)
      .toString('latin1')
      .replace(/[\u0080-\u009f]/g, (control) => WINDOWS_1252_80_9F.charAt(control.charCodeAt(0) - 0x80)),
};

/** Western single-byte charsets, in which text is seldom also valid UTF-8 (`Ã©` for `é`). */
const SINGLE_BYTE = /^(?:windows-125\d|iso-8859-\d+)$/;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes that are valid UTF-8 read as UTF-8 though the label says otherwise: PHP stacks often declare ISO-8859-1 by
 * default over UTF-8 text, whose `é` would otherwise read `Ã©`. Latin-1 text with an accent is not valid UTF-8.
 */
function utf8First(declared: TextDecoding): TextDecoding {
  return {
    encoding: declared.encoding,
    decode(bytes) {
      try {
        return STRICT_UTF8.decode(bytes);
      } catch {
        return declared.decode(bytes);
      }
    },
  };
}

/**
 * A url-encoded form in a charset other than UTF-8, as the same form in UTF-8: its percent-escapes are that charset's
 * bytes, which URLSearchParams would read as UTF-8.
 */
export function formInUtf8(body: Buffer, decoder: TextDecoding): string {
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
function decodeComponent(component: string, decoder: TextDecoding): string {
  const bytes = Buffer.from(
    component
      .replace(/\+/g, ' ')
      .replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    'latin1',
  );
  return decoder.decode(bytes);
}
