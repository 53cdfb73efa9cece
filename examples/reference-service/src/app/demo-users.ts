import { createHmac } from 'node:crypto';
import type { PasswordHasher } from '@srekit/security';
import { base32Encode } from '@srekit/security';
import { DEFAULT_DEMO_TOTP_SEED } from '../config.js';

/** The roles of the reference service, least to most privileged. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A user as the login route needs it. */
export interface User {
  readonly id: string;
  readonly username: string;
  readonly roles: readonly Role[];
  readonly passwordHash: string;
  readonly totpSecret: string;
}

/** Where users come from; a real deployment puts a directory or a database behind it. */
export interface UserRepository {
  findByUsername(username: string): Promise<User | undefined>;
}

/** Password of a demo user (development only): `srekit-demo-<role>`. */
export function demoPassword(role: Role): string {
  return `srekit-demo-${role}`;
}

/**
 * TOTP secret (base32) of a demo user, derived from `seed` so that the fleet can print how to log
 * in and tests can compute codes with `generateTotp(demoTotpSecret(role), { time })`.
 */
export function demoTotpSecret(role: Role, seed: string = DEFAULT_DEMO_TOTP_SEED): string {
  return base32Encode(createHmac('sha256', seed).update(`totp:${role}`).digest().subarray(0, 20));
}

/** An in-memory user repository holding one demo user per role, named after the role. */
export class DemoUserRepository implements UserRepository {
  readonly #users: Map<string, User>;

  private constructor(users: Map<string, User>) {
    this.#users = users;
  }

  /** Hashes the demo passwords (argon2id) once. */
  static async create(passwords: PasswordHasher, seed: string): Promise<DemoUserRepository> {
    const users = new Map<string, User>();
    for (const role of ROLES) {
      users.set(role, {
        id: `user-${role}`,
        username: role,
        roles: [role],
        passwordHash: await passwords.hash(demoPassword(role)),
        totpSecret: demoTotpSecret(role, seed),
      });
    }
    return new DemoUserRepository(users);
  }

  async findByUsername(username: string): Promise<User | undefined> {
    return this.#users.get(username.trim().toLowerCase());
  }
}
