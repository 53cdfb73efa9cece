import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode } from './base32.js';
import { generateTotp, generateTotpSecret, hotp, type OtpAlgorithm, totpUri } from './otp.js';

const SEEDS: Record<OtpAlgorithm, Buffer> = {
  SHA1: Buffer.from('12345678901234567890'),
  SHA256: Buffer.from('12345678901234567890123456789012'),
  SHA512: Buffer.from('1234567890'.repeat(6).concat('1234')),
};

// RFC 6238 Appendix B (T0 = 0, X = 30, 8 digits).
const RFC6238: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

// RFC 4226 Appendix D.
const RFC4226 = [
  '755224',
  '287082',
  '359152',
  '969429',
  '338314',
  '254676',
  '287922',
  '162583',
  '399871',
  '520489',
];

describe('RFC 6238 Appendix B vectors', () => {
  for (const [seconds, sha1, sha256, sha512] of RFC6238) {
    for (const [algorithm, expected] of [
      ['SHA1', sha1],
      ['SHA256', sha256],
      ['SHA512', sha512],
    ] as [OtpAlgorithm, string][]) {
      it(`${algorithm} at T=${seconds}s is ${expected}`, () => {
        expect(generateTotp(SEEDS[algorithm], { time: seconds * 1000, digits: 8, algorithm })).toBe(
          expected,
        );
        expect(
          generateTotp(SEEDS[algorithm], {
            time: new Date(seconds * 1000),
            digits: 8,
            algorithm,
            step: 30,
          }),
        ).toBe(expected);
      });
    }
  }
});

describe('RFC 4226 HOTP vectors', () => {
  for (const [counter, expected] of RFC4226.entries()) {
    it(`counter ${counter} is ${expected}`, () => {
      expect(hotp(SEEDS.SHA1, counter)).toBe(expected);
      expect(hotp(base32Encode(SEEDS.SHA1), BigInt(counter))).toBe(expected);
    });
  }
});

describe('base32', () => {
  it('matches RFC 4648 test vectors and round-trips', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      expect(base32Decode(encoded)?.toString()).toBe(plain);
    }
    expect(base32Decode('mzxw 6ytb-oi======')?.toString()).toBe('foobar');
    expect(base32Decode('not base32!')).toBeUndefined();
  });
});

describe('secrets and enrolment URIs', () => {
  it('generates 160-bit base32 secrets that differ', () => {
    const a = generateTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(a)?.length).toBe(20);
    expect(generateTotpSecret()).not.toBe(a);
    expect(() => generateTotpSecret(8)).toThrow(/bytes/);
  });

  it('builds an otpauth URI with every parameter, percent-encoded', () => {
    const uri = totpUri({
      secret: SEEDS.SHA1,
      issuer: 'Acme & Co',
      account: 'alice+mfa@example.com',
      algorithm: 'SHA256',
      digits: 8,
      period: 30,
    });
    expect(uri).toBe(
      'otpauth://totp/Acme%20%26%20Co:alice%2Bmfa%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20%26%20Co&algorithm=SHA256&digits=8&period=30',
    );
    const parsed = new URL(uri);
    expect(parsed.searchParams.get('issuer')).toBe('Acme & Co');
    expect(decodeURIComponent(parsed.pathname.split(':')[1] ?? '')).toBe('alice+mfa@example.com');
  });

  it('refuses a ":" in issuer or account and bad parameters', () => {
    expect(() => totpUri({ secret: SEEDS.SHA1, issuer: 'a:b', account: 'x' })).toThrow(/issuer/);
    expect(() => totpUri({ secret: SEEDS.SHA1, issuer: 'a', account: 'x:y' })).toThrow(/account/);
    expect(() => generateTotp(SEEDS.SHA1, { digits: 5 })).toThrow(/digits/);
    expect(() => generateTotp(SEEDS.SHA1, { algorithm: 'MD5' as OtpAlgorithm })).toThrow(
      /algorithm/,
    );
    expect(() => hotp('!!', 0)).toThrow(/secret/);
  });
});
