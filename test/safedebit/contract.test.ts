import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PaymentFormInput, validatePaymentForm } from '../../src/domain/payment-form.js';
import { createSafedebitClient, type SafedebitClient } from '../../src/safedebit/client.js';
import { buildPaymentLinkRequest, type LinkRequestSettings } from '../../src/safedebit/link-request.js';
import type { ContractReading } from '../support/safedebit-contract.js';
import { type SafedebitStandin, startSafedebitStandin } from '../support/safedebit-standin.js';
import { LOGIN, PASSWORD } from './fixtures.js';

/**
 * What paylink really sends, from a form through validatePaymentForm and buildPaymentLinkRequest, to a stand-in that
 * checks the French contract's table (test/support/safedebit-contract.ts), for every combination the form allows.
 */

const settings: LinkRequestSettings = {
  beneficiaryReference: '395579987182558',
  callbackUrl: `https://paylink.example.com/cb/${'A'.repeat(39)}`,
  publicUrl: 'https://paylink.example.com',
  config: {
    merchantFields: { payment_scenario: 'SCENARIO-1', merchant_id: 'M1', shop_id: 'S1', shop_reference: 'SR1' },
    linkDuration: { value: 5_256_000, unit: 'minutes' },
  },
};

let sequence = 0;
function form(overrides: Partial<PaymentFormInput> = {}): PaymentFormInput {
  sequence += 1;
  return {
    amount: '1 250,50 €',
    payment_reference: `F-2026-${sequence}`,
    consumer_reference: 'CLI-0042',
    consumer_email: 'jeanne@example.com',
    consumer_phone_number: '06 12 34 56 78',
    delivery: ['sms', 'email'],
    ...overrides,
  };
}

/** The longest each field the form takes, in accented letters: what a French rep may well type. */
const FULL_ACCENTED: Partial<PaymentFormInput> = {
  consumer_first_name: 'Marie-Hélène-Éva',
  consumer_last_name: 'Lefèvre-Bézières',
  consumer_address_street_number: '12 bis à 14 ter',
  consumer_address_street_name: 'Allée des Peupliers Rouges du Château de la Forêt d’Écouves, bâtiment ',
  consumer_zip_code: '01000',
  consumer_city: 'Saint-Rémy-de-Provence-sur-Durançe',
  reference_label: `Facture n°31 — ${'é'.repeat(200)}`,
};
const COMPANY: Partial<PaymentFormInput> = {
  consumer_type: 'company',
  social_reference: 'Société Générale d’Études Écon.',
  siren: '732 829 320',
  tva_interco: 'FR 44 732 829 320',
};

const standins: SafedebitStandin[] = [];
const clients: SafedebitClient[] = [];
async function sendThrough(input: PaymentFormInput, reading?: Partial<ContractReading>) {
  const validated = validatePaymentForm(input, {
    maxCents: 99_999_999_99,
    paymentTypes: ['now', 'multi', 'later'],
    defaultLang: 'fr',
  });
  if (!validated.ok) throw new Error(`the form refused it: ${JSON.stringify(validated.problems)}`);
  const standin = await startSafedebitStandin({ login: LOGIN, password: PASSWORD, ...(reading ? { reading } : {}) });
  standins.push(standin);
  const client = createSafedebitClient({
    baseUrl: standin.url,
    login: LOGIN,
    password: PASSWORD,
    timeoutMs: 2_000,
    userAgent: 't',
  });
  clients.push(client);
  return client.createPaymentLink(buildPaymentLinkRequest(validated.value, settings));
}

beforeAll(() => {
  sequence = 0;
});
afterAll(async () => {
  await Promise.all([...clients, ...standins].map((each) => each.close()));
});

describe('what paylink sends keeps to the French contract', () => {
  const customers = [['individual'], ['company'], [undefined]] as const;
  const types = ['now', 'multi', 'later'] as const;
  const deliveries = [[], ['sms'], ['email'], ['sms', 'email']] as Array<Array<'sms' | 'email'>>;
  const cases = customers.flatMap(([customer]) =>
    types.flatMap((type) =>
      deliveries.map((delivery) => [customer ?? 'unsaid', type, delivery.join('+') || 'none'] as const),
    ),
  );
  it.each(cases)('a %s customer, pay %s, delivered by %s', async (customer, type, delivery) => {
    const outcome = await sendThrough(
      form({
        ...FULL_ACCENTED,
        ...(customer === 'company' ? COMPANY : customer === 'individual' ? { consumer_type: 'individual' } : {}),
        payment_type: type,
        payment_lang: type === 'multi' ? 'en' : 'fr',
        delivery: delivery === 'none' ? [] : (delivery.split('+') as Array<'sms' | 'email'>),
      }),
    );
    expect(outcome).toMatchObject({ kind: 'link' });
  });

  it.each([
    ['a landline, link by email only', { consumer_phone_number: '01 23 45 67 89', delivery: ['email'] }],
    ['a foreign mobile', { consumer_phone_number: '+44 7400 123456' }],
    ['an overseas French mobile', { consumer_phone_number: '0692 12 34 56' }],
    ['the largest amount', { amount: '99 999 999,99' }],
  ] as const)('%s', async (_name, overrides) => {
    const outcome = await sendThrough(
      form({ ...overrides, delivery: 'delivery' in overrides ? ['email'] : ['sms', 'email'] }),
    );
    expect(outcome).toMatchObject({ kind: 'link' });
  });
});

/**
 * The contract does not say how `String - N` counts, nor what a "Téléphone portable" must look like. Read the stricter
 * way, SAFEDEBIT would refuse these, naming the field: what paylink would meet (the rep reading the refusal under it).
 */
describe('readings the contract leaves open', () => {
  it('String - N counted in UTF-8 bytes: accented names at the form’s limit are refused', async () => {
    const outcome = await sendThrough(form({ consumer_first_name: 'Marie-Hélène-Éva' }), { lengthIn: 'bytes' });
    expect(outcome).toMatchObject({ kind: 'refusal', code: 'SANDBOX_INVALID_CONSUMER_FIRST_NAME' });
  });
  it('"Téléphone portable" read strictly: a landline with a link by email only is refused', async () => {
    const input = form({ consumer_phone_number: '01 23 45 67 89', delivery: ['email'] });
    const outcome = await sendThrough(input, { phone: 'mobile' });
    expect(outcome).toMatchObject({ kind: 'refusal', code: 'SANDBOX_INVALID_CONSUMER_PHONE_NUMBER' });
  });
  it('the example’s national 10 digits: foreign and overseas numbers, sent in E.164, are refused', async () => {
    const outcome = await sendThrough(form({ consumer_phone_number: '0692 12 34 56' }), { phone: 'national' });
    expect(outcome).toMatchObject({ kind: 'refusal', code: 'SANDBOX_INVALID_CONSUMER_PHONE_NUMBER' });
  });
});
