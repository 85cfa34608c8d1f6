import { resolve } from 'node:path';
import { CERTIFICATE_REFUSALS } from '../http/transport-errors.js';
import type { LedgerLocation } from './database-url.js';

/** Why the ledger could not open, in one line without the URL (it may hold a password). */
export function describeLedgerFailure(error: unknown, location: LedgerLocation): string {
  // The SQLite file's path is no secret, and tells the admin which folder to fix.
  const where = location.engine === 'sqlite' ? `sqlite, ${resolve(location.path)}` : 'postgres, DATABASE_URL';
  // Node's refusal of a folder or file on the way ("EEXIST: file already exists, mkdir '/srv/paylink/data'") names
  // what to fix; PostgreSQL's would name DATABASE_URL's host.
  const detail =
    location.engine === 'sqlite' && isFileSystemRefusal(error) ? error.message : ledgerFailureDetail(error);
  return `could not open the link ledger (${where}): ${detail}`;
}

function isFileSystemRefusal(error: unknown): error is Error {
  return error instanceof Error && typeof (error as { syscall?: unknown }).syscall === 'string';
}

/** What mends a certificate out of its dates. */
const OUTDATED_CERTIFICATE_ADVICE: Readonly<Record<'expired' | 'not_yet_valid', string>> = {
  expired: 'has expired: whoever runs the database must renew it',
  not_yet_valid: "is not valid yet: check this machine's clock",
};

/** The names a certificate is for: its subjectAltName entries, else its common name. */
function certificateNames(certificate: unknown): string | undefined {
  const { subjectaltname, subject } = (certificate ?? {}) as { subjectaltname?: unknown; subject?: { CN?: unknown } };
  if (typeof subjectaltname === 'string' && subjectaltname !== '') {
    return subjectaltname.replace(/\b(?:DNS|IP Address):/g, '');
  }
  return typeof subject?.CN === 'string' ? subject.CN : undefined;
}

function ledgerFailureDetail(error: unknown): string {
  const { code, message, severity, host, cert } = (error ?? {}) as {
    code?: unknown;
    message?: unknown;
    severity?: unknown;
    host?: unknown;
    cert?: unknown;
  };
  if (typeof code !== 'string') return error instanceof Error ? error.message : String(error);
  const refusal = CERTIFICATE_REFUSALS.get(code);
  // Managed PostgreSQL services give `?sslmode=require`, which libpq (psql) reads as "encrypted, not verified".
  if (refusal === 'unknown_authority') {
    return `${code}: the server's certificate is not trusted (pg reads sslmode=require as verify-full): name its CA in DATABASE_URL with sslrootcert=/path/to/ca.pem, or add uselibpqcompat=true for libpq's sslmode=require (encrypted, certificate not checked)`;
  }
  // Typically DATABASE_URL names the server by an address or an alias its certificate does not list.
  if (refusal === 'other_name') {
    const names = certificateNames(cert);
    return `${code}: the server's certificate is ${names ? `for ${names}` : 'for another name'}, not ${typeof host === 'string' ? host : 'the host in DATABASE_URL'}: write in DATABASE_URL a host name the certificate is for`;
  }
  if (refusal === 'expired' || refusal === 'not_yet_valid') {
    return `${code}: the server's certificate ${OUTDATED_CERTIFICATE_ADVICE[refusal]}`;
  }
  // PostgreSQL's refusals carry a SQLSTATE and words (`database "x" does not exist`), never the password; SQLite's, its
  // words (`unable to open database file`).
  const worded = typeof message === 'string' && (typeof severity === 'string' || code.startsWith('SQLITE_'));
  return worded ? `${code} ${message}` : code;
}
