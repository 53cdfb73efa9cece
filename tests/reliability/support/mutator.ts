/**
 * A seeded text mutator for the fuzz tests: byte-level edits (flips, deletions, duplications) and
 * YAML/JSON-structural ones (wrong types, deep nesting, huge strings and numbers, unicode,
 * anchors and aliases, tabs). The same seed gives the same inputs, so a failure replays exactly.
 */

/** mulberry32: a small seeded PRNG returning numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Helpers over one PRNG. */
export class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Values of the wrong type or of absurd size, as YAML text. */
export const HOSTILE_SCALARS: readonly string[] = [
  '[]',
  '{}',
  'null',
  '~',
  'true',
  'no',
  '-1',
  '0',
  '-0',
  '1e309',
  '-1e309',
  '.nan',
  '.inf',
  '99999999999999999999999999999999',
  '0x7fffffffffffffff',
  '1_000',
  '99.9999999999999999999',
  '"99.9"',
  "'1h'",
  '"𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ⚡ 名前"',
  '"\\u202e\\u0000\\ud800"',
  '!!binary aGVsbG8=',
  '!!str 1',
  '!!int "x"',
  '!custom tag',
  '*undefined_alias',
  '&anchor value',
  '|\n  block\n  text',
  '>-\n  folded',
  '"unterminated',
  "'also unterminated",
  '{{.window}}',
  '5m30x',
  '-5m',
  '0s',
  '1000000d',
  '9007199254740993',
];

/** Structural fragments spliced in at random places. */
const FRAGMENTS: readonly string[] = [
  ': ',
  '- ',
  '-',
  '{',
  '}',
  '[',
  ']',
  ',',
  '&a ',
  '*a',
  '<<: *a',
  '? ',
  '!!map ',
  '\t',
  '  \t ',
  '"',
  "'",
  '|',
  '>',
  '#',
  '\n---\n',
  '\n...\n',
  '%YAML 1.2\n',
  '\u00a0',
  '\ufeff',
  '\u2028',
  '\r',
  '\r\n',
  '\\',
  '\0',
  '🙂',
  '\ud800',
];

/** Sizes of the huge values, in characters and nesting levels. */
export interface MutatorLimits {
  readonly hugeChars: number;
  readonly nestingDepth: number;
}

/** 8 k characters and 5 000 levels: large enough to cross every parser's fast paths. */
export const DEFAULT_LIMITS: MutatorLimits = { hugeChars: 8_000, nestingDepth: 5_000 };

function hugeString(rng: Rng, limits: MutatorLimits): string {
  const unit = rng.pick(['x', 'é', '🙂', 'a b ', '\\n']);
  const chars = limits.hugeChars / 4 + rng.int((limits.hugeChars * 3) / 4);
  return `"${unit.repeat(Math.ceil(chars / unit.length))}"`;
}

function deepNesting(rng: Rng, limits: MutatorLimits): string {
  const depth = 100 + rng.int(limits.nestingDepth);
  return rng.chance(0.5)
    ? `${'['.repeat(depth)}${']'.repeat(rng.chance(0.5) ? depth : rng.int(depth))}`
    : `${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`;
}

function aliasBomb(rng: Rng): string {
  const levels = 3 + rng.int(8);
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < levels; i++) {
    lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(',')}]`);
  }
  return lines.join('\n');
}

/** The kinds of mutation, for the counts the tests report. */
export const MUTATIONS = [
  'flip',
  'delete',
  'duplicate',
  'fragment',
  'wrong-type',
  'huge-string',
  'huge-number',
  'deep-nesting',
  'alias-bomb',
  'tabs',
  'swap-lines',
  'indent',
  'unicode-key',
  'truncate',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

/** One mutation of `text`; returns the new text and which mutation it was. */
export function mutateOnce(
  text: string,
  rng: Rng,
  limits: MutatorLimits = DEFAULT_LIMITS,
): { text: string; kind: Mutation } {
  const kind = rng.pick(MUTATIONS);
  const at = rng.int(text.length + 1);
  const lines = text.split('\n');
  const line = rng.int(lines.length);
  const valueLine = (value: string): string => {
    // Replace the value after the first `: ` of a random line holding one (or append it).
    const candidates = lines.map((l, i) => (l.includes(': ') ? i : -1)).filter((i) => i >= 0);
    const i = candidates.length > 0 ? rng.pick(candidates) : line;
    const current = lines[i] ?? '';
    const colon = current.indexOf(': ');
    lines[i] = colon >= 0 ? `${current.slice(0, colon + 2)}${value}` : `${current}: ${value}`;
    return lines.join('\n');
  };
  switch (kind) {
    case 'flip': {
      const code = rng.chance(0.7) ? rng.int(128) : rng.int(0x3000);
      return {
        kind,
        text: text.slice(0, at) + String.fromCharCode(code) + text.slice(at + 1),
      };
    }
    case 'delete': {
      const length = 1 + rng.int(rng.chance(0.8) ? 8 : 200);
      return { kind, text: text.slice(0, at) + text.slice(at + length) };
    }
    case 'duplicate': {
      const length = 1 + rng.int(rng.chance(0.5) ? 16 : 400);
      return { kind, text: text.slice(0, at + length) + text.slice(at) };
    }
    case 'fragment':
      return { kind, text: text.slice(0, at) + rng.pick(FRAGMENTS) + text.slice(at) };
    case 'wrong-type':
      return { kind, text: valueLine(rng.pick(HOSTILE_SCALARS)) };
    case 'huge-string':
      return { kind, text: valueLine(hugeString(rng, limits)) };
    case 'huge-number':
      return {
        kind,
        text: valueLine(
          rng.pick(['9', '1', '0.', '-']) + '9'.repeat(300 + rng.int(limits.hugeChars)),
        ),
      };
    case 'deep-nesting':
      return { kind, text: valueLine(deepNesting(rng, limits)) };
    case 'alias-bomb':
      return {
        kind,
        text: rng.chance(0.5) ? `${aliasBomb(rng)}\n${text}` : `${text}\n${aliasBomb(rng)}`,
      };
    case 'tabs':
      return { kind, text: text.replace(/^( +)/gm, (s) => (rng.chance(0.3) ? '\t' : s)) };
    case 'swap-lines': {
      const other = rng.int(lines.length);
      const a = lines[line] ?? '';
      lines[line] = lines[other] ?? '';
      lines[other] = a;
      return { kind, text: lines.join('\n') };
    }
    case 'indent': {
      const current = lines[line] ?? '';
      lines[line] = rng.chance(0.5) ? `  ${current}` : current.replace(/^ {1,2}/, '');
      return { kind, text: lines.join('\n') };
    }
    case 'unicode-key': {
      const current = lines[line] ?? '';
      lines[line] = current.replace(/([a-z_]+):/i, (_m, key: string) => {
        const variant = rng.pick([
          key.toUpperCase(),
          `${key}\u200b`,
          key.replace(/o/g, 'о'), // Cyrillic o
          `${key}${key}`,
          `"${key}"`,
          `? ${key}\n`,
        ]);
        return `${variant}:`;
      });
      return { kind, text: lines.join('\n') };
    }
    case 'truncate':
      return { kind, text: text.slice(0, at) };
  }
}

/** 1 to `max` stacked mutations of `text`. */
export function mutate(
  text: string,
  rng: Rng,
  max = 3,
  limits: MutatorLimits = DEFAULT_LIMITS,
): { text: string; kinds: readonly Mutation[] } {
  const kinds: Mutation[] = [];
  let out = text;
  const n = 1 + rng.int(max);
  for (let i = 0; i < n; i++) {
    const step = mutateOnce(out, rng, limits);
    out = step.text;
    kinds.push(step.kind);
  }
  return { text: out, kinds };
}
