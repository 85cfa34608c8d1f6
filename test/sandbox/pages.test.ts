import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildPaymentPage,
  buildUnknownLinkPage,
  describeCustomer,
  sandboxPagePolicy,
} from '../../src/sandbox/pages.js';
import { validRequest } from '../safedebit/fixtures.js';

const PAGE = { locale: 'en', amountCents: '125050', reference: 'F-1', customer: 'Jean Dupont · C-1' } as const;

describe('sandbox pages', () => {
  it('the policy names the pages’ one style sheet by its hash, so that it alone applies', () => {
    for (const page of [buildPaymentPage(PAGE), buildUnknownLinkPage('fr')]) {
      const style = /<style>([^<]*)<\/style>/.exec(page)?.[1] ?? '';
      const hash = createHash('sha256').update(style).digest('base64');
      expect(sandboxPagePolicy()).toContain(`style-src 'sha256-${hash}'`);
    }
    expect(sandboxPagePolicy()).toContain("form-action 'self';");
    expect(sandboxPagePolicy('https://merchant.example')).toContain("form-action 'self' https://merchant.example;");
  });

  it('whatever the request says, its text stays text', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (reference, customer) => {
        const page = buildPaymentPage({ ...PAGE, reference, customer });
        const shown = [...page.matchAll(/<dd>([^<]*)<\/dd>/g)].map((match) => match[1]);
        expect(shown).toHaveLength(3);
        expect(page.match(/<form /g)).toHaveLength(1);
      }),
    );
  });

  it('shows a decision instead of the buttons, and a problem above them', () => {
    expect(buildPaymentPage({ ...PAGE, decision: 'pay' })).toContain('<p>This payment was made.</p>');
    expect(buildPaymentPage({ ...PAGE, decision: 'pay' })).not.toContain('<form');
    const failed = buildPaymentPage({ ...PAGE, problem: 'paylink said <no>' });
    expect(failed).toContain('<p class="problem" role="alert">paylink said &lt;no&gt;</p><form method="post">');
  });

  it('an amount past what a double holds is shown as its cents, not rounded', () => {
    expect(buildPaymentPage({ ...PAGE, amountCents: '999999999999999999' })).toContain('<dd>999999999999999999 c</dd>');
  });

  it.each([
    ['a person', { consumer_first_name: 'Jean', consumer_last_name: 'Dupont' }, 'Jean Dupont · CLI-0042'],
    [
      'a company',
      { consumer_type: 1 as const, social_reference: 'ACME SA', consumer_first_name: 'Jean' },
      'ACME SA · CLI-0042',
    ],
    ['a company without its name', { consumer_type: 1 as const, consumer_last_name: 'Dupont' }, 'Dupont · CLI-0042'],
    ['nobody named', {}, 'CLI-0042'],
  ])('describes %s', (_label, fields, expected) => {
    expect(describeCustomer(validRequest(fields))).toBe(expected);
  });
});
