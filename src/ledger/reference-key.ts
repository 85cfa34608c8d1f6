import { plainSpaces } from '../domain/pasted-text.js';

/**
 * How a payment reference is looked up whatever its case: Unicode lower case (SQLite's lower() folds ASCII only, so
 * `FACTURE-É1` would not be found as `facture-é1`) of its composed form (an accent typed as a separate mark matches),
 * its spaces plain ones (a no-break space pasted from a PDF matches the space typed by hand).
 */
// Stored with each link (reference_key): changing it means recomputing that column for every row, in a migration.
export function referenceKey(reference: string): string {
  return plainSpaces(reference.normalize('NFC')).toLowerCase();
}
