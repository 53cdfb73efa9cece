import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { requireBinary } from '../../../tests/support/system-deps.js';
import { startRedisServer } from '../src/testing/index.js';

const redisServer = requireBinary('redis-server');

function command(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('connect', () =>
      socket.write(
        `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`,
      ),
    );
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString());
    });
  });
}

describe.skipIf(!redisServer)('startRedisServer (test kit)', () => {
  it('starts a real redis-server on loopback, survives kill/restart, and stops', async () => {
    const redis = await startRedisServer({ bin: redisServer ?? 'redis-server' });
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      expect(await command(redis.port, 'SET', 'k', 'v')).toBe('+OK\r\n');
      expect(await command(redis.port, 'GET', 'k')).toBe('$1\r\nv\r\n');
      await redis.kill();
      await expect(command(redis.port, 'PING')).rejects.toThrow(/ECONNREFUSED/);
      await redis.restart();
      // Nothing is persisted: a restarted server is empty.
      expect(await command(redis.port, 'GET', 'k')).toBe('$-1\r\n');
    } finally {
      await redis.stop();
    }
    await expect(command(redis.port, 'PING')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('names the binary when it cannot start', async () => {
    await expect(startRedisServer({ bin: '/nonexistent/redis-server' })).rejects.toThrow(
      /could not start \/nonexistent\/redis-server/,
    );
  });
});
