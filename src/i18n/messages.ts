import { SLASH_COMMAND } from '../constants.js';
import type { PaymentType } from '../domain/payment-type.js';
import type { Locale } from './locale.js';

/** Everything the rep reads in Slack, in both languages; a missing sentence is a type error. */
export interface Messages {
  modalTitle: string;
  sandboxModalTitle: string;
  submit: string;
  close: string;
  sandboxBanner: string;
  fields: Record<
    | 'amount'
    | 'payment_reference'
    | 'consumer_reference'
    | 'consumer_email'
    | 'consumer_phone_number'
    | 'consumer_first_name'
    | 'consumer_last_name'
    | 'reference_label'
    | 'consumer_type'
    | 'social_reference'
    | 'siren'
    | 'tva_interco'
    | 'consumer_address_street_number'
    | 'consumer_address_street_name'
    | 'consumer_zip_code'
    | 'consumer_city'
    | 'delivery'
    | 'payment_type'
    | 'payment_lang',
    { label: string; hint?: string; placeholder?: string }
  >;
  consumerTypes: { individual: string; company: string };
  paymentTypes: Record<PaymentType, string>;
  deliveries: { sms: string; email: string };
  addressHeader: string;
  creatingTitle: string;
  creatingText: (amount: string, reference: string) => string;
  createdTitle: string;
  createdText: (amount: string, reference: string) => string;
  createdWhere: (place: string) => string;
  /** Posted where the rep asked, their own DM with paylink. */
  createdInAppDirectMessage: string;
  createdInDirectMessage: string;
  createdSentPrivately: string;
  createdOnlyHere: string;
  /** Not posted, where else it went unknown (a repeated submission shows the first one's outcome again). */
  createdNotPosted: string;
  openLink: string;
  refusedBanner: (message: string) => string;
  outageBanner: string;
  /**
   * An outage told to a rep whose modal, and so the form, is gone: the command again with the same reference is safe.
   * `askAgain`: the command, or where it came from, the message shortcut (`askFromMessage`).
   */
  outageFormGone: (askAgain: string) => string;
  /** The message shortcut, for a rep who asked from a message (slash commands do not run in threads). */
  askFromMessage: string;
  /** In the modal: SAFEDEBIT's answer was lost, but a notification that came meanwhile shows the link exists. */
  outageLinkExists: string;
  /** A refusal shown again (the submission delivered twice) that came without a code: its words are not kept. */
  refusedWithoutCode: string;
  /** A refusal told late with no code, the form long gone (`askAgain`: the command, or the message shortcut). */
  refusedReasonLost: (askAgain: string) => string;
  /** After a refusal's reason, told late: how to ask again once it is fixed. */
  askAgainOnceFixed: (askAgain: string) => string;
  /**
   * EXIST_005 when paylink knows the earlier link: the one it made, the one it made that expired unpaid (SAFEDEBIT
   * keeps its reference, so a new link needs another), or one a try with no answer made after all.
   */
  referenceHeld: {
    made: (when: string, user: string) => string;
    expired: (when: string, user: string, expired: string) => string;
    /**
     * Its payment was decided (`status`: its furthest status in words, `since`: when it came). A refund may be still to
     * come (`TOREMBOURSE`, `WAITINGREMBOURSE`): `refunded` does not say it was made.
     */
    decided: Record<
      'paid' | 'failed' | 'refunded',
      (when: string, user: string, status: string, since: string) => string
    >;
    /** A `multi_pay` link with a part paid: no notification says whether the whole amount was. */
    multiPayBegun: (when: string, user: string, status: string, since: string) => string;
    unanswered: (when: string) => string;
  };
  ledgerUnavailable: string;
  /** The ledger failing, told to a rep whose modal, and so the form, is gone. */
  ledgerUnavailableFormGone: (askAgain: string) => string;
  requestFailed: string;
  notAllowedUser: string;
  /** To a member of another organization, in a Slack Connect channel shared with the workspace paylink serves. */
  notAllowedOtherOrganization: string;
  /**
   * `channels`: the allowed conversations a rep can be sent to, as mentions (`<#C…>`), none when there is none to name;
   * `more`: others were left out.
   */
  notAllowedChannel: (channels: readonly string[], more?: boolean) => string;
  /** Under an amount pre-filled from `/paylink 50 123`, which also reads as 50 € and a reference: how it was read. */
  amountReadGrouped: (amount: string) => string;
  /** Above a form drawn again because the payment types offered changed since it was opened. */
  paymentTypesChanged: string;
  /** Above a form sent for a company while it showed none of the company's fields: drawn again with them. */
  companyDetailsBack: string;
  /**
   * In a status reply of a `multi_pay` link, in place of its amount: each payment of it may be one part, so two
   * "Paid" lines must not read as twice the amount; without the amount, in its status line.
   */
  towardsMultiplePayment: (amount?: string) => string;
  /** Slack opened the form too late: asking again (`askAgain`: the command, or the message shortcut) helps. */
  triggerExpired: (askAgain: string) => string;
  /** Slack, rate limiting paylink or failing, could not open the form within the trigger's life: ask again shortly. */
  slackBusy: (askAgain: string) => string;
  /**
   * Under a status sent to the rep because the link's thread in `conversation` no longer takes replies, or because Slack
   * did not take its summary there: a channel's mention, or one of the two below for a DM, which Slack shows as no
   * mention.
   */
  statusThreadClosed: (reference: string, conversation: string) => string;
  statusWithoutSummary: (reference: string, conversation: string) => string;
  appDirectMessage: string;
  directMessageAsked: string;
  /** Slack refused paylink's token (revoked, app uninstalled) or a scope: retrying cannot help, an admin must act. */
  slackRefusedApp: string;
  formUnusable: (command: string) => string;
  help: (command: string) => string;
  summaryTitle: string;
  summaryAmount: string;
  summaryReference: string;
  summaryPaymentType: string;
  summaryCustomer: string;
  summaryContact: string;
  summaryDelivery: string;
  summaryRequestedBy: string;
  summaryExpires: string;
  deliveryNone: string;
  /** The summary's delivery when SAFEDEBIT sends the link both ways (one way: `deliveries`). */
  deliveryBoth: string;
  linkReply: (link: string) => string;
  /** The first reply under a link confirmed by a notification, by why its address never reached paylink. */
  linkAddressUnknown: Record<'interrupted' | 'outage', string>;
  statusAwaiting: string;
  fallbackDm: (channel: string) => string;
  /** The same, asked in a DM between people, which no bot can join. */
  fallbackDmFromDirectMessage: string;
  /** What became of a link, sent to the rep when the modal that would have shown it is gone. */
  outcomeOfLink: (amount: string, reference: string, outcome: string) => string;
}

const fr: Messages = {
  modalTitle: 'Lien de paiement',
  sandboxModalTitle: 'Lien de paiement SANDBOX',
  submit: 'Créer le lien',
  close: 'Fermer',
  sandboxBanner: ':test_tube: *SANDBOX* — les liens viennent du bac à sable intégré, aucun paiement réel.',
  fields: {
    amount: { label: 'Montant (€)', hint: 'Par exemple 1\u202F250,50 ou 1250.50', placeholder: '1\u202F250,50' },
    payment_reference: { label: 'Référence du paiement', hint: 'Numéro de facture ou de commande, unique' },
    consumer_reference: { label: 'Référence client', hint: 'Votre identifiant pour ce client' },
    consumer_email: { label: 'E-mail du client' },
    consumer_phone_number: {
      label: 'Mobile du client',
      hint: '06\u00A012\u00A034\u00A056\u00A078 ou +44\u00A07400\u00A0123456',
    },
    consumer_first_name: { label: 'Prénom' },
    consumer_last_name: { label: 'Nom' },
    reference_label: { label: 'Libellé du paiement', hint: 'Ce que le client verra sur la page de paiement' },
    consumer_type: { label: 'Type de client' },
    social_reference: { label: 'Raison sociale' },
    siren: { label: 'SIREN', hint: '9 chiffres, par exemple 732\u00A0829\u00A0320' },
    tva_interco: {
      label: 'TVA intracommunautaire',
      hint: "Code pays de l'UE puis le numéro, par exemple FR44732829320 ou DE136695976",
    },
    consumer_address_street_number: { label: 'N° de rue' },
    consumer_address_street_name: { label: 'Rue' },
    consumer_zip_code: { label: 'Code postal', hint: 'Chiffres seulement\u00A0: 5 en France, par exemple 01000' },
    consumer_city: { label: 'Ville' },
    delivery: { label: 'Envoi par SAFEDEBIT', hint: 'SAFEDEBIT envoie lui-même le lien au client' },
    payment_type: { label: 'Type de paiement' },
    payment_lang: { label: 'Langue du client', hint: 'Celle de la page de paiement' },
  },
  consumerTypes: { individual: 'Particulier', company: 'Société' },
  // SAFEDEBIT's own words for pay_now, multi_pay and pay_later.
  paymentTypes: { now: 'Paiement comptant', multi: 'Paiement multiple', later: 'Paiement différé' },
  deliveries: { sms: 'Par SMS', email: 'Par e-mail' },
  addressHeader: 'Adresse (facultatif)',
  creatingTitle: 'Création en cours',
  creatingText: (amount, reference) => `:hourglass_flowing_sand: Création du lien de ${amount} (réf. ${reference})…`,
  createdTitle: 'Lien créé',
  createdText: (amount, reference) => `:white_check_mark: Lien de paiement de *${amount}* créé (réf. ${reference}).`,
  createdWhere: (place) => `Publié dans ${place}.`,
  createdInAppDirectMessage: 'Publié dans vos messages privés avec paylink.',
  createdInDirectMessage:
    'Je ne peux pas publier dans cette conversation\u00A0: le lien et son suivi sont dans vos messages privés avec paylink.',
  createdSentPrivately: "Le lien n'a pas pu être publié dans la conversation\u00A0: il vous a été envoyé en privé.",
  createdOnlyHere: "Le lien n'a pu être ni publié dans la conversation ni envoyé en privé\u00A0: copiez-le ici.",
  createdNotPosted: "Le lien n'a pas pu être publié dans la conversation\u00A0: copiez-le ici.",
  openLink: 'Ouvrir le lien',
  refusedBanner: (message) => `:no_entry: SAFEDEBIT a refusé le lien\u00A0: ${message}`,
  outageBanner:
    ":warning: SAFEDEBIT n'a pas répondu correctement\u00A0: *aucun lien à afficher*. Votre saisie est conservée, vous pouvez réessayer sans risque\u00A0: si un lien avait quand même été créé, SAFEDEBIT dira que la référence de paiement est déjà utilisée.",
  outageFormGone: (askAgain) =>
    `:warning: SAFEDEBIT n'a pas répondu correctement\u00A0: *aucun lien à afficher*. Vous pouvez relancer ${askAgain} sans risque avec cette même référence de paiement\u00A0: si un lien avait quand même été créé, SAFEDEBIT dira que la référence est déjà utilisée.`,
  referenceHeld: {
    made: (when, user) =>
      `paylink a déjà créé un lien pour cette référence le ${when}, à la demande de <@${user}>\u00A0: utilisez celui-là, ou saisissez une autre référence pour un autre paiement (EXIST_005).`,
    expired: (when, user, expired) =>
      `paylink a déjà créé un lien pour cette référence le ${when}, à la demande de <@${user}>, et il a expiré sans paiement le ${expired}. SAFEDEBIT garde sa référence\u00A0: saisissez-en une autre pour un nouveau lien (EXIST_005).`,
    decided: {
      paid: (when, user, status, since) =>
        `paylink a déjà créé un lien pour cette référence le ${when}, à la demande de <@${user}>, et il a été payé (${status}, le ${since}). Ne le faites pas payer deux fois\u00A0: pour un autre paiement, saisissez une autre référence (EXIST_005).`,
      failed: (when, user, status, since) =>
        `paylink a déjà créé un lien pour cette référence le ${when}, à la demande de <@${user}>, et son paiement n'a pas abouti (${status}, le ${since}). SAFEDEBIT garde sa référence\u00A0: saisissez-en une autre pour un nouveau lien (EXIST_005).`,
      refunded: (when, user, status, since) =>
        `paylink a déjà créé un lien pour cette référence le ${when}, à la demande de <@${user}>, et son paiement a été ou va être remboursé (${status}, le ${since}). SAFEDEBIT garde sa référence\u00A0: saisissez-en une autre pour un nouveau lien (EXIST_005).`,
    },
    multiPayBegun: (when, user, status, since) =>
      `paylink a déjà créé un lien pour cette référence le ${when}, à la demande de <@${user}>, et un paiement multiple a commencé dessus (${status}, le ${since}). Ne le faites pas payer deux fois\u00A0: pour un autre paiement, saisissez une autre référence (EXIST_005).`,
    unanswered: (when) =>
      `Un essai avec cette référence le ${when} est resté sans réponse de SAFEDEBIT, qui a pourtant créé ce lien\u00A0: n'en créez pas un second. Il est dans l'espace marchand SAFEDEBIT (EXIST_005).`,
  },
  refusedWithoutCode:
    ":no_entry: SAFEDEBIT a refusé le lien. Sa raison, affichée lors de sa réponse, n'a pas été conservée\u00A0: vérifiez le formulaire, puis réessayez.",
  refusedReasonLost: (askAgain) =>
    `:no_entry: SAFEDEBIT a refusé le lien, et sa raison n'a pas été conservée. Vérifiez les informations, puis relancez ${askAgain}.`,
  askAgainOnceFixed: (askAgain) => `Une fois ce point corrigé, relancez ${askAgain}.`,
  outageLinkExists:
    ":information_source: La réponse de SAFEDEBIT n'est pas parvenue correctement à paylink, mais SAFEDEBIT a depuis envoyé un statut pour ce lien\u00A0: *il existe*, ne le créez pas une seconde fois. Son récapitulatif est publié là où vous l'avez demandé (ou, si paylink ne peut pas y écrire, dans vos messages privés avec paylink)\u202F; son adresse est dans l'espace marchand SAFEDEBIT.",
  requestFailed:
    ":warning: paylink n'a pas pu préparer cette demande\u00A0: *aucun lien n'a été créé*. Prévenez l'administrateur de l'application.",
  ledgerUnavailable:
    ":warning: paylink n'a pas pu enregistrer la demande\u00A0: *aucun lien n'a été créé*. Votre saisie est conservée, réessayez dans un instant.",
  ledgerUnavailableFormGone: (askAgain) =>
    `:warning: paylink n'a pas pu enregistrer la demande\u00A0: *aucun lien n'a été créé*. Relancez ${askAgain} dans un instant.`,
  askFromMessage: 'le raccourci *Create payment link* (menu ⋮ du message)',
  notAllowedUser:
    "Vous n'êtes pas autorisé·e à créer des liens de paiement. Demandez l'accès à l'administrateur de l'application paylink.",
  notAllowedOtherOrganization:
    "paylink ne crée de liens de paiement que pour les membres de l'espace de travail où il est installé\u00A0: demandez le lien à votre interlocuteur chez eux.",
  notAllowedChannel: (channels, more = false) =>
    channels.length === 0
      ? "Les liens de paiement ne peuvent pas être créés dans cette conversation. Utilisez un canal autorisé par l'administrateur de l'application paylink."
      : channels.length === 1
        ? `Les liens de paiement ne peuvent pas être créés dans cette conversation. Utilisez ce canal\u00A0: ${channels[0]}.`
        : `Les liens de paiement ne peuvent pas être créés dans cette conversation. Utilisez l'un de ces canaux\u00A0: ${channels.join(', ')}${more ? '…' : '.'}`,
  paymentTypesChanged:
    ":warning: Les types de paiement proposés ont changé depuis l'ouverture de ce formulaire\u00A0: vérifiez-le, puis envoyez-le à nouveau.",
  companyDetailsBack:
    ':warning: Vérifiez les coordonnées de la société ci-dessous (le formulaire ne les montrait plus), puis envoyez-le à nouveau.',
  amountReadGrouped: (amount) =>
    `Lu comme ${amount}, l'espace séparant les milliers. Pour un montant plus petit suivi d'une référence, corrigez le montant et saisissez la référence dans son champ.`,
  towardsMultiplePayment: (amount) => (amount ? `sur un paiement multiple de ${amount}` : 'sur un paiement multiple'),
  triggerExpired: (askAgain) =>
    `Slack a mis trop de temps à ouvrir le formulaire. Relancez ${askAgain}, s'il vous plaît.`,
  slackBusy: (askAgain) =>
    `Slack est débordé et n'a pas pu ouvrir le formulaire. Relancez ${askAgain} dans quelques secondes, s'il vous plaît.`,
  statusThreadClosed: (reference, conversation) =>
    `Lien de paiement réf. ${reference}\u00A0: son fil dans ${conversation} ne prend plus de réponse (conversation archivée, paylink retiré ou fil verrouillé), d'où ce message.`,
  statusWithoutSummary: (reference, conversation) =>
    `Lien de paiement réf. ${reference}\u00A0: Slack n'a pas accepté son récapitulatif dans ${conversation} (le lien vous a été donné en privé), d'où ce message.`,
  appDirectMessage: 'vos messages privés avec paylink',
  directMessageAsked: "la conversation privée où vous l'avez demandé",
  slackRefusedApp:
    ":warning: Slack refuse à paylink d'ouvrir le formulaire\u00A0: son accès à cet espace de travail est à rétablir. Prévenez l'administrateur de l'application.",
  formUnusable: (command) => `Ce formulaire ne peut plus être utilisé\u00A0: relancez ${command}, s'il vous plaît.`,
  help: (command) =>
    [
      `*${command}* crée un lien de paiement SAFEDEBIT et le publie dans un fil.`,
      `• \`${command}\` ouvre le formulaire`,
      `• \`${command} 1250,50 F-2026-031\` le pré-remplit avec le montant et la référence`,
      "• Dans un fil\u00A0: menu ⋮ d'un message → *Create payment link*, le lien est publié dans ce fil",
      `• \`${command} list\` vos 10 derniers liens et où ils en sont (\`liste impayés\`\u00A0: en attente de paiement, les plus anciens d'abord, \`liste payés\`\u00A0: payés)`,
      `• \`${command} status F-2026-031\` où en est ce lien, avec son historique`,
      `• \`${command} export 2026-11\` (administrateurs) les liens du mois en CSV, dans vos messages privés`,
      "• L'onglet *Accueil* de paylink montre vos liens et ce qui reste à encaisser",
      "E-mail et téléphone du client n'apparaissent que masqués dans le canal.",
    ].join('\n'),
  summaryTitle: 'Lien de paiement',
  summaryAmount: 'Montant',
  summaryReference: 'Référence',
  summaryPaymentType: 'Paiement',
  summaryCustomer: 'Client',
  summaryContact: 'Contact',
  summaryDelivery: 'Envoi',
  summaryRequestedBy: 'Demandé par',
  summaryExpires: 'Expire le',
  deliveryNone: 'aucun (lien à transmettre)',
  deliveryBoth: 'Par SMS et par e-mail',
  linkReply: (link) => `:link: Lien de paiement\u00A0: ${link}`,
  linkAddressUnknown: {
    interrupted:
      ":information_source: paylink s'est arrêté pendant que SAFEDEBIT créait ce lien, et son adresse ne lui est jamais parvenue. SAFEDEBIT a depuis envoyé un statut pour ce lien\u00A0: il existe. Son adresse est dans l'espace marchand SAFEDEBIT.",
    outage:
      ":information_source: La réponse de SAFEDEBIT à la création de ce lien n'est pas parvenue correctement à paylink (aucun lien n'avait été affiché), et son adresse lui est inconnue. SAFEDEBIT a depuis envoyé un statut pour ce lien\u00A0: il existe. Son adresse est dans l'espace marchand SAFEDEBIT.",
  },
  statusAwaiting: ':hourglass: En attente de paiement',
  fallbackDm: (channel) =>
    `Je n'ai pas pu publier dans <#${channel}> (je n'y suis pas invité, ou ses règles de publication m'en empêchent)\u00A0: voici le lien, et son récapitulatif est dans vos messages privés avec paylink. Si je n'y suis pas invité, invitez @paylink dans la conversation pour la prochaine fois.`,
  fallbackDmFromDirectMessage:
    'Je ne peux pas publier dans une conversation privée entre personnes\u00A0: voici le lien, et son récapitulatif est dans vos messages privés avec paylink.',
  outcomeOfLink: (amount, reference, outcome) =>
    `Lien de paiement de *${amount}* (réf. ${reference})\u00A0: ${outcome}`,
};

const en: Messages = {
  modalTitle: 'Payment link',
  sandboxModalTitle: 'SANDBOX · Payment link',
  submit: 'Create link',
  close: 'Close',
  sandboxBanner: ':test_tube: *SANDBOX* — links come from the built-in sandbox, no real payment.',
  fields: {
    amount: { label: 'Amount (€)', hint: 'For example 1,250.50 or 1250.50', placeholder: '1,250.50' },
    payment_reference: { label: 'Payment reference', hint: 'Invoice or order number, unique' },
    consumer_reference: { label: 'Customer reference', hint: 'Your ID for this customer' },
    consumer_email: { label: 'Customer email' },
    consumer_phone_number: {
      label: 'Customer mobile',
      hint: '06\u00A012\u00A034\u00A056\u00A078 or +44\u00A07400\u00A0123456',
    },
    consumer_first_name: { label: 'First name' },
    consumer_last_name: { label: 'Last name' },
    reference_label: { label: 'Payment label', hint: 'What the customer sees on the payment page' },
    consumer_type: { label: 'Customer type' },
    social_reference: { label: 'Company name' },
    siren: { label: 'SIREN', hint: 'French company number, 9 digits, for example 732\u00A0829\u00A0320' },
    tva_interco: {
      label: 'EU VAT number',
      hint: 'EU country code then the number, for example FR44732829320 or DE136695976',
    },
    consumer_address_street_number: { label: 'Street number' },
    consumer_address_street_name: { label: 'Street' },
    consumer_zip_code: { label: 'Postcode', hint: 'Digits only: 5 in France, for example 01000' },
    consumer_city: { label: 'City' },
    delivery: { label: 'Sent by SAFEDEBIT', hint: 'SAFEDEBIT itself sends the link to the customer' },
    payment_type: { label: 'Payment type' },
    payment_lang: { label: "Customer's language", hint: 'The language of the payment page' },
  },
  consumerTypes: { individual: 'Individual', company: 'Company' },
  paymentTypes: { now: 'Pay now', multi: 'Multiple payments', later: 'Pay later' },
  deliveries: { sms: 'By SMS', email: 'By email' },
  addressHeader: 'Address (optional)',
  creatingTitle: 'Creating the link',
  creatingText: (amount, reference) => `:hourglass_flowing_sand: Creating the ${amount} link (ref. ${reference})…`,
  createdTitle: 'Link created',
  createdText: (amount, reference) => `:white_check_mark: Payment link for *${amount}* created (ref. ${reference}).`,
  createdWhere: (place) => `Posted in ${place}.`,
  createdInAppDirectMessage: 'Posted in your direct messages with paylink.',
  createdInDirectMessage:
    'I cannot post in that conversation: the link and its follow-up are in your direct messages with paylink.',
  createdSentPrivately: 'The link could not be posted in the conversation: it was sent to you privately.',
  createdOnlyHere: 'The link could not be posted in the conversation, nor sent to you privately: copy it from here.',
  createdNotPosted: 'The link could not be posted in the conversation: copy it from here.',
  openLink: 'Open the link',
  refusedBanner: (message) => `:no_entry: SAFEDEBIT refused the link: ${message}`,
  outageBanner:
    ':warning: SAFEDEBIT did not answer properly: *no link to show*. Your form is kept and trying again is safe: if a link was created after all, SAFEDEBIT will say the payment reference is already used.',
  outageFormGone: (askAgain) =>
    `:warning: SAFEDEBIT did not answer properly: *no link to show*. Running ${askAgain} again with this same payment reference is safe: if a link was created after all, SAFEDEBIT will say the reference is already used.`,
  referenceHeld: {
    made: (when, user) =>
      `paylink already made a link for this reference on ${when}, asked by <@${user}>: use that one, or enter another reference for another payment (EXIST_005).`,
    expired: (when, user, expired) =>
      `paylink already made a link for this reference on ${when}, asked by <@${user}>, and it expired unpaid on ${expired}. SAFEDEBIT keeps its reference: enter another reference for a new link (EXIST_005).`,
    decided: {
      paid: (when, user, status, since) =>
        `paylink already made a link for this reference on ${when}, asked by <@${user}>, and it was paid (${status}, ${since}). Do not have it paid twice: for another payment, enter another reference (EXIST_005).`,
      failed: (when, user, status, since) =>
        `paylink already made a link for this reference on ${when}, asked by <@${user}>, and its payment did not go through (${status}, ${since}). SAFEDEBIT keeps its reference: enter another reference for a new link (EXIST_005).`,
      refunded: (when, user, status, since) =>
        `paylink already made a link for this reference on ${when}, asked by <@${user}>, and its payment was refunded or is being refunded (${status}, ${since}). SAFEDEBIT keeps its reference: enter another reference for a new link (EXIST_005).`,
    },
    multiPayBegun: (when, user, status, since) =>
      `paylink already made a link for this reference on ${when}, asked by <@${user}>, and a multiple payment began on it (${status}, ${since}). Do not have it paid twice: for another payment, enter another reference (EXIST_005).`,
    unanswered: (when) =>
      `A try with this reference on ${when} got no answer from SAFEDEBIT, which made that link all the same: do not make a second one. It is in your SAFEDEBIT merchant back office (EXIST_005).`,
  },
  refusedWithoutCode:
    ':no_entry: SAFEDEBIT refused the link. Its reason, shown when it answered, is not kept: check the form, then try again.',
  refusedReasonLost: (askAgain) =>
    `:no_entry: SAFEDEBIT refused the link, and its reason was not kept. Check the details, then run ${askAgain} again.`,
  askAgainOnceFixed: (askAgain) => `Fix that, then run ${askAgain} again.`,
  outageLinkExists:
    ":information_source: SAFEDEBIT's answer did not reach paylink properly, but SAFEDEBIT has since sent a status for this link: *it exists*, do not create it again. Its summary is posted where you asked for it (or, where paylink cannot post, in your direct messages with paylink); its address is in your SAFEDEBIT merchant back office.",
  requestFailed:
    ":warning: paylink could not prepare this request: *no link was created*. Please tell the app's administrator.",
  ledgerUnavailable:
    ':warning: paylink could not record the request: *no link was created*. Your form is kept, try again in a moment.',
  ledgerUnavailableFormGone: (askAgain) =>
    `:warning: paylink could not record the request: *no link was created*. Run ${askAgain} again in a moment.`,
  askFromMessage: "the *Create payment link* shortcut (the message's ⋮ menu)",
  notAllowedUser: "You are not allowed to create payment links. Ask the paylink app's administrator for access.",
  notAllowedOtherOrganization:
    'paylink makes payment links for the members of the workspace it is installed in only: ask your contact there for the link.',
  notAllowedChannel: (channels, more = false) =>
    channels.length === 0
      ? "Payment links cannot be created in this conversation. Use a channel the paylink app's administrator allowed."
      : channels.length === 1
        ? `Payment links cannot be created in this conversation. Use this channel: ${channels[0]}.`
        : `Payment links cannot be created in this conversation. Use one of these channels: ${channels.join(', ')}${more ? '…' : '.'}`,
  paymentTypesChanged:
    ':warning: The payment types offered have changed since this form was opened: check it, then send it again.',
  companyDetailsBack:
    ":warning: Check the company's details below (the form no longer showed them), then send it again.",
  amountReadGrouped: (amount) =>
    `Read as ${amount}, the space separating thousands. For a smaller amount followed by a reference, fix the amount and type the reference in its field.`,
  towardsMultiplePayment: (amount) =>
    amount ? `towards a multiple payment of ${amount}` : 'towards a multiple payment',
  triggerExpired: (askAgain) => `Slack took too long to open the form. Please run ${askAgain} again.`,
  slackBusy: (askAgain) => `Slack is busy and could not open the form. Please run ${askAgain} again in a few seconds.`,
  statusThreadClosed: (reference, conversation) =>
    `Payment link ref. ${reference}: its thread in ${conversation} takes no more replies (the conversation archived, paylink removed from it or the thread locked), hence this message.`,
  statusWithoutSummary: (reference, conversation) =>
    `Payment link ref. ${reference}: Slack did not take its summary in ${conversation} (the link was given to you privately), hence this message.`,
  appDirectMessage: 'your direct messages with paylink',
  directMessageAsked: 'the direct message where you asked for it',
  slackRefusedApp:
    ":warning: Slack refuses to let paylink open the form: the app's access to this workspace needs fixing. Please tell the app's administrator.",
  formUnusable: (command) => `This form can no longer be used: please run ${command} again.`,
  help: (command) =>
    [
      `*${command}* creates a SAFEDEBIT payment link and posts it in a thread.`,
      `• \`${command}\` opens the form`,
      `• \`${command} 1250.50 F-2026-031\` pre-fills it with the amount and the reference`,
      "• In a thread: a message's ⋮ menu → *Create payment link* posts the link in that thread",
      `• \`${command} list\` your 10 latest links and where they stand (\`list open\`: awaiting payment, oldest first, \`list paid\`: paid)`,
      `• \`${command} status F-2026-031\` where that link stands, with its history`,
      `• \`${command} export 2026-11\` (admins) the month's links as a CSV file, in your direct messages`,
      "• paylink's *Home* tab shows your links and what is still to be paid",
      "The customer's email and phone only ever appear masked in the channel.",
    ].join('\n'),
  summaryTitle: 'Payment link',
  summaryAmount: 'Amount',
  summaryReference: 'Reference',
  summaryPaymentType: 'Payment',
  summaryCustomer: 'Customer',
  summaryContact: 'Contact',
  summaryDelivery: 'Delivery',
  summaryRequestedBy: 'Requested by',
  summaryExpires: 'Expires',
  deliveryNone: 'none (share the link yourself)',
  deliveryBoth: 'By SMS and email',
  linkReply: (link) => `:link: Payment link: ${link}`,
  linkAddressUnknown: {
    interrupted:
      ':information_source: paylink stopped while SAFEDEBIT was creating this link, and its address never reached paylink. SAFEDEBIT has since sent a status for it: the link exists. Its address is in your SAFEDEBIT merchant back office.',
    outage:
      ":information_source: SAFEDEBIT's answer to this link's creation did not reach paylink properly (no link was shown then), and its address is unknown to paylink. SAFEDEBIT has since sent a status for it: the link exists. Its address is in your SAFEDEBIT merchant back office.",
  },
  statusAwaiting: ':hourglass: Awaiting payment',
  fallbackDm: (channel) =>
    `I could not post in <#${channel}> (I am not a member, or its posting rules leave me out): here is the link instead, and its summary is in your direct messages with paylink. If I am not a member, invite @paylink to that conversation next time.`,
  fallbackDmFromDirectMessage:
    'I cannot post in a direct message between people: here is the link instead, and its summary is in your direct messages with paylink.',
  outcomeOfLink: (amount, reference, outcome) => `Payment link for *${amount}* (ref. ${reference}): ${outcome}`,
};

const MESSAGES: Record<Locale, Messages> = { fr, en };

export function messagesFor(locale: Locale): Messages {
  return MESSAGES[locale];
}

const SANDBOX_PREFIX = '[SANDBOX] ';

/** A message marked SANDBOX when the built-in sandbox answers (once, however often applied). */
export function sandboxed(text: string, sandbox: boolean): string {
  return sandbox && !text.startsWith(SANDBOX_PREFIX) ? `${SANDBOX_PREFIX}${text}` : text;
}

/**
 * How a rep asks again as they asked: the command, or for a request made from a message (for its thread) the message
 * shortcut, Slack running no slash command in a thread.
 */
export function askAgainAs(locale: Locale, fromMessage: boolean): string {
  return fromMessage ? messagesFor(locale).askFromMessage : `\`${SLASH_COMMAND}\``;
}

/**
 * A refusal told to a rep whose form is gone (`shown`, mrkdwn): one they can fix, about a field of the form, says how
 * to ask again once fixed; one for the admin, or for a reference an earlier link holds (`shown` names it), does not.
 */
export function refusedFormGone(locale: Locale, shown: string, fixable: boolean, askAgain: string): string {
  const m = messagesFor(locale);
  const refused = m.refusedBanner(shown);
  if (!fixable) return refused;
  // SAFEDEBIT's own words end in their closing quote: the sentence after them needs its full stop before it.
  return `${refused}${/[.!?]$/.test(refused) ? '' : '.'} ${m.askAgainOnceFixed(askAgain)}`;
}
