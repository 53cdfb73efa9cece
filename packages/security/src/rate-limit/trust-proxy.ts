import { SECURITY_ERROR_CODES } from '../errors.js';
import type { SecurityLogger } from '../types.js';

/** The part of an express app the check reads. */
export interface TrustProxyApp {
  get(setting: 'trust proxy'): unknown;
}

/** Options of {@link checkTrustProxy}. */
export interface CheckTrustProxyOptions {
  /**
   * The deployment: `false` when clients connect directly, a number for the count of proxies
   * (load balancer, the engine's proxy) in front of the service, `true` when there is a proxy but
   * the count is unknown.
   */
  readonly behindProxy: boolean | number;
  /** Where the warning goes (code `ERR_SREKIT_SECURITY_TRUST_PROXY`). Default: none. */
  readonly logger?: SecurityLogger;
}

/** Result of {@link checkTrustProxy}: `ok`, or the problem and its fix. */
export interface TrustProxyCheck {
  readonly ok: boolean;
  readonly problem?: string;
}

const FIX_DIRECT =
  "Remove `app.set('trust proxy', …)`: with no proxy, req.ip is the socket address";

function isOff(setting: unknown): boolean {
  return setting === undefined || setting === false || setting === 0;
}

/**
 * The problem with express's `trust proxy` setting for `behindProxy`, or `undefined`.
 * `trust proxy = true` is always a problem: express then believes the leftmost
 * `X-Forwarded-For` entry, which the client writes, so every client picks its own rate-limit key.
 */
export function trustProxyProblem(setting: unknown, behindProxy: boolean | number) {
  if (setting === true) {
    return (
      '`trust proxy` is true: req.ip comes from X-Forwarded-For as the client sent it, so a client can pick its own rate-limit key. ' +
      "Set the number of proxies in front of the service, e.g. app.set('trust proxy', 1)"
    );
  }
  if (behindProxy === false || behindProxy === 0) {
    return isOff(setting)
      ? undefined
      : `\`trust proxy\` is ${JSON.stringify(setting)} but no proxy is in front of the service: clients can forge their address. ${FIX_DIRECT}`;
  }
  if (isOff(setting)) {
    return (
      '`trust proxy` is off behind a proxy: req.ip is the proxy, so all clients share one rate-limit bucket. ' +
      `Set app.set('trust proxy', ${typeof behindProxy === 'number' ? behindProxy : '<number of proxies>'})`
    );
  }
  if (typeof behindProxy === 'number' && typeof setting === 'number' && setting !== behindProxy) {
    return (
      `\`trust proxy\` is ${setting} but ${behindProxy} prox${behindProxy === 1 ? 'y is' : 'ies are'} in front of the service: ` +
      `req.ip is ${setting > behindProxy ? 'an address the client wrote' : 'a proxy'}. Set app.set('trust proxy', ${behindProxy})`
    );
  }
  return undefined;
}

/**
 * Start-up check that express's `trust proxy` matches the deployment, so `req.ip` (and with it
 * every per-client rate limit and audit record) is the real client. Logs a warning with code
 * `ERR_SREKIT_SECURITY_TRUST_PROXY` when it does not, and returns the verdict. Address lists
 * (`'loopback'`, `'10.0.0.0/8'`) and functions are accepted as they are.
 *
 * @example
 * ```ts
 * app.set('trust proxy', 1);
 * checkTrustProxy(app, { behindProxy: 1, logger: telemetry.logger });
 * ```
 */
export function checkTrustProxy(
  app: TrustProxyApp,
  options: CheckTrustProxyOptions,
): TrustProxyCheck {
  const problem = trustProxyProblem(app.get('trust proxy'), options.behindProxy);
  if (problem === undefined) return { ok: true };
  options.logger?.warn({ code: SECURITY_ERROR_CODES.TRUST_PROXY }, problem);
  return { ok: false, problem };
}

/**
 * What the request itself reveals about `trust proxy`: forwarded headers while it is off (a
 * proxy is present) or a setting of `true`. `undefined` when nothing is wrong.
 */
export function requestTrustProxyProblem(
  setting: unknown,
  headers: Readonly<Record<string, unknown>>,
): string | undefined {
  if (setting === true) return trustProxyProblem(true, true);
  if (isOff(setting) && headers['x-forwarded-for'] !== undefined) {
    return (
      'A request carries X-Forwarded-For but `trust proxy` is off: behind a proxy req.ip is the proxy, so all clients share one rate-limit bucket. ' +
      "Set app.set('trust proxy', <number of proxies>), or turn this check off with `trustProxyCheck: false` if the header does not come from your proxy"
    );
  }
  return undefined;
}
