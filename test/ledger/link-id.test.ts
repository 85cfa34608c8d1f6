import { describe, expect, it } from 'vitest';
import { isLinkId } from '../../src/callback/token.js';
import { newLinkId } from '../../src/ledger/ledger.js';

describe('newLinkId', () => {
  it('is a ledger id a spreadsheet shows as written: never starting with - (a formula) or _', () => {
    // base64url starts 1 id in 32 with one of them; the export would then write `'-…`, matching no log line.
    const ids = Array.from({ length: 2000 }, newLinkId);
    for (const id of ids) {
      expect(isLinkId(id), id).toBe(true);
      expect(id, id).toMatch(/^[A-Za-z0-9]/);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
