import type { AuditLog, AuditSubscription } from '@srekit/security';

/** The security counts `/status.json` shows. */
export interface SecuritySnapshot {
  /** Audit records written since start. */
  readonly auditEvents: number;
  /** Requests refused by a rate limit. */
  readonly rateLimited: number;
  /** Failed logins (password or second factor). */
  readonly loginFailures: number;
  /** Lockouts started by the login throttle. */
  readonly lockouts: number;
}

/** Counts audit events as they are written. */
export class SecurityCounters {
  #auditEvents = 0;
  #rateLimited = 0;
  #loginFailures = 0;
  #lockouts = 0;
  readonly #subscription: AuditSubscription;

  constructor(audit: AuditLog) {
    this.#subscription = audit.onEvent((record) => {
      this.#auditEvents++;
      if (record.event === 'rate_limited') this.#rateLimited++;
      else if (record.event === 'login.failure') this.#loginFailures++;
      else if (record.event === 'lockout') this.#lockouts++;
    });
  }

  snapshot(): SecuritySnapshot {
    return {
      auditEvents: this.#auditEvents,
      rateLimited: this.#rateLimited,
      loginFailures: this.#loginFailures,
      lockouts: this.#lockouts,
    };
  }

  close(): void {
    this.#subscription.dispose();
  }
}
