/**
 * A few strings that a (RE2-style) regular expression matches, for synthesising label values
 * in promtool tests. Handles literals, `.`, escapes (`\d \w \s` and escaped punctuation),
 * classes with ranges and negation, groups, alternation and the quantifiers `? * + {n,m}`.
 * Callers verify each candidate with an anchored `RegExp`, so an unusual construct at worst
 * yields a candidate that is then rejected.
 */

type Node =
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'chars'; choices: string[] }
  | { kind: 'repeat'; node: Node; min: number; max: number };

const ANY_CHARS = ['a', 'x', '0', '1', '5', '_', '-', '.', '/'];
const CLASS_ESCAPES: Readonly<Record<string, string[]>> = {
  d: ['0', '1', '5', '9'],
  w: ['a', 'x', '0', '_'],
  s: [' '],
  D: ['a', 'x'],
  W: ['-', '.'],
  S: ['a', '0'],
};

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.pos < this.src.length) throw new Error('unbalanced');
    return node;
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.src[this.pos] === '|') {
      this.pos += 1;
      options.push(this.sequence());
    }
    return options.length === 1 ? (options[0] as Node) : { kind: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
      items.push(this.quantified(this.atom()));
    }
    return { kind: 'seq', items };
  }

  private quantified(node: Node): Node {
    const c = this.src[this.pos];
    let min: number;
    let max: number;
    if (c === '?') [min, max] = [0, 1];
    else if (c === '*') [min, max] = [0, 2];
    else if (c === '+') [min, max] = [1, 2];
    else if (c === '{') {
      const m = /^\{(\d+)(?:,(\d*))?\}/.exec(this.src.slice(this.pos));
      if (!m) return node;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[2] === '' ? min + 1 : Number(m[2]);
      this.pos += m[0].length - 1;
    } else return node;
    this.pos += 1;
    if (this.src[this.pos] === '?') this.pos += 1;
    return { kind: 'repeat', node, min, max };
  }

  private atom(): Node {
    const c = this.src[this.pos] as string;
    this.pos += 1;
    if (c === '(') {
      if (this.src[this.pos] === '?') {
        const m = /^\?(?::|P?<[^>]+>|[a-z]*:)/.exec(this.src.slice(this.pos));
        if (m) this.pos += m[0].length;
      }
      const inner = this.alternation();
      if (this.src[this.pos] !== ')') throw new Error('unclosed group');
      this.pos += 1;
      return inner;
    }
    if (c === '[') return this.charClass();
    if (c === '.') return { kind: 'chars', choices: ANY_CHARS };
    if (c === '^' || c === '$') return { kind: 'seq', items: [] };
    if (c === '\\') {
      const e = this.src[this.pos] as string;
      this.pos += 1;
      return { kind: 'chars', choices: CLASS_ESCAPES[e] ?? [e] };
    }
    return { kind: 'chars', choices: [c] };
  }

  private charClass(): Node {
    let negate = false;
    if (this.src[this.pos] === '^') {
      negate = true;
      this.pos += 1;
    }
    const members: string[] = [];
    const ranges: Array<[string, string]> = [];
    let first = true;
    while (this.pos < this.src.length && (this.src[this.pos] !== ']' || first)) {
      first = false;
      let c = this.src[this.pos] as string;
      this.pos += 1;
      if (c === '\\') {
        const e = this.src[this.pos] as string;
        this.pos += 1;
        const set = CLASS_ESCAPES[e];
        if (set) {
          members.push(...set);
          continue;
        }
        c = e;
      }
      if (
        this.src[this.pos] === '-' &&
        this.src[this.pos + 1] !== ']' &&
        this.pos + 1 < this.src.length
      ) {
        const end = this.src[this.pos + 1] as string;
        this.pos += 2;
        ranges.push([c, end]);
        continue;
      }
      members.push(c);
    }
    if (this.src[this.pos] !== ']') throw new Error('unclosed class');
    this.pos += 1;
    const inClass = (ch: string): boolean =>
      members.includes(ch) || ranges.some(([a, b]) => ch >= a && ch <= b);
    if (negate) {
      return { kind: 'chars', choices: [...ANY_CHARS, 'z', 'Q'].filter((ch) => !inClass(ch)) };
    }
    const choices = [...members];
    for (const [a, b] of ranges) {
      choices.push(a);
      if (b !== a) choices.push(b);
    }
    return { kind: 'chars', choices };
  }
}

function expand(node: Node, limit: number): string[] {
  switch (node.kind) {
    case 'chars':
      return node.choices.slice(0, limit);
    case 'alt':
      return node.options.flatMap((option) => expand(option, limit)).slice(0, limit);
    case 'seq': {
      let out = [''];
      for (const item of node.items) {
        const next: string[] = [];
        const parts = expand(item, limit);
        for (const prefix of out) for (const part of parts) next.push(prefix + part);
        out = next.slice(0, limit);
      }
      return out;
    }
    case 'repeat': {
      const out: string[] = [];
      for (let count = node.min; count <= node.max && out.length < limit; count += 1) {
        out.push(...expand({ kind: 'seq', items: Array(count).fill(node.node) }, limit));
      }
      return out.slice(0, limit);
    }
  }
}

/** Up to `limit` strings the regular expression (matched whole, as Prometheus does) accepts. */
export function sampleRegex(source: string, limit = 12): string[] {
  try {
    const candidates = expand(new Parser(source).parse(), limit);
    const anchored = new RegExp(`^(?:${source})$`);
    return [...new Set(candidates)].filter((candidate) => anchored.test(candidate));
  } catch {
    return [];
  }
}
