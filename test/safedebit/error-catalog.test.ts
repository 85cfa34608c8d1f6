import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../src/i18n/locale.js';
import { describeRefusal, REFUSAL_CATALOG } from '../../src/safedebit/error-catalog.js';

const SLACK_INPUT_HINT_MAX = 150;

describe('describeRefusal', () => {
  it.each(['AUTH_001', 'AUTH_002', 'AUTH_003', 'AUTH_004', 'AUTH_005'])(
    '%s is a configuration problem the rep hands to the admin',
    (code) => {
      const refusal = describeRefusal({ code: code }, 'fr');
      expect(refusal.configurationProblem).toBe(true);
      expect(refusal.field).toBeUndefined();
      expect(refusal.message).toBe(
        `Accès SAFEDEBIT mal configuré\u00A0: aucun lien n'a été créé, prévenez l'administrateur de l'application (${code}).`,
      );
      expect(refusal.adminDetail).toContain(`(${code})`);
    },
  );

  it('tells the admin which setting AUTH_001 and AUTH_002 are about', () => {
    expect(describeRefusal({ code: 'AUTH_001' }, 'en').adminDetail).toBe(
      'SAFEDEBIT refused the login (AUTH_001): check SAFEDEBIT_LOGIN',
    );
    expect(describeRefusal({ code: 'AUTH_002' }, 'en').adminDetail).toBe(
      'SAFEDEBIT refused the password (AUTH_002): check SAFEDEBIT_PASSWORD',
    );
  });

  it('puts EXIST_005 under the payment reference', () => {
    expect(describeRefusal({ code: 'EXIST_005' }, 'fr')).toEqual({
      field: 'payment_reference',
      message: 'Cette référence de paiement a déjà été utilisée\u00A0: saisissez-en une nouvelle (EXIST_005).',
      configurationProblem: false,
    });
    expect(describeRefusal({ code: 'EXIST_005' }, 'en').message).toBe(
      'This payment reference has already been used: enter a new one (EXIST_005).',
    );
  });

  it.each(['EXIST_001', 'EXIST_002'])('puts %s under the customer reference', (code) => {
    const refusal = describeRefusal({ code: code }, 'en');
    expect(refusal.field).toBe('consumer_reference');
    expect(refusal.configurationProblem).toBe(false);
  });

  it('treats EXIST_004 as configuration: the beneficiary reference is a setting', () => {
    const refusal = describeRefusal({ code: 'EXIST_004' }, 'en');
    expect(refusal.configurationProblem).toBe(true);
    expect(refusal.adminDetail).toContain('SAFEDEBIT_BENEFICIARY_REFERENCE');
  });

  it('still shows an unknown code to the rep', () => {
    expect(describeRefusal({ code: 'PAY_042' }, 'fr')).toEqual({
      message: 'Code SAFEDEBIT inconnu de paylink, à citer à son support (PAY_042).',
      configurationProblem: false,
    });
    expect(describeRefusal({ code: 'PAY_042' }, 'en').message).toBe(
      'SAFEDEBIT code unknown to paylink, to quote to its support (PAY_042).',
    );
  });

  it('does not mistake Object.prototype members for catalog entries', () => {
    expect(describeRefusal({ code: 'constructor' }, 'en').message).toBe(
      'SAFEDEBIT code unknown to paylink, to quote to its support (constructor).',
    );
  });

  it("shows SAFEDEBIT's words alone when it gives no code, under the field they name", () => {
    expect(describeRefusal({ message: 'Le champ consumer_email est invalide' }, 'fr')).toEqual({
      field: 'consumer_email',
      message: '«\u00A0Le champ consumer_email est invalide\u00A0»',
      configurationProblem: false,
    });
    expect(describeRefusal({ message: 'Invalid SIREN, then payment_reference too' }, 'en')).toEqual({
      field: 'siren',
      message: '“Invalid SIREN, then payment_reference too”',
      configurationProblem: false,
    });
  });

  it.each([
    ['payment_lang invalide : valeurs acceptées fr_FR, en_US', 'payment_lang'],
    ['consumer_type invalide', 'consumer_type'],
    ['sms_option non autorisé pour ce compte', 'delivery'],
    ['Option email_option indisponible', 'delivery'],
    ['multi_pay non disponible', 'payment_type'],
  ])('puts words naming a choice of the form, %j, under that choice', (message, field) => {
    expect(describeRefusal({ code: 'PARAM_001', message }, 'fr').field).toBe(field);
  });

  it('names no field when the words name none of the form', () => {
    const refusal = describeRefusal({ message: 'beneficiary_reference inconnue (consumer_emails)' }, 'fr');
    expect(refusal.field).toBeUndefined();
    expect(refusal.configurationProblem).toBe(false);
    // Form fields inside a longer name: `_` belongs to the name, before and after.
    expect(describeRefusal({ message: 'payment_reference_label invalide' }, 'fr').field).toBeUndefined();
  });

  it("puts a known code that is no field's under the field SAFEDEBIT's words name", () => {
    const refusal = describeRefusal(
      { code: 'EXIST_003', message: 'Mandat déjà utilisé pour consumer_reference' },
      'fr',
    );
    expect(refusal).toMatchObject({ field: 'consumer_reference', configurationProblem: false });
    expect(describeRefusal({ code: 'EXIST_003' }, 'fr').field).toBeUndefined();
  });

  it("adds SAFEDEBIT's words after the description of a code", () => {
    expect(describeRefusal({ code: 'EXIST_005', message: 'Référence déjà utilisée' }, 'fr')).toEqual({
      field: 'payment_reference',
      message:
        'Cette référence de paiement a déjà été utilisée\u00A0: saisissez-en une nouvelle (EXIST_005). SAFEDEBIT\u00A0: «\u00A0Référence déjà utilisée\u00A0»',
      configurationProblem: false,
    });
    expect(describeRefusal({ code: 'PAY_042', message: 'consumer_zip_code must be an integer' }, 'en')).toEqual({
      field: 'consumer_zip_code',
      message:
        'SAFEDEBIT code unknown to paylink, to quote to its support (PAY_042). SAFEDEBIT: “consumer_zip_code must be an integer”',
      configurationProblem: false,
    });
    const auth = describeRefusal({ code: 'AUTH_002', message: 'Bad password for consumer_email' }, 'en');
    expect([auth.field, auth.configurationProblem]).toEqual([undefined, true]);
  });

  it('puts their words on one line, without invisible characters, cut short', () => {
    const { message } = describeRefusal({ message: `Ligne 1\n\tLigne\u200B 2 ${'x'.repeat(300)}` }, 'fr');
    expect(message).toMatch(/^«\u00A0Ligne 1 Ligne 2 x+…\u00A0»$/);
    expect(Array.from(message).length).toBe(150 + 4);
  });

  it('keeps every message short enough for a Slack input, even for an absurdly long code', () => {
    const codes = [...Object.keys(REFUSAL_CATALOG), 'X'.repeat(500)];
    for (const locale of LOCALES) {
      for (const code of codes) {
        const { message } = describeRefusal({ code: code }, locale);
        expect(message.length).toBeLessThanOrEqual(SLACK_INPUT_HINT_MAX);
        expect(message).toMatch(/ \([^()]+\)\.$/);
      }
    }
  });
});
