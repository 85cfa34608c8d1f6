import { describe, expect, it } from 'vitest';
import type { ValidatedPaymentForm } from '../../src/domain/payment-form.js';
import { buildPaymentLinkRequest, type LinkRequestSettings } from '../../src/safedebit/link-request.js';
import { paymentLinkRequestSchema } from '../../src/safedebit/request.js';

const form: ValidatedPaymentForm = {
  amountCents: 125050,
  payment_reference: 'F-2026-031',
  consumer_reference: 'CUST-42',
  consumer_email: 'jean.dupont@example.com',
  consumer_phone_number: '0612345678',
  consumer_zip_code: '01000',
  consumer_city: undefined,
  consumerType: undefined,
  smsOption: 0,
  emailOption: 1,
  paymentType: 'now',
  paymentLang: 'fr',
};

const settings: LinkRequestSettings = {
  beneficiaryReference: 'BENEF-0001',
  callbackUrl: 'https://paylink.example.com/cb/token',
  publicUrl: 'https://paylink.example.com',
  config: { merchantFields: {} },
};

describe('buildPaymentLinkRequest', () => {
  it('sends the form under the names of the documentation, and nothing it left empty', () => {
    const request = buildPaymentLinkRequest(form, settings);
    expect(request).toEqual({
      beneficiary_reference: 'BENEF-0001',
      amount: '125050',
      payment_reference: 'F-2026-031',
      consumer_reference: 'CUST-42',
      consumer_email: 'jean.dupont@example.com',
      consumer_phone_number: '0612345678',
      consumer_zip_code: '01000',
      url_callback: 'https://paylink.example.com/cb/token',
      sms_option: 0,
      email_option: 1,
      pay_now: true,
      payment_lang: 'fr',
      manual_redirect_url: 'https://paylink.example.com/thanks?lang=fr',
    });
    expect(paymentLinkRequestSchema.parse(request)).toEqual(request);
  });

  it('sends the merchant’s PAYLINK_REDIRECT_URL as is, else paylink’s thank-you page in the customer’s language', () => {
    const merchant = { ...settings, config: { ...settings.config, redirectUrl: 'https://www.merchant.example/merci' } };
    expect(buildPaymentLinkRequest(form, merchant).manual_redirect_url).toBe('https://www.merchant.example/merci');
    expect(buildPaymentLinkRequest({ ...form, paymentLang: 'en' }, settings).manual_redirect_url).toBe(
      'https://paylink.example.com/thanks?lang=en',
    );
  });

  it.each([
    ['now', 'pay_now'],
    ['multi', 'multi_pay'],
    ['later', 'pay_later'],
  ] as const)('sends the payment type %s as %s: true, and no other flag', (paymentType, flag) => {
    const request = buildPaymentLinkRequest({ ...form, paymentType }, settings);
    const flags = { pay_now: request.pay_now, multi_pay: request.multi_pay, pay_later: request.pay_later };
    expect(flags).toEqual({ pay_now: undefined, multi_pay: undefined, pay_later: undefined, [flag]: true });
    expect(JSON.stringify(request)).toContain(`"${flag}":true`);
  });

  it('sends the customer language as payment_lang', () => {
    expect(buildPaymentLinkRequest({ ...form, paymentLang: 'en' }, settings).payment_lang).toBe('en');
  });

  it('sends link_duration as the configured number, whether or not its unit is declared', () => {
    for (const linkDuration of [{ value: 30 }, { value: 30, unit: 'days' as const }]) {
      const request = buildPaymentLinkRequest(form, { ...settings, config: { ...settings.config, linkDuration } });
      expect(request.link_duration).toBe(30);
    }
  });

  it("adds the merchant's fields", () => {
    const merchantFields = { payment_scenario: 'SCEN-1', shop_id: 'S1' };
    const request = buildPaymentLinkRequest(form, { ...settings, config: { ...settings.config, merchantFields } });
    expect(request).toMatchObject(merchantFields);
  });
});
