import { isCommonPassword } from './common-passwords.js';

/** Why a password does not meet the policy. */
export type PasswordProblemCode = 'not_a_string' | 'too_short' | 'too_long' | 'common';

/** One policy problem; `message` is safe to show to the user (it never contains the password). */
export interface PasswordProblem {
  readonly code: PasswordProblemCode;
  readonly message: string;
}

/** The length bounds of a policy, in Unicode code points. */
export interface PasswordLengthPolicy {
  readonly minLength: number;
  readonly maxLength: number;
}

/** NFKC-normalises a password so that visually equal input hashes the same (ASVS 5.0 6.2.x). */
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
 * built-in common-password list. No composition rules (ASVS 5.0 6.2.5: none required).
 */
export function passwordProblems(
  password: unknown,
  policy: PasswordLengthPolicy,
): PasswordProblem[] {
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
  if (isCommonPassword(normalized)) {
    problems.push({ code: 'common', message: 'This password is too common; choose another one.' });
  }
  return problems;
}
