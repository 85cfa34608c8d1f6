/**
 * What names one view submission in the ledger, whichever instance gets it and however often: the modal's id and
 * Slack's hash of the view as submitted (a repeat carries the same, a later submission of the modal not).
 */
export function submissionKey(viewId: string, viewHash: string): string {
  return `${viewId}:${viewHash}`;
}

/** The modal a submission came from, to show the rep what became of it. Slack's view ids hold no `:`. */
export function viewIdOfSubmission(key: string): string {
  const end = key.indexOf(':');
  return end === -1 ? key : key.slice(0, end);
}

/** What the keys of every submission from the modal of `key` start with. */
export function modalKeyPrefix(key: string): string {
  return `${viewIdOfSubmission(key)}:`;
}
