import { describe, expect, it } from 'vitest';
import { DISABLED_BROWSER_FEATURES } from '../defaults.js';
import { SECURITY_ERROR_CODES } from '../errors.js';
import { permissionsPolicyHeader } from './permissions-policy.js';
import { securityHeaders } from './security-headers.js';

describe('permissionsPolicyHeader', () => {
  it('turns every default feature off', () => {
    const header = permissionsPolicyHeader();
    expect(header.split(', ')).toEqual(DISABLED_BROWSER_FEATURES.map((f) => `${f}=()`));
  });

  it('serialises self, *, origins and CSP-style quoted keywords', () => {
    const header = permissionsPolicyHeader({
      geolocation: ["'self'", 'https://maps.example'],
      fullscreen: ['*'],
      camera: ['self'],
    });
    expect(header).toContain('geolocation=(self "https://maps.example")');
    expect(header).toContain('fullscreen=*');
    expect(header).toContain('camera=(self)');
  });

  it.each([
    [{ Camera: [] }],
    [{ 'camera;': [] }],
    [{ camera: ['evil"),x=('] }],
    [{ camera: ['javascript:alert(1)'] }],
    [{ camera: ['https://a.example\u0000'] }],
    [{ camera: ['https://a.example\r\nX-Injected: 1'] }],
  ])('refuses a header-injecting or malformed entry %j', (overrides) => {
    expect(() => permissionsPolicyHeader(overrides)).toThrow(
      expect.objectContaining({ code: SECURITY_ERROR_CODES.INVALID_OPTION }),
    );
  });
});

describe('securityHeaders construction', () => {
  it('refuses an unknown preset', () => {
    expect(() => securityHeaders({ preset: 'pages' as 'web' })).toThrow(/unknown preset `pages`/);
  });

  it('refuses a CSP without default-src', () => {
    expect(() => securityHeaders({ csp: { 'default-src': null } })).toThrow(
      expect.objectContaining({ code: SECURITY_ERROR_CODES.INVALID_OPTION }),
    );
  });

  it("turns helmet's CSP validation errors into INVALID_OPTION (unquoted keyword)", () => {
    expect(() => securityHeaders({ csp: { 'script-src': ['self'] } })).toThrow(
      expect.objectContaining({ code: SECURITY_ERROR_CODES.INVALID_OPTION }),
    );
  });

  it.each([
    [
      'a CRLF (Node would refuse the header on every request)',
      'https://a.example\r\nX-Injected: 1',
    ],
    ['a space (two sources in one item)', "https://a.example 'unsafe-inline'"],
    ['a semicolon (a second directive)', "'self'; script-src *"],
    ['a comma (a second policy)', "'self', script-src *"],
  ])('refuses a CSP value with %s', (_name, value) => {
    expect(() => securityHeaders({ csp: { 'img-src': [value] } })).toThrow(
      expect.objectContaining({ code: SECURITY_ERROR_CODES.INVALID_OPTION }),
    );
    expect(() => securityHeaders().csp({ 'img-src': [value] })).toThrow(
      expect.objectContaining({ code: SECURITY_ERROR_CODES.INVALID_OPTION }),
    );
  });

  it('refuses a negative HSTS max-age', () => {
    expect(() => securityHeaders({ hsts: { maxAgeSeconds: -1 } })).toThrow(/hsts.maxAgeSeconds/);
  });

  it('exposes the merged directives; null removes one', () => {
    const headers = securityHeaders({
      csp: { 'upgrade-insecure-requests': null, 'img-src': ["'self'"] },
    });
    expect(headers.directives['upgrade-insecure-requests']).toBeUndefined();
    expect(headers.directives['img-src']).toEqual(["'self'"]);
    expect(headers.directives['base-uri']).toEqual(["'none'"]);
  });

  it('validates a per-route override at construction', () => {
    const headers = securityHeaders();
    expect(() => headers.csp({ 'script-src': ['unsafe-inline'] })).toThrow(
      expect.objectContaining({ code: SECURITY_ERROR_CODES.INVALID_OPTION }),
    );
  });
});
