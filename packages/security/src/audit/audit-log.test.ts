import { describe, expect, it } from 'vitest';
import type { SecurityLogger } from '../types.js';
import { GENESIS_HASH, verifyAuditChain } from './audit-chain.js';
import { type AuditRecord, auditLog } from './audit-log.js';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

/** A JSON-lines logger shaped like pino (numeric levels), keeping its lines in memory. */
function capture() {
  const raw: string[] = [];
  const write = (level: number) => (object: object, msg: string) => {
    raw.push(`${JSON.stringify({ level, ...object, msg })}\n`);
  };
  const logger: SecurityLogger = { info: write(30), warn: write(40), error: write(50) };
  const records = () => raw.map((line) => JSON.parse(line) as Record<string, unknown>);
  const logs = {
    raw,
    records,
    find: (p: (r: Record<string, unknown>) => boolean) => records().find(p),
  };
  return { logs, logger };
}

describe('auditLog', () => {
  it('writes the event, actor, outcome, ip and details, success at info and others at warn', () => {
    const { logs, logger } = capture();
    const audit = auditLog({ logger, now: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
    audit.record({ event: 'login.success', outcome: 'success', actor: 'alice', ip: '10.0.0.1' });
    audit.record({
      event: 'permission.denied',
      outcome: 'denied',
      actor: 'bob',
      details: { permission: 'orders:delete', route: '/orders/:id' },
    });
    const [ok, denied] = logs.records();
    expect(ok).toMatchObject({
      level: 30,
      msg: 'audit login.success',
      event: 'login.success',
      outcome: 'success',
      actor: 'alice',
      ip: '10.0.0.1',
      ts: '2026-01-02T03:04:05.000Z',
    });
    expect(ok).not.toHaveProperty('request_id');
    expect(denied).toMatchObject({
      level: 40,
      event: 'permission.denied',
      details: { permission: 'orders:delete', route: '/orders/:id' },
    });
  });

  it('never writes a secret, whatever the key case or depth, nor a JWT under an innocent key', () => {
    const { logs, logger } = capture();
    const audit = auditLog({ logger, redactKeys: ['ssn'] });
    const secrets = [
      'hunter2-password',
      'tok-123',
      'sekret',
      '123456',
      'sid-cookie-value',
      'sess-id',
    ];
    audit.record({
      event: 'login.failure',
      outcome: 'failure',
      actor: 'alice',
      details: {
        Password: secrets[0],
        nested: { deeper: [{ access_token: secrets[1] }, { clientSecret: secrets[2] }] },
        code: secrets[3],
        headers: { Cookie: secrets[4], Authorization: `Bearer ${JWT}` },
        sessionId: secrets[5],
        note: JWT,
        bearer: `Bearer ${secrets[1]}`,
        SSN: '078-05-1120',
        reason: 'bad_password',
        statusCode: 401,
      },
    });
    const line = logs.raw.join('');
    for (const secret of [...secrets, JWT, '078-05-1120']) expect(line).not.toContain(secret);
    const details = logs.records()[0]?.details as Record<string, unknown>;
    expect(details.reason).toBe('bad_password');
    expect(details.statusCode).toBe(401);
    expect(details.Password).toBe('[REDACTED]');
    expect(details.note).toBe('[REDACTED]');
  });

  it('refuses a JWT passed as the actor', () => {
    const { logs, logger } = capture();
    auditLog({ logger }).record({ event: 'token.rejected', outcome: 'failure', actor: JWT });
    expect(logs.records()[0]?.actor).toBe('[REDACTED]');
  });

  it('neutralises CR/LF so a value cannot forge a second line, even through a plain-text sink', () => {
    const lines: string[] = [];
    // A text logger, as a pretty printer or syslog bridge would write: the worst case for injection.
    const text: SecurityLogger = {
      info: (o, m) =>
        lines.push(
          `${m} ${Object.entries(o)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ')}`,
        ),
      warn: (o, m) =>
        lines.push(
          `${m} ${Object.entries(o)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ')}`,
        ),
      error: () => {},
    };
    const audit = auditLog({ logger: text });
    const forged = 'mallory\r\naudit login.success event=login.success actor=admin\u2028x';
    audit.record({
      event: 'login.failure',
      outcome: 'failure',
      actor: forged,
      details: { user: forged },
    });
    const joined = lines.join('\n');
    expect(joined.split(/\r\n|\r|\n|\u2028/)).toHaveLength(1);
    expect(lines[0]).toContain('actor=mallory\\r\\naudit login.success');
  });

  it('tells listeners, isolates a throwing listener and stops after dispose', () => {
    const { logs, logger } = capture();
    const audit = auditLog({ logger });
    const seen: AuditRecord[] = [];
    audit.onEvent(() => {
      throw new Error('listener bug');
    });
    const sub = audit.onEvent((r) => seen.push(r));
    audit.record({ event: 'rate_limited', outcome: 'blocked', details: { policy: 'login' } });
    sub.dispose();
    audit.record({ event: 'rate_limited', outcome: 'blocked' });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.details).toEqual({ policy: 'login' });
    expect(logs.find((r) => r.msg === 'audit listener failed')).toBeDefined();
  });

  it('hands listeners a frozen record, details included', () => {
    const { logger } = capture();
    const audit = auditLog({ logger });
    const seen: AuditRecord[] = [];
    audit.onEvent((r) => {
      (r.details as Record<string, unknown>).policy = 'tampered';
    });
    audit.onEvent((r) => seen.push(r));
    audit.record({ event: 'rate_limited', outcome: 'blocked', details: { policy: 'login' } });
    expect(seen[0]?.details).toEqual({ policy: 'login' });
  });

  it('never throws when the logger does', () => {
    const broken: SecurityLogger = {
      info: () => {
        throw new Error('disk full');
      },
      warn: () => {
        throw new Error('disk full');
      },
      error: () => {
        throw new Error('disk full');
      },
    };
    expect(() =>
      auditLog({ logger: broken }).record({ event: 'lockout', outcome: 'blocked' }),
    ).not.toThrow();
  });

  it('refuses construction without a logger or with a malformed chainStart', () => {
    expect(() => auditLog({} as never)).toThrow(/ERR_SREKIT_SECURITY_INVALID_OPTION/);
    expect(() =>
      auditLog({ logger: capture().logger, chainStart: { seq: -1, hash: 'x' } }),
    ).toThrow(/chainStart/);
  });
});

describe('audit hash chain', () => {
  function chained(count: number) {
    const { logs, logger } = capture();
    const audit = auditLog({ logger, chain: true });
    for (let i = 0; i < count; i++) {
      audit.record({
        event: 'login.failure',
        outcome: 'failure',
        actor: `user${i}`,
        details: { attempt: i },
      });
    }
    return { logs, audit, records: logs.records() };
  }

  it('links every record to the previous one and verifies as read back from the log', () => {
    const { records, audit } = chained(5);
    expect(records[0]).toMatchObject({ seq: 0, prev_hash: GENESIS_HASH });
    expect(records[1]?.prev_hash).toBe(records[0]?.hash);
    expect(verifyAuditChain(records)).toEqual({ ok: true, count: 5, head: audit.head() });
    expect(audit.head()).toEqual({ seq: 4, hash: records[4]?.hash });
  });

  it('finds an edited record', () => {
    const { records } = chained(5);
    const edited = records.map((r, i) => (i === 2 ? { ...r, actor: 'someone-else' } : r));
    expect(verifyAuditChain(edited)).toEqual({
      ok: false,
      index: 2,
      seq: 2,
      reason: 'hash_mismatch',
    });
  });

  it('finds an edited detail, even one nested deep', () => {
    const { records } = chained(3);
    const edited = records.map((r, i) => (i === 1 ? { ...r, details: { attempt: 99 } } : r));
    expect(verifyAuditChain(edited)).toMatchObject({
      ok: false,
      index: 1,
      reason: 'hash_mismatch',
    });
  });

  it('finds a removed record and a re-hashed forgery', () => {
    const { records } = chained(5);
    expect(verifyAuditChain([...records.slice(0, 2), ...records.slice(3)])).toMatchObject({
      ok: false,
      index: 2,
      reason: 'seq_gap',
    });
    // A forger who renumbers cannot keep the link to the previous hash.
    const renumbered = [
      ...records.slice(0, 2),
      ...records.slice(3).map((r) => ({ ...r, seq: (r.seq as number) - 1 })),
    ];
    expect(verifyAuditChain(renumbered)).toMatchObject({
      ok: false,
      index: 2,
      reason: 'broken_link',
    });
  });

  it('finds a swapped pair and a truncated head when the genesis is required', () => {
    const { records } = chained(4);
    const swapped = [records[0], records[2], records[1], records[3]] as typeof records;
    expect(verifyAuditChain(swapped)).toMatchObject({ ok: false, index: 1 });
    expect(verifyAuditChain(records.slice(1), { expectedPrevHash: GENESIS_HASH })).toMatchObject({
      ok: false,
      index: 0,
      reason: 'broken_link',
    });
    expect(verifyAuditChain(records.slice(1))).toMatchObject({ ok: true, count: 3 });
  });

  it('continues a chain across a restart from head()', () => {
    const first = chained(2);
    const { logs, logger } = capture();
    const again = auditLog({ logger, chain: true, chainStart: first.audit.head() });
    again.record({ event: 'lockout', outcome: 'blocked' });
    expect(verifyAuditChain([...first.records, ...logs.records()])).toMatchObject({
      ok: true,
      count: 3,
    });
  });

  it('reports a record that carries no chain fields', () => {
    expect(verifyAuditChain([{ event: 'lockout' }])).toEqual({
      ok: false,
      index: 0,
      reason: 'not_chained',
    });
  });
});
