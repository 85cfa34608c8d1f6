import type { NotCreatedStanding } from '../domain/link-standing.js';
import { INTL_TAG, type Locale } from './locale.js';

/** Whose links `/paylink status` searched: the asker's own, or for an admin, everyone's. */
export type LinksSearched = 'own' | 'team';

/**
 * What paylink tells people about the links it made, in both languages: App Home, `/paylink list`,
 * `/paylink status`, `/paylink export`, the reminders, and the DMs about an interrupted link or one sent or announced
 * late. A missing sentence is a type error.
 */
export interface LinkReportTexts {
  /**
   * Where a link that SAFEDEBIT did not make, or did not say it made, stands (a made one shows its payment status):
   * after an outage it may exist, so none says "not created" but a request paylink could not send.
   */
  notCreated: Record<NotCreatedStanding, string>;
  /** A link past its expiry with no payment status: it can no longer be paid (followed by when it expired). */
  expired: string;
  /** "3 links · 2 500,00 €"; no amount when there is no link. */
  linkCount: (count: number, amount: string) => string;
  createdAgo: (distance: string) => string;
  /** The age of a request SAFEDEBIT made no link for: never "created". */
  requestedAgo: (distance: string) => string;
  by: (user: string) => string;
  openThread: string;
  homeTitle: string;
  homeAwaiting: string;
  homePaidIn: (month: string) => string;
  /** `multi_pay` links whose first part was paid in the month, with the amounts they are for, not paid amounts. */
  homeMultiPayBegunIn: (month: string) => string;
  multiPayCount: (count: number, amount: string) => string;
  homeUpdated: (dateTime: string) => string;
  homeMine: string;
  homeTeam: string;
  /** Under the team's links, for an admin, when the team has none yet. */
  homeTeamEmpty: string;
  homeEmpty: (command: string) => string;
  /** Under a Home list cut at its `shown` latest links: how to find an older one. */
  homeLatestOnly: (shown: number, command: string) => string;
  listTitle: Record<'all' | 'awaiting' | 'paid', string>;
  listEmpty: Record<'all' | 'awaiting' | 'paid', string>;
  listMore: (command: string) => string;
  /** After a list's title when more links matched than it shows: "10 of 14". */
  listShown: (shown: number, matched: number) => string;
  /** The same when the links that matched could not be counted: "10 of more than 10". */
  listShownUncounted: (shown: number) => string;
  /** Above a status answer when more links have the reference than it shows. */
  statusShown: (shown: number, matched: number) => string;
  /** The same when the links with the reference could not be counted. */
  statusShownUncounted: (shown: number) => string;
  /**
   * Where the asker sees every link an answer left out: App Home when it lists them all, the export for an admin, an
   * admin's export for a rep (who may not ask for it).
   */
  seeAll: {
    home: (matched: number) => string;
    export: (command: string) => string;
    admin_export: (command: string) => string;
  };
  listUsage: (command: string) => string;
  statusUsage: (command: string) => string;
  /** A report's keyword mistyped: the request meant (`request`, a code span), as it would be typed. */
  didYouMean: (request: string) => string;
  /**
   * No link with the reference among those searched: to a rep, the same whether it is unknown or another rep's, so
   * that it tells nothing of other reps' links.
   */
  statusNotFound: Record<LinksSearched, (reference: string, command: string) => string>;
  statusTitle: (amount: string, reference: string) => string;
  statusCustomer: string;
  statusCreated: string;
  statusRequested: string;
  statusLink: string;
  statusHistory: string;
  statusNoHistory: string;
  /** Above the history when its oldest notifications do not fit in the answer. */
  statusEarlierHistory: (count: number) => string;
  statusRequestedBy: string;
  /** The export refused to a non-admin: whom to ask, or with no admin (PAYLINK_ADMINS empty), who can name some. */
  exportNotAdmin: Record<'ask_admin' | 'no_admin', string>;
  exportUsage: (command: string, example: string) => string;
  exportPreparing: (month: string) => string;
  exportNothing: (month: string) => string;
  exportComment: (month: string, count: number) => string;
  exportDone: (month: string, count: number) => string;
  exportFailed: (month: string) => string;
  /** Slack refuses paylink the upload for good (a scope missing, the token revoked): trying again cannot help. */
  exportRefused: (month: string) => string;
  exportTitle: (month: string) => string;
  unavailable: string;
  /** App Home when the ledger cannot be read: the tab is drawn again when the user comes back to it. */
  homeUnavailable: string;
  reminder: (age: string) => string;
  /** A reminder about a link whose status is one of a payment under way (paymentUnderWay): not settled yet. */
  reminderUnderWay: (age: string) => string;
  /** Under a reminder's link, where it stands by SAFEDEBIT's furthest status, in App Home's words ("where it stands"). */
  reminderNews: (standing: string) => string;
  reminderThread: string;
  /**
   * The rep's DM when paylink stopped while SAFEDEBIT was making their link: what to do about it. `askAgain` is how
   * the rep asked: the command, or for a link asked from a message, the message shortcut (no command runs in a thread).
   */
  interrupted: (askAgain: string) => string;
  /**
   * The first reply under the summary of a link SAFEDEBIT made that paylink stopped before giving the rep, posted late
   * in their DM: what happened (the link follows it).
   */
  deliveredLate: string;
  /** A link whose summary was posted where the rep asked, but which itself reached them nowhere, given late in their DM. */
  linkReplyLate: string;
  /** A refusal or an outage paylink stopped before telling the rep of, told late in their DM (what it was follows). */
  outcomeUntold: string;
  /**
   * The first reply under the summary, posted late in the rep's DM, of a link paylink stopped while announcing, known
   * only from SAFEDEBIT's notification: what happened, that it exists, and where its address is (paylink never had it).
   */
  announcedLate: string;
  /**
   * The rep's DM about a link SAFEDEBIT's notification confirmed whose summary Slack refused (`refused`: not posted),
   * or did not answer for (`unanswered`: it may be posted, but no status will follow under it): that it exists, where
   * its address is, and where to follow it (`status` is the command that shows it).
   */
  confirmedUnannounced: Record<'refused' | 'unanswered', (status: string) => string>;
}

/** A count's digits grouped as the locale groups an amount's (`12 345` with a narrow no-break space, `12,345`). */
const COUNT_FORMATS: Record<Locale, Intl.NumberFormat> = {
  fr: new Intl.NumberFormat(INTL_TAG.fr),
  en: new Intl.NumberFormat(INTL_TAG.en),
};
const grouped = (locale: Locale, count: number) => COUNT_FORMATS[locale].format(count);
const plural = (locale: Locale, count: number, one: string, many: string) =>
  `${grouped(locale, count)} ${count === 1 ? one : many}`;
/** French "de" before a month: elided before a vowel (d'avril, d'août, d'octobre). */
const deMonth = (month: string) => (/^[aeiouyàâéèêîô]/i.test(month) ? `d'${month}` : `de ${month}`);

const fr: LinkReportTexts = {
  notCreated: {
    creating: ':hourglass_flowing_sand: En cours de création',
    refused: ':no_entry: Refusé par SAFEDEBIT',
    no_answer: ':warning: Sans réponse de SAFEDEBIT (aucun lien affiché)',
    not_sent: ":warning: Non créé (paylink n'a pas pu préparer la demande)",
    unreachable: ':warning: Non créé (SAFEDEBIT injoignable)',
    unconfirmed: ":grey_question: Non confirmé (paylink s'est arrêté pendant la demande à SAFEDEBIT)",
  },
  expired: ':no_entry_sign: Expiré sans paiement',
  linkCount: (count, amount) => (count === 0 ? 'aucun lien' : `${plural('fr', count, 'lien', 'liens')} · ${amount}`),
  createdAgo: (distance) => `créé ${distance}`,
  requestedAgo: (distance) => `demandé ${distance}`,
  by: (user) => `par ${user}`,
  openThread: 'Voir le fil',
  homeTitle: 'Vos liens de paiement',
  homeAwaiting: 'En attente de paiement',
  homePaidIn: (month) => `Payés en ${month}`,
  homeMultiPayBegunIn: (month) => `Paiements multiples commencés en ${month}`,
  multiPayCount: (count, amount) => `${plural('fr', count, 'lien', 'liens')} · pour ${amount} en tout`,
  homeUpdated: (dateTime) => `Mis à jour le ${dateTime}`,
  homeMine: 'Vos derniers liens',
  homeTeam: "Les derniers liens de l'équipe",
  homeTeamEmpty: "Personne dans l'équipe n'a encore créé de lien de paiement.",
  homeLatestOnly: (shown, command) =>
    `Les ${shown} derniers liens seulement. Un plus ancien\u00A0: \`${command} status &lt;référence de paiement&gt;\`.`,
  homeEmpty: (command) =>
    [
      "Vous n'avez pas encore créé de lien de paiement.",
      `Pour le premier\u00A0: tapez \`${command}\` dans un canal (ou \`${command} 1250,50 F-2026-031\` pour pré-remplir le montant et la référence), remplissez le formulaire, et le lien est publié dans un fil.`,
      "Dans un fil\u00A0: menu ⋮ d'un message → *Create payment link*.",
    ].join('\n'),
  listTitle: {
    all: 'Vos derniers liens',
    awaiting: "Vos liens en attente de paiement, les plus anciens d'abord",
    paid: 'Vos derniers liens payés',
  },
  listEmpty: {
    all: "Vous n'avez encore créé aucun lien de paiement.",
    awaiting: "Aucun de vos liens n'attend de paiement.",
    paid: "Aucun de vos liens n'a encore été payé.",
  },
  listMore: (command) =>
    `L'onglet *Accueil* de paylink montre vos derniers liens et ce qui reste à encaisser\u202F; \`${command} status &lt;référence de paiement&gt;\` pour le détail d'un lien.`,
  listShown: (shown, matched) => `${shown} sur ${grouped('fr', matched)}`,
  listShownUncounted: (shown) => `${shown} sur plus de ${shown}`,
  statusShown: (shown, matched) => `Voici ${shown} des ${grouped('fr', matched)} liens ayant cette référence.`,
  statusShownUncounted: (shown) => `Voici ${shown} des plus de ${shown} liens ayant cette référence.`,
  seeAll: {
    home: (matched) => `L'onglet *Accueil* de paylink montre les ${grouped('fr', matched)}.`,
    export: (command) => `\`${command} export AAAA-MM\` vous envoie tous les liens d'un mois.`,
    admin_export: (command) =>
      `Un administrateur de paylink peut exporter tous les liens d'un mois (\`${command} export\`).`,
  },
  listUsage: (command) =>
    `\`${command} liste\` accepte \`impayés\` (en attente de paiement) ou \`payés\`, ou rien (\`open\` et \`paid\` aussi).`,
  statusUsage: (command) => `Indiquez la référence du paiement\u00A0: \`${command} status F-2026-031\`.`,
  didYouMean: (request) => `Vouliez-vous dire ${request}\u00A0?`,
  statusNotFound: {
    own: (reference, command) =>
      `Aucun de vos liens n'a la référence «\u00A0${reference}\u00A0». Vérifiez-la, ou tapez \`${command} list\` pour voir vos liens.`,
    team: (reference) =>
      `Aucun lien de l'équipe n'a la référence «\u00A0${reference}\u00A0». Vérifiez-la, ou consultez les derniers liens de l'équipe dans l'onglet *Accueil* de paylink.`,
  },
  statusTitle: (amount, reference) => `Lien de paiement · ${amount} · ${reference}`,
  statusCustomer: 'Client',
  statusCreated: 'Créé le',
  statusRequested: 'Demandé le',
  statusLink: 'Lien',
  statusHistory: 'Historique',
  statusNoHistory: 'Aucune notification de SAFEDEBIT pour ce lien.',
  statusEarlierHistory: (count) =>
    count === 1
      ? '_… et 1 notification plus ancienne_'
      : `_… et ${plural('fr', count, 'notification', 'notifications')} plus anciennes_`,
  statusRequestedBy: 'Demandé par',
  exportNotAdmin: {
    ask_admin:
      "L'export est réservé aux administrateurs de paylink. Demandez-le à l'un d'eux, ou demandez à être ajouté·e à PAYLINK_ADMINS.",
    no_admin:
      "L'export est réservé aux administrateurs de paylink, et aucun n'est désigné\u00A0: la personne qui a installé paylink peut en désigner dans PAYLINK_ADMINS.",
  },
  exportUsage: (command, example) => `Indiquez le mois au format AAAA-MM\u00A0: \`${command} export ${example}\`.`,
  exportPreparing: (month) => `:hourglass_flowing_sand: Préparation de l'export ${deMonth(month)}…`,
  exportNothing: (month) => `Aucun lien créé en ${month}\u00A0: rien à exporter.`,
  exportComment: (month, count) => `Export paylink ${deMonth(month)}\u00A0: ${plural('fr', count, 'lien', 'liens')}.`,
  exportDone: (month, count) =>
    `:white_check_mark: L'export ${deMonth(month)} (${plural('fr', count, 'lien', 'liens')}) est dans vos messages privés avec paylink.`,
  exportFailed: (month) =>
    `:warning: L'export ${deMonth(month)} n'a pas pu être envoyé\u00A0: Slack n'a pas accepté le fichier. Réessayez dans un instant.`,
  exportRefused: (month) =>
    `:warning: L'export ${deMonth(month)} n'a pas pu être envoyé\u00A0: Slack refuse le fichier à paylink (il lui manque la permission files:write, ou son accès à l'espace de travail a été révoqué). Demandez à l'administrateur de l'application de la réinstaller.`,
  exportTitle: (month) => `paylink · liens ${deMonth(month)}`,
  unavailable: ":warning: paylink n'a pas pu lire ses liens pour l'instant. Réessayez dans un instant.",
  homeUnavailable:
    ":warning: paylink n'a pas pu lire ses liens pour l'instant. Revenez sur cet onglet dans un instant.",
  reminder: (age) => `:alarm_clock: Ce lien de paiement attend toujours d'être payé, ${age} après sa création\u00A0:`,
  reminderUnderWay: (age) =>
    `:alarm_clock: Ce lien de paiement n'est pas encore payé, ${age} après sa création, mais SAFEDEBIT signale un paiement en cours\u00A0:`,
  reminderNews: (standing) => `Où il en est\u00A0: ${standing}`,
  reminderThread: 'Voir le fil du lien',
  interrupted: (askAgain) =>
    `:warning: paylink s'est arrêté pendant que SAFEDEBIT créait ce lien de paiement\u00A0: on ne sait pas s'il existe, ni s'il a été envoyé au client. Pour le savoir, relancez ${askAgain} avec la même référence\u00A0: SAFEDEBIT refuse une référence qu'il a déjà (le lien existe alors), sinon il crée le lien.`,
  outcomeUntold:
    ":warning: paylink s'est arrêté avant de pouvoir vous dire ce qu'il est advenu de cette demande de lien de paiement\u00A0:",
  linkReplyLate:
    ":warning: Le récapitulatif de ce lien de paiement a été publié, mais le lien lui-même ne vous est jamais parvenu (Slack ne l'a pas pris, ou paylink s'est arrêté avant). SAFEDEBIT l'a bien créé (et envoyé au client si vous l'avez demandé)\u00A0: le voici.",
  deliveredLate:
    ":warning: paylink s'est arrêté avant de pouvoir vous donner ce lien de paiement, qui n'a peut-être jamais été publié dans la conversation. SAFEDEBIT l'a bien créé (et envoyé au client si vous l'avez demandé)\u00A0: le voici.",
  announcedLate:
    ":warning: paylink s'est arrêté pendant qu'il annonçait ce lien de paiement, dont le récapitulatif n'a peut-être jamais été publié dans la conversation\u00A0: le voici. SAFEDEBIT a envoyé un statut pour ce lien\u00A0: il existe, mais son adresse n'est jamais parvenue à paylink. Elle est dans l'espace marchand SAFEDEBIT.",
  confirmedUnannounced: {
    refused: (status) =>
      `:warning: SAFEDEBIT a envoyé un statut pour ce lien de paiement\u00A0: il existe, mais Slack a refusé son récapitulatif, qui n'a pas été publié. Son adresse n'est jamais parvenue à paylink\u00A0: elle est dans l'espace marchand SAFEDEBIT. Suivez-le dans l'onglet *Accueil* de paylink ou avec ${status}.`,
    unanswered: (status) =>
      `:warning: SAFEDEBIT a envoyé un statut pour ce lien de paiement\u00A0: il existe, mais Slack n'a pas répondu quand paylink a publié son récapitulatif. Celui-ci a peut-être été publié quand même, mais ses statuts ne s'y afficheront pas. Son adresse n'est jamais parvenue à paylink\u00A0: elle est dans l'espace marchand SAFEDEBIT. Suivez-le dans l'onglet *Accueil* de paylink ou avec ${status}.`,
  },
};

const en: LinkReportTexts = {
  notCreated: {
    creating: ':hourglass_flowing_sand: Being created',
    refused: ':no_entry: Refused by SAFEDEBIT',
    no_answer: ':warning: No answer from SAFEDEBIT (no link shown)',
    not_sent: ':warning: Not created (paylink could not prepare the request)',
    unreachable: ':warning: Not created (SAFEDEBIT could not be reached)',
    unconfirmed: ':grey_question: Unconfirmed (paylink stopped while asking SAFEDEBIT)',
  },
  expired: ':no_entry_sign: Expired unpaid',
  linkCount: (count, amount) => (count === 0 ? 'no links' : `${plural('en', count, 'link', 'links')} · ${amount}`),
  createdAgo: (distance) => `created ${distance}`,
  requestedAgo: (distance) => `requested ${distance}`,
  by: (user) => `by ${user}`,
  openThread: 'Open thread',
  homeTitle: 'Your payment links',
  homeAwaiting: 'Awaiting payment',
  homePaidIn: (month) => `Paid in ${month}`,
  homeMultiPayBegunIn: (month) => `Multiple payments begun in ${month}`,
  multiPayCount: (count, amount) => `${plural('en', count, 'link', 'links')} · for ${amount} in all`,
  homeUpdated: (dateTime) => `Updated ${dateTime}`,
  homeMine: 'Your latest links',
  homeTeam: "The team's latest links",
  homeTeamEmpty: 'No one in the team has created a payment link yet.',
  homeLatestOnly: (shown, command) =>
    `The latest ${shown} links only. An older one: \`${command} status &lt;payment reference&gt;\`.`,
  homeEmpty: (command) =>
    [
      'You have not created a payment link yet.',
      `For your first one: type \`${command}\` in a channel (or \`${command} 1250.50 F-2026-031\` to pre-fill the amount and the reference), fill in the form, and the link is posted in a thread.`,
      "In a thread: a message's ⋮ menu → *Create payment link*.",
    ].join('\n'),
  listTitle: {
    all: 'Your latest links',
    awaiting: 'Your links awaiting payment, oldest first',
    paid: 'Your latest paid links',
  },
  listEmpty: {
    all: 'You have not created any payment link yet.',
    awaiting: 'None of your links is awaiting payment.',
    paid: 'None of your links has been paid yet.',
  },
  listMore: (command) =>
    `paylink's *Home* tab shows your latest links and what is still to be paid; \`${command} status &lt;payment reference&gt;\` shows one in detail.`,
  listShown: (shown, matched) => `${shown} of ${grouped('en', matched)}`,
  listShownUncounted: (shown) => `${shown} of more than ${shown}`,
  statusShown: (shown, matched) => `Showing ${shown} of ${grouped('en', matched)} links with this reference.`,
  statusShownUncounted: (shown) => `Showing ${shown} of more than ${shown} links with this reference.`,
  seeAll: {
    home: (matched) => `paylink's *Home* tab shows all ${grouped('en', matched)}.`,
    export: (command) => `\`${command} export YYYY-MM\` sends you every link of a month.`,
    admin_export: (command) => `A paylink admin can export every link of a month (\`${command} export\`).`,
  },
  listUsage: (command) => `\`${command} list\` takes \`open\` (awaiting payment) or \`paid\`, or nothing.`,
  statusUsage: (command) => `Give the payment reference: \`${command} status F-2026-031\`.`,
  didYouMean: (request) => `Did you mean ${request}?`,
  statusNotFound: {
    own: (reference, command) =>
      `None of your links has the reference “${reference}”. Check it, or type \`${command} list\` to see your links.`,
    team: (reference) =>
      `None of the team's links has the reference “${reference}”. Check it, or see the team's latest links in paylink's *Home* tab.`,
  },
  statusTitle: (amount, reference) => `Payment link · ${amount} · ${reference}`,
  statusCustomer: 'Customer',
  statusCreated: 'Created',
  statusRequested: 'Requested',
  statusLink: 'Link',
  statusHistory: 'History',
  statusNoHistory: 'No notification from SAFEDEBIT for this link.',
  statusEarlierHistory: (count) =>
    count === 1 ? '_… and 1 earlier notification_' : `_… and ${grouped('en', count)} earlier notifications_`,
  statusRequestedBy: 'Requested by',
  exportNotAdmin: {
    ask_admin: 'The export is for paylink admins only. Ask one of them, or ask to be added to PAYLINK_ADMINS.',
    no_admin:
      'The export is for paylink admins only, and none is set: whoever installed paylink can name some in PAYLINK_ADMINS.',
  },
  exportUsage: (command, example) => `Give the month as YYYY-MM: \`${command} export ${example}\`.`,
  exportPreparing: (month) => `:hourglass_flowing_sand: Preparing the export of ${month}…`,
  exportNothing: (month) => `No link was created in ${month}: nothing to export.`,
  exportComment: (month, count) => `paylink export of ${month}: ${plural('en', count, 'link', 'links')}.`,
  exportDone: (month, count) =>
    `:white_check_mark: The export of ${month} (${plural('en', count, 'link', 'links')}) is in your direct messages with paylink.`,
  exportFailed: (month) =>
    `:warning: The export of ${month} could not be sent: Slack did not take the file. Try again in a moment.`,
  exportRefused: (month) =>
    `:warning: The export of ${month} could not be sent: Slack refuses paylink the file (it lacks the files:write permission, or its access to the workspace was revoked). Ask the app's administrator to reinstall it.`,
  exportTitle: (month) => `paylink · links of ${month}`,
  unavailable: ':warning: paylink could not read its links just now. Try again in a moment.',
  homeUnavailable: ':warning: paylink could not read its links just now. Come back to this tab in a moment.',
  reminder: (age) => `:alarm_clock: This payment link is still awaiting payment, ${age} after it was created:`,
  reminderUnderWay: (age) =>
    `:alarm_clock: This payment link is not paid yet, ${age} after it was created, but SAFEDEBIT reports a payment under way:`,
  reminderNews: (standing) => `Where it stands: ${standing}`,
  reminderThread: "Open the link's thread",
  interrupted: (askAgain) =>
    `:warning: paylink stopped while SAFEDEBIT was creating this payment link, so whether it exists, or reached the customer, is unknown. To find out, run ${askAgain} again with the same reference: SAFEDEBIT refuses a reference it already has (the link then exists), and otherwise makes the link.`,
  outcomeUntold: ':warning: paylink stopped before it could tell you what became of this request for a payment link:',
  linkReplyLate:
    ':warning: The summary of this payment link was posted, but the link itself never reached you (Slack did not take it, or paylink stopped first). SAFEDEBIT did make it (and sent it to the customer if you asked it to): here it is.',
  deliveredLate:
    ':warning: paylink stopped before it could give you this payment link, which may never have been posted in the conversation. SAFEDEBIT did make it (and sent it to the customer if you asked it to): here it is.',
  announcedLate:
    ':warning: paylink stopped while announcing this payment link, so its summary may never have been posted in the conversation: here it is. SAFEDEBIT has sent a status for it, so the link exists, but its address never reached paylink: it is in your SAFEDEBIT merchant back office.',
  confirmedUnannounced: {
    refused: (status) =>
      `:warning: SAFEDEBIT has sent a status for this payment link, so it exists, but Slack refused its summary: it was not posted. Its address never reached paylink: it is in your SAFEDEBIT merchant back office. Follow this payment link in paylink's *Home* tab or with ${status}.`,
    unanswered: (status) =>
      `:warning: SAFEDEBIT has sent a status for this payment link, so it exists, but Slack did not answer when paylink posted its summary: its summary may have been posted all the same, but its statuses will not follow under it. Its address never reached paylink: it is in your SAFEDEBIT merchant back office. Follow this payment link in paylink's *Home* tab or with ${status}.`,
  },
};

const TEXTS: Record<Locale, LinkReportTexts> = { fr, en };

export function linkReportTexts(locale: Locale): LinkReportTexts {
  return TEXTS[locale];
}
