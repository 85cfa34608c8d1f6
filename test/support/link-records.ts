import type { LinkRecord, NewLink } from '../../src/ledger/ledger.js';
import { referenceKey } from '../../src/ledger/reference-key.js';
import { submissionKey } from '../../src/slack/submission-key.js';

let count = 0;

/** A ledger row as a created, awaiting link would have it (`1 250,50 €`, F-2026-031, Jean Dupont), with `overrides`. */
export function linkRecord(overrides: Partial<LinkRecord> = {}): LinkRecord {
  count += 1;
  const paymentReference = overrides.payment_reference ?? 'F-2026-031';
  return {
    id: `link-${count}`,
    submission_key: submissionKey('V0VIEW', String(count)),
    created_at: '2026-11-27T09:30:00.000Z',
    team_id: 'T0001',
    user_id: 'U0REP',
    origin_channel: 'C0SALES',
    origin_thread_ts: null,
    summary_channel: 'C0SALES',
    summary_ts: '1700000000.000100',
    thread_ts: '1700000000.000100',
    amount_cents: 125_050,
    currency: 'EUR',
    payment_reference: paymentReference,
    reference_key: referenceKey(paymentReference),
    consumer_reference: 'CUST-42',
    customer: 'Jean Dupont',
    masked_email: 'j•••@example.com',
    masked_phone: '•• •• •• 56 78',
    sms_option: 1,
    email_option: 0,
    payment_type: 'now',
    link: 'https://pay.example/paypage?SDESSID=abc',
    state: 'created',
    state_detail: null,
    payment_status: null,
    payment_status_rank: null,
    payment_status_at: null,
    summary_status: null,
    summary_permalink: null,
    reminded_at: null,
    paid_at: null,
    status_line_claimed_at: null,
    sandbox: 0,
    undelivered_to_rep: 0,
    expires_at: null,
    confirmed_at: null,
    ...overrides,
  };
}

let submissionCount = 0;

/**
 * A submission as the link flow claims it (`1 250,50 €`, the rep U0REP in C0SALES), with a submission key and
 * payment reference of its own unless `overrides` say otherwise.
 */
export function newLink(overrides: Partial<NewLink> = {}): NewLink {
  submissionCount += 1;
  return {
    submissionKey: submissionKey('V0VIEW', String(submissionCount)),
    createdAt: new Date(),
    userId: 'U0REP',
    originChannel: 'C0SALES',
    amountCents: 125_050,
    currency: 'EUR',
    paymentReference: `F-${submissionCount}`,
    consumerReference: 'CUST-42',
    customer: 'Jean Dupont',
    maskedEmail: 'j•••@example.com',
    maskedPhone: '•• •• •• 56 78',
    smsOption: 1,
    emailOption: 0,
    paymentType: 'now',
    ...overrides,
  };
}
