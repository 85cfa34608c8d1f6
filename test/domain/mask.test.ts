import { describe, expect, it } from 'vitest';
import { maskEmail, maskPhone } from '../../src/domain/mask.js';

describe('maskEmail', () => {
  it.each([
    ['jean.dupont@example.com', 'j•••@example.com'],
    ['a@b.fr', 'a•••@b.fr'],
    ['élodie@exemple.fr', 'é•••@exemple.fr'],
    ['😀x@example.com', '😀•••@example.com'],
    ['"odd@local"@example.com', '"•••@example.com'],
    ['not-an-email', '•••'],
  ])('masks %j as %j', (email, masked) => {
    expect(maskEmail(email)).toBe(masked);
  });
});

describe('maskPhone', () => {
  it.each([
    ['0612345678', '•• •• •• 56 78'],
    ['0123456789', '•• •• •• 67 89'],
    ['+447400123456', '•••• 3456'],
    ['+12015550123', '•••• 0123'],
    // Not a French national number (11 digits): its last 4 only, not its pairs and what follows.
    ['06123456789', '•••• 6789'],
  ])('masks %s as %j', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });
});
