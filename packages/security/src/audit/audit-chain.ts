import { createHash } from 'node:crypto';
import { AUDIT_DEFAULTS } from '../defaults.js';

/**
 * The fields of an audit record that a chain hash covers. Anything else on a parsed log line
 * (pino's `time`, `level`, `msg`, `service`, `span_id`) is ignored, so records read back from
 * the log verify as written.
 */
export const CHAINED_FIELDS = [
  'ts',
  'event',
  'outcome',
  'actor',
  'ip',
  'request_id',
  'trace_id',
  'details',
  'seq',
  'prev_hash',
] as const;

/** The chain fields an audit record carries when `auditLog({ chain: true })`. */
export interface ChainLink {
  /** Position in the chain, from `0` (or the `chainStart` given). */
  readonly seq: number;
  /** `hash` of the previous record; 64 zeros for the first one. */
  readonly prev_hash: string;
  /** Hex SHA-256 over the canonical JSON of the record's {@link CHAINED_FIELDS}. */
  readonly hash: string;
}

/**
 * JSON with object keys sorted at every depth and `undefined` members left out: the same record
 * always serialises to the same bytes, whatever order its fields were written in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${members.join(',')}}`;
}

/** The hash of a record: SHA-256 over its chained fields (which include `prev_hash`). */
export function auditRecordHash(record: Readonly<Record<string, unknown>>): string {
  const covered: Record<string, unknown> = {};
  for (const field of CHAINED_FIELDS) covered[field] = record[field];
  return createHash('sha256').update(canonicalJson(covered)).digest('hex');
}

/** Why {@link verifyAuditChain} stopped. */
export type AuditChainBreak =
  /** The record's content no longer matches its `hash`: it was edited. */
  | 'hash_mismatch'
  /** `prev_hash` is not the previous record's `hash`: a record was removed, inserted or reordered. */
  | 'broken_link'
  /** `seq` does not follow the previous record's: records are missing or duplicated. */
  | 'seq_gap'
  /** The record has no usable `seq`, `prev_hash` or `hash`. */
  | 'not_chained';

/** The answer of {@link verifyAuditChain}. */
export type AuditChainVerdict =
  | { readonly ok: true; readonly count: number; readonly head?: { seq: number; hash: string } }
  | {
      readonly ok: false;
      /** Index in the given array of the first record that does not verify. */
      readonly index: number;
      /** That record's `seq`, when it has one. */
      readonly seq?: number;
      readonly reason: AuditChainBreak;
    };

/** Options of {@link verifyAuditChain}. */
export interface VerifyAuditChainOptions {
  /**
   * The `prev_hash` the first record must carry. Default: whatever the first record says, so a
   * slice from the middle of a chain verifies; pass `AUDIT_DEFAULTS.genesisHash` to insist the
   * slice starts the chain.
   */
  readonly expectedPrevHash?: string;
}

/**
 * Checks a run of chained audit records (as `onEvent` hands them out, or parsed back from the
 * log) and says where it was altered: the first record whose hash, link to its predecessor or
 * sequence number does not hold.
 *
 * @example
 * ```ts
 * const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.hash);
 * const verdict = verifyAuditChain(lines);
 * if (!verdict.ok) console.error(`audit log altered at seq ${verdict.seq}: ${verdict.reason}`);
 * ```
 */
export function verifyAuditChain(
  records: readonly Readonly<Record<string, unknown>>[],
  options: VerifyAuditChainOptions = {},
): AuditChainVerdict {
  let prevHash = options.expectedPrevHash;
  let prevSeq: number | undefined;
  for (let index = 0; index < records.length; index++) {
    const record = records[index] as Readonly<Record<string, unknown>>;
    const { seq, prev_hash: link, hash } = record;
    if (
      typeof seq !== 'number' ||
      !Number.isSafeInteger(seq) ||
      typeof link !== 'string' ||
      typeof hash !== 'string'
    ) {
      return { ok: false, index, reason: 'not_chained' };
    }
    if (prevSeq !== undefined && seq !== prevSeq + 1)
      return { ok: false, index, seq, reason: 'seq_gap' };
    if (prevHash !== undefined && link !== prevHash)
      return { ok: false, index, seq, reason: 'broken_link' };
    if (auditRecordHash(record) !== hash) return { ok: false, index, seq, reason: 'hash_mismatch' };
    prevHash = hash;
    prevSeq = seq;
  }
  const last = records.at(-1);
  return last === undefined
    ? { ok: true, count: 0 }
    : {
        ok: true,
        count: records.length,
        head: { seq: last.seq as number, hash: last.hash as string },
      };
}

/** The `prev_hash` of a chain's first record. */
export const GENESIS_HASH: string = AUDIT_DEFAULTS.genesisHash;
