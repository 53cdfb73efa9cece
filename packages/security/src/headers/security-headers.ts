import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import { API_CSP_DIRECTIVES, HEADER_DEFAULTS, WEB_CSP_DIRECTIVES } from '../defaults.js';
import { invalidOption } from '../errors.js';
import { type PermissionsPolicyDirectives, permissionsPolicyHeader } from './permissions-policy.js';

/**
 * Header presets: `web` for HTML pages (CSP allows same-origin scripts, styles, images and
 * fetches), `api` for JSON APIs (CSP `default-src 'none'`, `Cache-Control: no-store`).
 */
export type HeaderPreset = 'web' | 'api';

/**
 * CSP directives by name, values as they appear in the header (keywords quoted: `"'self'"`).
 * `[]` writes a directive without values (`upgrade-insecure-requests`); `null` removes a
 * directive of the preset.
 */
export type CspDirectives = Readonly<Record<string, readonly string[] | null>>;

/** `Strict-Transport-Security` settings. */
export interface HstsOptions {
  /** Default 31 536 000 (one year). */
  readonly maxAgeSeconds?: number;
  /** Default `true`. */
  readonly includeSubDomains?: boolean;
  /** Default `false`: add it only once the domain is ready for the browsers' preload list. */
  readonly preload?: boolean;
}

/** Options of {@link securityHeaders}. */
export interface SecurityHeadersOptions {
  /** Which preset the other options adjust. Default `'web'`. */
  readonly preset?: HeaderPreset;
  /**
   * CSP directives merged over the preset's (`WEB_CSP_DIRECTIVES` / `API_CSP_DIRECTIVES`); `false`
   * sends no CSP. Default: the preset's directives unchanged.
   */
  readonly csp?: CspDirectives | false;
  /** Send the CSP as `Content-Security-Policy-Report-Only`. Default `false`. */
  readonly cspReportOnly?: boolean;
  /** HSTS settings, or `false` to send none. Default one year with subdomains, no preload. */
  readonly hsts?: HstsOptions | false;
  /**
   * Allowlists merged over the default `Permissions-Policy` (every feature in
   * `DISABLED_BROWSER_FEATURES` off); `false` sends none.
   */
  readonly permissionsPolicy?: PermissionsPolicyDirectives | false;
  /** Default `'strict-origin-when-cross-origin'`. */
  readonly referrerPolicy?:
    | 'no-referrer'
    | 'same-origin'
    | 'strict-origin'
    | 'strict-origin-when-cross-origin';
  /** Default `'same-origin'`; relax to `'same-origin-allow-popups'` for OAuth pop-up flows. */
  readonly crossOriginOpenerPolicy?: 'same-origin' | 'same-origin-allow-popups' | 'unsafe-none';
  /** Default `'same-origin'`; `'cross-origin'` for assets other sites embed. */
  readonly crossOriginResourcePolicy?: 'same-origin' | 'same-site' | 'cross-origin';
  /** Send `Cache-Control: no-store` on every response. Default `true` for `api`, `false` for `web`. */
  readonly noStore?: boolean;
}

/** A middleware (express or bare `node:http`) that only sets response headers. */
export type HeaderMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/** What {@link securityHeaders} returns: the middleware, plus per-route CSP overrides. */
export interface SecurityHeadersMiddleware extends HeaderMiddleware {
  /** The CSP directives this instance sends (`{}` when CSP is off). */
  readonly directives: Readonly<Record<string, readonly string[]>>;
  /**
   * A middleware for one route that replaces the CSP with this instance's directives merged with
   * `overrides` (`null` removes a directive). Mount it after the app-wide middleware.
   *
   * @example
   * ```ts
   * const headers = securityHeaders();
   * app.use(headers);
   * app.get('/widget', headers.csp({ 'frame-ancestors': ['https://partner.example'] }), widget);
   * ```
   */
  csp(overrides: CspDirectives): HeaderMiddleware;
}

const TOKEN = /^[\x21-\x2b\x2d-\x3a\x3c-\x7e]+$/;

function mergeDirectives(
  base: Readonly<Record<string, readonly string[]>>,
  overrides: CspDirectives,
): Record<string, readonly string[]> {
  const merged: Record<string, readonly string[]> = { ...base };
  for (const [name, values] of Object.entries(overrides)) {
    if (values === null) delete merged[name];
    else merged[name] = values;
  }
  return merged;
}

function helmetCsp(
  directives: Readonly<Record<string, readonly string[]>>,
  reportOnly: boolean,
): HelmetOptions['contentSecurityPolicy'] {
  if (!('default-src' in directives)) {
    invalidOption(
      'csp',
      'the policy has no `default-src`',
      "Keep a `default-src` (the presets use 'self' or 'none'); remove CSP with `csp: false`",
    );
  }
  for (const [name, values] of Object.entries(directives)) {
    // helmet checks for `;` and `,` but lets control characters through, which Node then refuses
    // in setHeader on every request: catch them here, at construction.
    const bad = values.find((value) => !TOKEN.test(value));
    if (bad !== undefined) {
      invalidOption(
        `csp.${name}`,
        `${JSON.stringify(bad)} is not a single source expression`,
        'Pass each source as its own array item, without spaces, control characters, `;` or `,`',
      );
    }
  }
  return {
    useDefaults: false,
    reportOnly,
    directives: Object.fromEntries(
      Object.entries(directives).map(([name, values]) => [name, [...values]]),
    ),
  };
}

/** Builds helmet's middleware, turning its construction errors into our INVALID_OPTION. */
function buildHelmet(options: HelmetOptions): HeaderMiddleware {
  try {
    return helmet(options) as HeaderMiddleware;
  } catch (error) {
    return invalidOption(
      'csp',
      (error as Error).message,
      'Quote CSP keywords ("\'self\'", "\'none\'") and use valid directive names',
    );
  }
}

/**
 * Security headers for every response, on helmet 8 with srekit's defaults:
 *
 * - `Content-Security-Policy`: `web` = `default-src 'self'; base-uri 'none'; frame-ancestors
 *   'none'; object-src 'none'; form-action 'self'; …`, `api` = `default-src 'none'; base-uri
 *   'none'; frame-ancestors 'none'`.
 * - `Strict-Transport-Security: max-age=31536000; includeSubDomains`.
 * - `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (for browsers without
 *   `frame-ancestors`), `Referrer-Policy: strict-origin-when-cross-origin`.
 * - `Permissions-Policy` with camera, microphone, geolocation, payment, usb and other powerful
 *   features off.
 * - `Cross-Origin-Opener-Policy: same-origin`, `Cross-Origin-Resource-Policy: same-origin`,
 *   `Origin-Agent-Cluster: ?1`.
 * - `X-XSS-Protection: 0`: the legacy XSS auditor of old browsers is itself exploitable (it can
 *   be steered to blank out chosen scripts and leaks cross-origin data), so it is switched off;
 *   the CSP is the protection.
 * - `X-DNS-Prefetch-Control: off`, `X-Download-Options: noopen`,
 *   `X-Permitted-Cross-Domain-Policies: none`.
 * - `X-Powered-By` removed (it names the framework to attackers).
 * - `api` preset only: `Cache-Control: no-store` (a handler may still set its own).
 *
 * Throws `ERR_SREKIT_SECURITY_INVALID_OPTION` on an invalid directive or option.
 *
 * @example
 * ```ts
 * app.use(securityHeaders());                        // pages
 * api.use(securityHeaders({ preset: 'api' }));       // JSON
 * const headers = securityHeaders({ csp: { 'img-src': ["'self'", 'https://cdn.example'] } });
 * app.use(headers);
 * app.get('/embed', headers.csp({ 'frame-ancestors': ['https://partner.example'] }), embed);
 * ```
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): SecurityHeadersMiddleware {
  const preset = options.preset ?? HEADER_DEFAULTS.preset;
  if (preset !== 'web' && preset !== 'api') {
    invalidOption('preset', `unknown preset \`${String(preset)}\``, "Use 'web' or 'api'");
  }
  const presetDirectives = preset === 'api' ? API_CSP_DIRECTIVES : WEB_CSP_DIRECTIVES;
  const reportOnly = options.cspReportOnly ?? false;
  const directives =
    options.csp === false ? {} : mergeDirectives(presetDirectives, options.csp ?? {});
  const hsts = options.hsts;
  if (hsts && hsts.maxAgeSeconds !== undefined) {
    if (!Number.isInteger(hsts.maxAgeSeconds) || hsts.maxAgeSeconds < 0) {
      invalidOption(
        'hsts.maxAgeSeconds',
        `${hsts.maxAgeSeconds} is not a whole number of seconds`,
        'Use 31536000 (one year) or more in production',
      );
    }
  }
  const helmetMiddleware = buildHelmet({
    contentSecurityPolicy: options.csp === false ? false : helmetCsp(directives, reportOnly),
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: {
      policy: options.crossOriginOpenerPolicy ?? HEADER_DEFAULTS.crossOriginOpenerPolicy,
    },
    crossOriginResourcePolicy: {
      policy: options.crossOriginResourcePolicy ?? HEADER_DEFAULTS.crossOriginResourcePolicy,
    },
    originAgentCluster: true,
    referrerPolicy: { policy: options.referrerPolicy ?? HEADER_DEFAULTS.referrerPolicy },
    strictTransportSecurity:
      hsts === false
        ? false
        : {
            maxAge: hsts?.maxAgeSeconds ?? HEADER_DEFAULTS.hstsMaxAgeSeconds,
            includeSubDomains: hsts?.includeSubDomains ?? HEADER_DEFAULTS.hstsIncludeSubDomains,
            preload: hsts?.preload ?? HEADER_DEFAULTS.hstsPreload,
          },
    xContentTypeOptions: true,
    xDnsPrefetchControl: { allow: false },
    xDownloadOptions: true,
    xFrameOptions: { action: 'deny' },
    xPermittedCrossDomainPolicies: { permittedPolicies: 'none' },
    xPoweredBy: true,
    xXssProtection: true,
  });
  const permissionsPolicy =
    options.permissionsPolicy === false
      ? undefined
      : permissionsPolicyHeader(options.permissionsPolicy);
  const noStore = options.noStore ?? HEADER_DEFAULTS.noStore[preset];

  const middleware: HeaderMiddleware = (req, res, next) => {
    helmetMiddleware(req, res, (error) => {
      if (error) {
        next(error);
        return;
      }
      if (permissionsPolicy !== undefined) res.setHeader('Permissions-Policy', permissionsPolicy);
      if (noStore) res.setHeader('Cache-Control', 'no-store');
      next();
    });
  };

  const csp = (overrides: CspDirectives): HeaderMiddleware => {
    const routeDirectives = mergeDirectives(
      options.csp === false ? presetDirectives : directives,
      overrides,
    );
    const ancestors = routeDirectives['frame-ancestors'];
    // X-Frame-Options has no allowlist: keep DENY only while the CSP forbids framing too, or the
    // few browsers that read only X-Frame-Options would block the partner this route allows.
    const keepFrameOptions = ancestors?.length === 1 && ancestors[0] === "'none'";
    const setCsp = buildHelmet({
      contentSecurityPolicy: helmetCsp(routeDirectives, reportOnly),
      crossOriginEmbedderPolicy: false,
      crossOriginOpenerPolicy: false,
      crossOriginResourcePolicy: false,
      originAgentCluster: false,
      referrerPolicy: false,
      strictTransportSecurity: false,
      xContentTypeOptions: false,
      xDnsPrefetchControl: false,
      xDownloadOptions: false,
      xFrameOptions: false,
      xPermittedCrossDomainPolicies: false,
      xPoweredBy: false,
      xXssProtection: false,
    });
    return (req, res, next) => {
      if (!keepFrameOptions) res.removeHeader('X-Frame-Options');
      setCsp(req, res, next);
    };
  };

  return Object.assign(middleware, { directives, csp });
}
