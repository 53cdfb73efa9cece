import { isCommonPassword } from './common-passwords.js';

/** Why a password does not meet the policy. */
export type PasswordProblemCode =
  | 'not_a_string'
  | 'too_short'
  | 'too_long'
  | 'common'
  | 'context_word';

/** One policy problem; `message` is safe to show to the user (it never contains the password). */
export interface PasswordProblem {
  readonly code: PasswordProblemCode;
  readonly message: string;
}

/** A password policy: length bounds in Unicode code points, plus optional refused lists. */
export interface PasswordPolicy {
  readonly minLength: number;
  readonly maxLength: number;
  /** Further refused passwords, lower-cased and NFKC-normalised. */
  readonly refusedPasswords?: ReadonlySet<string>;
  /** Context-specific words (lower-cased, NFKC) a password must not contain. */
  readonly contextWords?: readonly string[];
}

/**
 * NFKC-normalises a password so that the same characters typed on different devices hash the
 * same (NIST SP 800-63B §5.1.1.2). No truncation, no case change.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Length in Unicode code points (an emoji counts once, a surrogate pair is not two characters). */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * The policy problems of `password`: length in code points after NFKC normalisation, and the
 * built-in common-password list (plus the policy's own lists). No composition rules (ASVS 5.0
 * 6.2.5).
 */
export function passwordProblems(password: unknown, policy: PasswordPolicy): PasswordProblem[] {
  if (typeof password !== 'string') {
    return [{ code: 'not_a_string', message: 'The password must be a string.' }];
  }
  const normalized = normalizePassword(password);
  const length = codePointLength(normalized);
  const problems: PasswordProblem[] = [];
  if (length < policy.minLength) {
    problems.push({
      code: 'too_short',
      message: `The password must be at least ${policy.minLength} characters long.`,
    });
  }
  if (length > policy.maxLength) {
    problems.push({
      code: 'too_long',
      message: `The password must be at most ${policy.maxLength} characters long.`,
    });
  }
  const lower = normalized.toLowerCase();
  if (isCommonPassword(normalized) || policy.refusedPasswords?.has(lower)) {
    problems.push({ code: 'common', message: 'This password is too common; choose another one.' });
  }
  if (policy.contextWords?.some((word) => lower.includes(word))) {
    problems.push({
      code: 'context_word',
      message: 'The password must not contain the name of this service or of its products.',
    });
  }
  return problems;
}
