import type { CertificateRefusal } from '../http/transport-errors.js';
import type { Locale } from './locale.js';

/** What the built-in sandbox's payment pages say, in the customer's language. */
export interface SandboxTexts {
  title: string;
  /** Says plainly that nothing is real, on every page. */
  banner: string;
  heading: string;
  amount: string;
  reference: string;
  customer: string;
  pay: string;
  refuse: string;
  /** Shown instead of the buttons once the notification for a decision reached paylink. */
  decided: Record<'pay' | 'refuse', string>;
  unknownLinkHeading: string;
  unknownLinkBody: string;
  expiredLinkHeading: string;
  expiredLinkBody: string;
  /** The notification did not reach paylink, which surely did not keep it: the page offers both buttons again. */
  notificationFailed: (reason: string) => string;
  /** paylink may have kept it: the same one may be sent again, which paylink takes once. */
  notificationUnconfirmed: (reason: string) => string;
  noAnswer: (origin: string) => string;
  paylinkAnswered: (status: number) => string;
  unreachable: (origin: string) => string;
  /** Node refused PAYLINK_PUBLIC_URL's certificate: why, and what mends it. */
  certificateRefused: Record<CertificateRefusal, (origin: string, code: string) => string>;
}

export const SANDBOX_TEXTS: Record<Locale, SandboxTexts> = {
  fr: {
    title: 'SAFEDEBIT SANDBOX — Paiement',
    banner:
      'SANDBOX\u00A0: aucun argent ne circule. Payer ou refuser envoie à paylink la notification que SAFEDEBIT enverrait.',
    heading: 'Demande de paiement',
    amount: 'Montant',
    reference: 'Référence du paiement',
    customer: 'Client',
    pay: 'Payer',
    refuse: 'Refuser',
    decided: { pay: 'Ce paiement a été effectué.', refuse: 'Ce paiement a été refusé.' },
    unknownLinkHeading: 'Lien de paiement inconnu',
    unknownLinkBody:
      'Ce lien SANDBOX n’existe pas, ou paylink a redémarré depuis sa création (le bac à sable garde ses liens en mémoire).',
    expiredLinkHeading: 'Lien de paiement expiré',
    expiredLinkBody:
      'Ce lien SANDBOX a expiré\u00A0: il ne peut plus être payé ni refusé. Demandez un nouveau lien à votre interlocuteur.',
    notificationFailed: (reason) =>
      `Le bac à sable n’a pas pu prévenir paylink (${reason}). Rien n’a été enregistré\u00A0: vous pouvez réessayer.`,
    notificationUnconfirmed: (reason) =>
      `paylink n’a pas confirmé avoir reçu la notification (${reason})\u00A0: elle apparaît peut-être déjà dans Slack. Vous pouvez la renvoyer, paylink ne la prend qu’une fois.`,
    paylinkAnswered: (status) => `paylink a répondu HTTP ${status}`,
    noAnswer: (origin) => `pas de réponse complète de ${origin}`,
    unreachable: (origin) => `${origin} injoignable`,
    certificateRefused: {
      unknown_authority: (origin, code) =>
        `paylink ne se fie pas au certificat de ${origin} (${code})\u00A0: donnez à Node son autorité de certification avec NODE_EXTRA_CA_CERTS`,
      expired: (origin, code) => `le certificat de ${origin} a expiré (${code})\u00A0: il est à renouveler`,
      not_yet_valid: (origin, code) =>
        `le certificat de ${origin} n’est pas encore valide (${code})\u00A0: vérifiez l’horloge de cette machine`,
      other_name: (origin, code) =>
        `le certificat de ${origin} est pour un autre nom (${code})\u00A0: PAYLINK_PUBLIC_URL doit nommer un hôte pour lequel il est fait`,
    },
  },
  en: {
    title: 'SAFEDEBIT SANDBOX — Payment',
    banner: 'SANDBOX: no money moves. Paying or refusing sends paylink the notification SAFEDEBIT would.',
    heading: 'Payment request',
    amount: 'Amount',
    reference: 'Payment reference',
    customer: 'Customer',
    pay: 'Pay',
    refuse: 'Refuse',
    decided: { pay: 'This payment was made.', refuse: 'This payment was refused.' },
    unknownLinkHeading: 'Unknown payment link',
    unknownLinkBody:
      'This SANDBOX link does not exist, or paylink has restarted since it was made (the sandbox keeps its links in memory).',
    expiredLinkHeading: 'Payment link expired',
    expiredLinkBody:
      'This SANDBOX link has expired: it can no longer be paid or refused. Ask your contact for a new link.',
    notificationFailed: (reason) =>
      `The sandbox could not notify paylink (${reason}). Nothing was recorded: you can try again.`,
    notificationUnconfirmed: (reason) =>
      `paylink did not confirm it took the notification (${reason}): it may show in Slack already. You may send it again, paylink takes it once.`,
    paylinkAnswered: (status) => `paylink answered HTTP ${status}`,
    noAnswer: (origin) => `no complete answer from ${origin}`,
    unreachable: (origin) => `${origin} could not be reached`,
    certificateRefused: {
      unknown_authority: (origin, code) =>
        `paylink does not trust the certificate of ${origin} (${code}): give Node its certificate authority with NODE_EXTRA_CA_CERTS`,
      expired: (origin, code) => `the certificate of ${origin} has expired (${code}): it is to be renewed`,
      not_yet_valid: (origin, code) =>
        `the certificate of ${origin} is not valid yet (${code}): check this machine's clock`,
      other_name: (origin, code) =>
        `the certificate of ${origin} is for another name (${code}): PAYLINK_PUBLIC_URL must name a host it is for`,
    },
  },
};
