/**
 * Configuration of a service instance, read from environment variables and validated: every
 * problem names the variable, what is wrong and how to fix it, and all problems are reported at
 * once.
 */

/** Default seed of the demo users' TOTP secrets (development only). */
export const DEFAULT_DEMO_TOTP_SEED = 'srekit-demo-totp-seed';

/** A validated instance configuration. */
export interface InstanceConfig {
  /** TCP port; 0 picks a free one. Default 0. */
  readonly port: number;
  /** Address to listen on. Default `127.0.0.1`. */
  readonly host: string;
  /** Name of this instance in metrics, logs and `/status.json`. Default `orders-<pid>`. */
  readonly instanceId: string;
  /** Base URLs of the inventory dependency (at least one). */
  readonly inventoryUrls: readonly string[];
  /** Redis for the shared security stores; memory stores when absent. */
  readonly redisUrl?: string;
  /** OTLP endpoint for traces; none exports nothing. */
  readonly otlpEndpoint?: string;
  /** PEM (PKCS#8) private signing key (Ed25519 or P-256); dev keys are generated when absent. */
  readonly jwtPrivateKey?: string;
  /** JSON Web Key Set of the keys access tokens are accepted from (defaults to the signing key's). */
  readonly jwtPublicJwks?: { readonly keys: readonly Record<string, unknown>[] };
  /** Seed the demo users' TOTP secrets are derived from. */
  readonly demoTotpSeed: string;
  /** Version reported in `/status.json`. */
  readonly version: string;
}

/** Thrown by {@link loadConfig} with every problem found. */
export class ConfigError extends Error {
  readonly code = 'ERR_SREKIT_REFERENCE_CONFIG';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Type guard that does not rely on `instanceof`. */
export function isConfigError(value: unknown): value is ConfigError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { code?: unknown }).code === 'ERR_SREKIT_REFERENCE_CONFIG'
  );
}

type Env = Readonly<Record<string, string | undefined>>;

function present(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function httpUrl(value: string, name: string, problems: string[], schemes: string[]): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(
      `${name}: "${value}" is not a URL. Set it to a full URL such as ${schemes[0]}//127.0.0.1:${
        schemes[0] === 'redis:' ? '6379' : '8081'
      }.`,
    );
    return;
  }
  if (!schemes.includes(url.protocol)) {
    problems.push(
      `${name}: "${value}" uses ${url.protocol.replace(/:$/, '')}; use ${schemes
        .map((s) => s.replace(/:$/, ''))
        .join(' or ')}.`,
    );
  }
}

/**
 * Reads the configuration from `env` (default `process.env`). Throws a {@link ConfigError} listing
 * every invalid variable with its fix.
 *
 * @example
 * ```ts
 * const config = loadConfig({ INVENTORY_URLS: 'http://127.0.0.1:8081', PORT: '8080' });
 * ```
 */
export function loadConfig(env: Env = process.env): InstanceConfig {
  const problems: string[] = [];

  let port = 0;
  const rawPort = present(env, 'PORT');
  if (rawPort !== undefined) {
    port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port > 65_535) {
      problems.push(
        `PORT: "${rawPort}" is not a port number. Set it to an integer from 0 to 65535 (0 picks a free port).`,
      );
    }
  }

  const host = present(env, 'HOST') ?? '127.0.0.1';
  if (/[\s/]/.test(host)) {
    problems.push(
      `HOST: "${host}" is not a host name or address. Set it to an address such as 127.0.0.1 or 0.0.0.0.`,
    );
  }

  const instanceId = present(env, 'INSTANCE_ID') ?? `orders-${process.pid}`;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(instanceId)) {
    problems.push(
      `INSTANCE_ID: "${instanceId}" must be 1–64 characters of letters, digits, ".", "_" or "-".`,
    );
  }

  const inventoryUrls = (present(env, 'INVENTORY_URLS') ?? '')
    .split(',')
    .map((u) => u.trim().replace(/\/+$/, ''))
    .filter((u) => u !== '');
  if (inventoryUrls.length === 0) {
    problems.push(
      'INVENTORY_URLS: not set. Set it to the comma-separated base URLs of the inventory service, e.g. http://127.0.0.1:8081,http://127.0.0.1:8082.',
    );
  }
  for (const url of inventoryUrls) httpUrl(url, 'INVENTORY_URLS', problems, ['http:', 'https:']);

  const redisUrl = present(env, 'REDIS_URL');
  if (redisUrl !== undefined) httpUrl(redisUrl, 'REDIS_URL', problems, ['redis:', 'rediss:']);

  const otlpEndpoint = present(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (otlpEndpoint !== undefined) {
    httpUrl(otlpEndpoint, 'OTEL_EXPORTER_OTLP_ENDPOINT', problems, ['http:', 'https:']);
  }

  const jwtPrivateKey = present(env, 'JWT_PRIVATE_KEY')?.replace(/\\n/g, '\n');
  if (jwtPrivateKey !== undefined && !jwtPrivateKey.includes('-----BEGIN PRIVATE KEY-----')) {
    problems.push(
      'JWT_PRIVATE_KEY: not a PEM PKCS#8 private key. Generate one with `openssl genpkey -algorithm ed25519` and pass the whole PEM text (newlines may be written as \\n).',
    );
  }

  let jwtPublicJwks: InstanceConfig['jwtPublicJwks'];
  const rawJwks = present(env, 'JWT_PUBLIC_JWKS');
  if (rawJwks !== undefined) {
    try {
      const parsed = JSON.parse(rawJwks) as unknown;
      const keys = (parsed as { keys?: unknown }).keys;
      if (!Array.isArray(keys) || keys.length === 0) throw new Error('no keys');
      jwtPublicJwks = { keys: keys as Record<string, unknown>[] };
    } catch {
      problems.push(
        'JWT_PUBLIC_JWKS: not a JSON Web Key Set. Set it to JSON like {"keys":[{"kty":"OKP","crv":"Ed25519","x":"…"}]}, or leave it unset to accept the signing key only.',
      );
    }
    if (jwtPrivateKey === undefined) {
      problems.push(
        'JWT_PUBLIC_JWKS: set without JWT_PRIVATE_KEY. Set JWT_PRIVATE_KEY too (every instance of a fleet signs with the same key), or unset both for development keys.',
      );
    }
  }

  const demoTotpSeed = present(env, 'DEMO_TOTP_SEED') ?? DEFAULT_DEMO_TOTP_SEED;
  const version = present(env, 'SERVICE_VERSION') ?? '0.0.0';

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host,
    instanceId,
    inventoryUrls,
    demoTotpSeed,
    version,
    ...(redisUrl !== undefined ? { redisUrl } : {}),
    ...(otlpEndpoint !== undefined ? { otlpEndpoint } : {}),
    ...(jwtPrivateKey !== undefined ? { jwtPrivateKey } : {}),
    ...(jwtPublicJwks !== undefined ? { jwtPublicJwks } : {}),
  };
}
