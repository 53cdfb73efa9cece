import { generateTotp } from '@srekit/security';
import { expect } from 'vitest';
import { demoPassword, demoTotpSecret, type Role } from '../../src/app/demo-users.js';

/** Time limit of one test request. */
export const TIMEOUT_MS = 5_000;

/** One JSON request to a running service: status and parsed body (`{}` when empty). */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method,
    signal: AbortSignal.timeout(TIMEOUT_MS),
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

/** Logs in as a demo user (password + the current TOTP code); fails the test unless it works. */
export async function login(
  base: string,
  role: Role,
): Promise<{ accessToken: string; refreshToken: string }> {
  const { status, body } = await call(base, 'POST', '/auth/login', {
    body: {
      username: role,
      password: demoPassword(role),
      code: generateTotp(demoTotpSecret(role)),
    },
  });
  expect(status, JSON.stringify(body)).toBe(200);
  return body as { accessToken: string; refreshToken: string };
}
