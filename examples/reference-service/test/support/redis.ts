import { startRedisServer, type TestRedis } from '@srekit/core/testing';
import { requireBinary } from '../../../../tests/support/system-deps.js';

export type { TestRedis };

/**
 * Debian's `redis-server`, or `undefined` when it is missing: suites skip themselves locally;
 * with `CI=true` a missing binary fails instead (see `requireBinary`).
 */
export const redisServerBin: string | undefined = requireBinary('redis-server');

/** Starts a throw-away `redis-server` on a free loopback port (no persistence). */
export function startTestRedis(): Promise<TestRedis> {
  if (redisServerBin === undefined) throw new Error('redis-server is not installed');
  return startRedisServer({ bin: redisServerBin });
}
