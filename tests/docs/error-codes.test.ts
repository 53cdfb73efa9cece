import { readFile } from 'node:fs/promises';
import { CLI_ERROR_CODES } from '@srekit/cli';
import { ERROR_CODES, helpUrl } from '@srekit/core';
import { ENGINE_ERROR_CODES } from '@srekit/engine';
import { SECURITY_ERROR_CODES } from '@srekit/security';
import { RULES_ERROR_CODES, SLO_ERROR_CODES } from '@srekit/slo';
import { describe, expect, it } from 'vitest';

const doc = await readFile(new URL('../../docs/error-codes.md', import.meta.url), 'utf8');

describe('docs/error-codes.md', () => {
  const codes = [
    ...Object.values(ERROR_CODES),
    ...Object.values(SLO_ERROR_CODES),
    ...Object.values(RULES_ERROR_CODES),
    ...Object.values(SECURITY_ERROR_CODES),
    ...Object.values(ENGINE_ERROR_CODES),
    ...Object.values(CLI_ERROR_CODES),
  ];

  it.each(codes)('documents %s under the anchor its help link points to', (code) => {
    const anchor = helpUrl(code).split('#')[1];
    expect(doc).toContain(`<a id="${anchor}"></a>`);
    expect(doc).toContain(`](#${anchor})`);
  });

  it('documents no code that the packages do not define', () => {
    const documented = [...doc.matchAll(/<a id="(err-srekit-[a-z-]+)"><\/a>/g)].map((m) => m[1]);
    const known = new Set(codes.map((code) => helpUrl(code).split('#')[1]));
    expect(documented.filter((anchor) => !known.has(anchor))).toEqual([]);
  });
});
