/**
 * Configuration from environment variables: defaults, every invalid variable reported at once
 * with its fix, signing keys from PEM or generated for development with a loud warning.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveSigningKey } from '../src/app/jwt-keys.js';
import { type ConfigError, isConfigError, loadConfig } from '../src/config.js';
import { startInstance } from '../src/instance.js';

const INVENTORY = { INVENTORY_URLS: 'http://127.0.0.1:8081, http://127.0.0.1:8082/' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(isConfigError(error)).toBe(true);
    return [...(error as ConfigError).problems];
  }
  throw new Error('loadConfig accepted an invalid configuration');
}

describe('loadConfig', () => {
  it('has defaults for everything but the inventory URLs', () => {
    const config = loadConfig({ ...INVENTORY, INSTANCE_ID: 'orders-1' });
    expect(config).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      instanceId: 'orders-1',
      inventoryUrls: ['http://127.0.0.1:8081', 'http://127.0.0.1:8082'],
    });
    expect(config.redisUrl).toBeUndefined();
    expect(config.jwtPrivateKey).toBeUndefined();
    expect(
      loadConfig({ ...INVENTORY, PORT: '8080', REDIS_URL: 'redis://127.0.0.1:6379' }),
    ).toMatchObject({
      port: 8080,
      redisUrl: 'redis://127.0.0.1:6379',
    });
  });

  it('names the missing inventory URLs and how to set them', () => {
    const problems = problemsOf({});
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^INVENTORY_URLS: not set\. Set it to .*http:\/\//);
  });

  it('reports every invalid variable at once, each with its fix', () => {
    const problems = problemsOf({
      INVENTORY_URLS: 'ftp://127.0.0.1:21,not a url',
      PORT: '70000',
      HOST: 'a b',
      INSTANCE_ID: 'no spaces please',
      REDIS_URL: 'http://127.0.0.1:6379',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector',
      JWT_PRIVATE_KEY: 'secret',
      JWT_PUBLIC_JWKS: '{"keys":"nope"}',
    });
    const variables = problems.map((p) => p.split(':')[0]);
    expect(variables).toEqual([
      'PORT',
      'HOST',
      'INSTANCE_ID',
      'INVENTORY_URLS',
      'INVENTORY_URLS',
      'REDIS_URL',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'JWT_PRIVATE_KEY',
      'JWT_PUBLIC_JWKS',
    ]);
    expect(problems.find((p) => p.startsWith('REDIS_URL'))).toMatch(/use redis or rediss/);
    expect(problems.find((p) => p.startsWith('JWT_PRIVATE_KEY'))).toMatch(/openssl genpkey/);
    expect(() => loadConfig({ ...INVENTORY, PORT: 'x' })).toThrow(/PORT: "x" is not a port number/);
  });

  it('refuses a JWKS without the private key the fleet signs with', () => {
    const problems = problemsOf({ ...INVENTORY, JWT_PUBLIC_JWKS: '{"keys":[{"kty":"OKP"}]}' });
    expect(problems).toEqual([
      expect.stringMatching(/^JWT_PUBLIC_JWKS: set without JWT_PRIVATE_KEY/),
    ]);
  });
});

describe('signing keys', () => {
  it('reads the algorithm from a PEM key, with \\n written out', () => {
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
    const config = loadConfig({ ...INVENTORY, JWT_PRIVATE_KEY: String(ed).replace(/\n/g, '\\n') });
    expect(resolveSigningKey(config.jwtPrivateKey)).toMatchObject({
      algorithm: 'EdDSA',
      generated: false,
    });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    expect(resolveSigningKey(String(ec)).algorithm).toBe('ES256');
  });

  it('signs with the kid the configured JWKS gives the key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const jwks = {
      keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'fleet-key', alg: 'EdDSA' }],
    };
    const instance = await startInstance(
      loadConfig({
        ...INVENTORY,
        JWT_PRIVATE_KEY: String(privateKey.export({ type: 'pkcs8', format: 'pem' })),
        JWT_PUBLIC_JWKS: JSON.stringify(jwks),
      }),
      { logLevel: 'silent', warn: () => expect.unreachable('no dev-key warning with a key') },
    );
    try {
      const res = await fetch(`${instance.url}/.well-known/jwks.json`, {
        signal: AbortSignal.timeout(5_000),
      });
      expect(((await res.json()) as { keys: { kid?: string }[] }).keys.map((k) => k.kid)).toEqual([
        'fleet-key',
      ]);
    } finally {
      await instance.close();
    }
  });

  it('generates a development key with a loud warning when none is configured', async () => {
    const warnings: string[] = [];
    const instance = await startInstance(loadConfig(INVENTORY), {
      logLevel: 'silent',
      warn: (message) => warnings.push(message),
    });
    try {
      expect(warnings.join('\n')).toMatch(/!!!.*JWT_PRIVATE_KEY is not set/);
      const res = await fetch(`${instance.url}/.well-known/jwks.json`, {
        signal: AbortSignal.timeout(5_000),
      });
      const jwks = (await res.json()) as { keys: { crv?: string }[] };
      expect(jwks.keys.map((k) => k.crv)).toEqual(['Ed25519']);
    } finally {
      await instance.close();
    }
  });
});
