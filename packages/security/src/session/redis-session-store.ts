import type { Redis } from 'ioredis';
import { SESSION_DEFAULTS } from '../defaults.js';
import type { SessionRecord, SessionSetOptions, SessionStore } from './session-store.js';

// Writes the record and indexes it under its subject in one step. The index lives as long as
// the longest-lived session in it: its TTL is only ever raised, so revokeAll() cannot miss a
// session whose index entry expired early.
const SET_SCRIPT = `
local written
if ARGV[3] == 'XX' then
  written = redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'XX')
else
  written = redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
if not written then return 0 end
if #KEYS > 1 then
  redis.call('SADD', KEYS[2], KEYS[1])
  local ttl = redis.call('PTTL', KEYS[2])
  if ttl < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
end
return 1`;

const REVOKE_ALL_SCRIPT = `
local keys = redis.call('SMEMBERS', KEYS[1])
local removed = 0
for _, key in ipairs(keys) do removed = removed + redis.call('DEL', key) end
redis.call('DEL', KEYS[1])
return removed`;

/** Options of {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions {
  /** Key prefix; give each application its own. Default `SESSION_DEFAULTS.redisPrefix` (`srekit:session:`). */
  readonly prefix?: string;
}

/**
 * Sessions in Redis (ioredis), shared by every instance of a service. Keys are
 * `<prefix>s:<sha256(session id)>`, so a dump of Redis holds no usable session id, and
 * `<prefix>u:<subject>` sets index a user's sessions for `revokeAll()`. Records expire by TTL.
 *
 * Failures reject; `sessions()` turns a failed read into "no session" (fail closed), logs and
 * counts it. Configure the client with a `commandTimeout` (and `enableOfflineQueue: false`) so
 * a Redis outage answers quickly instead of queueing requests.
 *
 * @example
 * ```ts
 * const redis = new Redis(process.env.REDIS_URL, { commandTimeout: 500, enableOfflineQueue: false });
 * app.use(sessions({ store: new RedisSessionStore(redis, { prefix: 'checkout:session:' }) }));
 * ```
 */
export class RedisSessionStore implements SessionStore {
  readonly #client: Redis;
  readonly #prefix: string;

  constructor(client: Redis, options: RedisSessionStoreOptions = {}) {
    this.#client = client;
    this.#prefix = options.prefix ?? SESSION_DEFAULTS.redisPrefix;
  }

  #recordKey(key: string): string {
    return `${this.#prefix}s:${key}`;
  }

  #subjectKey(subject: string): string {
    return `${this.#prefix}u:${encodeURIComponent(subject)}`;
  }

  async get(key: string): Promise<SessionRecord | undefined> {
    const text = await this.#client.get(this.#recordKey(key));
    if (text === null) return undefined;
    try {
      return JSON.parse(text) as SessionRecord;
    } catch {
      return undefined;
    }
  }

  async set(
    key: string,
    record: SessionRecord,
    ttlMs: number,
    options: SessionSetOptions = {},
  ): Promise<boolean> {
    const ttl = String(Math.max(1, Math.ceil(ttlMs)));
    const json = JSON.stringify(record);
    const mode = options.onlyIfExists === true ? 'XX' : '';
    const written =
      record.subject === undefined
        ? await this.#client.eval(SET_SCRIPT, 1, this.#recordKey(key), json, ttl, mode)
        : await this.#client.eval(
            SET_SCRIPT,
            2,
            this.#recordKey(key),
            this.#subjectKey(record.subject),
            json,
            ttl,
            mode,
          );
    return Number(written) === 1;
  }

  async delete(key: string): Promise<void> {
    await this.#client.del(this.#recordKey(key));
  }

  async revokeAll(subject: string): Promise<number> {
    return Number(await this.#client.eval(REVOKE_ALL_SCRIPT, 1, this.#subjectKey(subject)));
  }
}
