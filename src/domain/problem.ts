/**
 * A validation problem, independent of language: the rules return codes, and the i18n layer turns
 * them into sentences, so the same rule serves French and English reps.
 */
export interface Problem<Code extends string = string> {
  code: Code;
  params?: Record<string, string | number>;
}

export type Checked<T, Code extends string = string> = { ok: true; value: T } | { ok: false; problem: Problem<Code> };
