/**
 * PHC string format (https://github.com/P-H-C/phc-string-format): `$id[$v=version]$params$salt$hash`.
 * srekit adds the standard `keyid` parameter to name the pepper a hash was made with.
 */

/** A parsed PHC string. */
export interface PhcHash {
  readonly id: string;
  readonly version?: number;
  readonly params: Readonly<Record<string, string>>;
  readonly salt: string;
  readonly hash: string;
}

const ID = /^[a-z0-9-]{1,32}$/;
const PARAM = /^[a-z0-9-]{1,32}=[A-Za-z0-9/+.-]{1,64}$/;
const B64 = /^[A-Za-z0-9+/]{1,1024}$/;

/** Parses `text`, or returns `undefined` when it is not a well-formed PHC string. */
export function parsePhc(text: string): PhcHash | undefined {
  if (typeof text !== 'string' || text.length > 4096) return undefined;
  const parts = text.split('$');
  if (parts[0] !== '' || parts.length < 5 || parts.length > 6) return undefined;
  const id = parts[1] ?? '';
  if (!ID.test(id)) return undefined;
  let i = 2;
  let version: number | undefined;
  if (parts.length === 6) {
    const v = /^v=(\d{1,5})$/.exec(parts[2] ?? '');
    if (!v) return undefined;
    version = Number(v[1]);
    i = 3;
  }
  const params: Record<string, string> = {};
  for (const pair of (parts[i] ?? '').split(',')) {
    if (!PARAM.test(pair)) return undefined;
    const [key, value] = pair.split('=') as [string, string];
    if (key in params) return undefined;
    params[key] = value;
  }
  const salt = parts[i + 1] ?? '';
  const hash = parts[i + 2] ?? '';
  if (!B64.test(salt) || !B64.test(hash)) return undefined;
  return { id, ...(version === undefined ? {} : { version }), params, salt, hash };
}

/** Formats a PHC string; parameters keep the given order. */
export function formatPhc(phc: PhcHash): string {
  const params = Object.entries(phc.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const version = phc.version === undefined ? '' : `$v=${phc.version}`;
  return `$${phc.id}${version}$${params}$${phc.salt}$${phc.hash}`;
}

/** Unpadded standard base64, as PHC strings use. */
export function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}

/** Decodes unpadded standard base64. */
export function unb64(text: string): Buffer {
  return Buffer.from(text, 'base64');
}
