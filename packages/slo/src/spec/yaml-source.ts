import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  type Scalar,
  visit,
} from 'yaml';
import type { SourceLocation } from '../types.js';

/** A path into a YAML document: map keys and sequence indexes. */
export type FieldPath = readonly (string | number)[];

/** One YAML document of a spec file, with what is needed to point at its nodes. */
export interface SpecDocument {
  readonly file: string;
  /** Zero-based position of the document in its file (`---` separated). */
  readonly index: number;
  readonly document: Document.Parsed;
  readonly lineCounter: LineCounter;
  /** The document as plain data (maps → objects, sequences → arrays). */
  readonly data: unknown;
  /** The whole text of the file the document was read from. */
  readonly text: string;
}

/** A YAML syntax error, located. */
export interface SyntaxProblem {
  readonly location: SourceLocation;
  readonly message: string;
}

/** The documents of a file and its syntax errors (documents with errors are left out). */
export interface ReadDocumentsResult {
  readonly documents: readonly SpecDocument[];
  readonly syntaxErrors: readonly SyntaxProblem[];
  /** Number of documents that hold anything at all, including the broken ones. */
  readonly nonEmptyCount: number;
}

/**
 * Splits a YAML (or JSON) text into its documents, keeping node ranges so every later problem
 * can point at a line and column. A document with a syntax error is reported and left out; the
 * others are still read.
 */
export function readDocuments(text: string, file: string): ReadDocumentsResult {
  const lineCounter = new LineCounter();
  // logLevel 'error': the library would otherwise print process warnings (e.g. for mapping keys
  // that are collections); such keys surface as unknown fields with a location instead.
  const parsed = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    logLevel: 'error',
  });
  const all = Array.isArray(parsed) ? parsed : [parsed];
  const documents: SpecDocument[] = [];
  const syntaxErrors: SyntaxProblem[] = [];
  let nonEmptyCount = 0;
  all.forEach((document, index) => {
    const empty = document.contents === null || document.contents === undefined;
    if (!empty) nonEmptyCount += 1;
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        syntaxErrors.push({
          location: locationAt(file, lineCounter, error.pos[0]),
          message: firstLine(error.message),
        });
      }
      return;
    }
    if (empty) return;
    let data: unknown;
    try {
      data = document.toJS({ maxAliasCount: 100 });
    } catch (error) {
      // Unresolvable aliases and alias bombs only fail when the document is turned into data.
      syntaxErrors.push({
        location: locationAt(file, lineCounter, brokenAliasOffset(document) ?? document.range[0]),
        message: firstLine(error instanceof Error ? error.message : String(error)),
      });
      return;
    }
    documents.push({ file, index, document, lineCounter, text, data });
  });
  return { documents, syntaxErrors, nonEmptyCount };
}

/** Offset of the first alias that names no anchor defined before it. */
function brokenAliasOffset(document: Document.Parsed): number | undefined {
  let offset: number | undefined;
  visit(document, {
    Alias(_key, node) {
      if (node.resolve(document) === undefined) {
        offset = node.range?.[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return offset;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/[.:]\s*$/, '');
}

/** The location of a character offset in a file. */
export function locationAt(file: string, lineCounter: LineCounter, offset: number): SourceLocation {
  const { line, col } = lineCounter.linePos(offset);
  return { file, line, column: col };
}

/** Where a problem points: the key of a field (unknown fields) or its value (bad values). */
export type LocateTarget = 'key' | 'value';

/**
 * The node at `path`, or the nearest ancestor that exists, and whether it was found exactly.
 */
function nodeAt(
  document: Document.Parsed,
  path: FieldPath,
): { node: Node | null; exact: boolean; depth: number } {
  let node: unknown = document.contents;
  for (let depth = 0; depth < path.length; depth += 1) {
    const next = childOf(node, path[depth] as string | number);
    if (next === undefined) return { node: node as Node | null, exact: false, depth };
    node = next;
  }
  return { node: node as Node | null, exact: true, depth: path.length };
}

function childOf(node: unknown, key: string | number): unknown {
  if (isMap(node)) {
    const pair = node.items.find(
      (item) => isScalar(item.key) && String(item.key.value) === String(key),
    );
    return pair ? (pair.value ?? pair.key) : undefined;
  }
  if (isSeq(node) && typeof key === 'number') return node.items[key];
  return undefined;
}

/** The key node of the pair at `path` (for a map entry), if there is one. */
function keyNodeAt(document: Document.Parsed, path: FieldPath): Node | undefined {
  if (path.length === 0) return undefined;
  const parent = nodeAt(document, path.slice(0, -1));
  if (!parent.exact || !isMap(parent.node)) return undefined;
  const last = path[path.length - 1];
  const pair = parent.node.items.find(
    (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(last),
  );
  return pair && isScalar(pair.key) ? (pair.key as Node) : undefined;
}

/**
 * The location of the field at `path`: its key or its value. A field that does not exist (a
 * required field left out) points at the key of the nearest enclosing field that does, so the
 * reader lands on the object that misses it.
 */
export function locate(
  spec: SpecDocument,
  path: FieldPath,
  target: LocateTarget = 'value',
): SourceLocation {
  const { document } = spec;
  const found = nodeAt(document, path);
  if (found.exact) {
    if (target === 'key') {
      const key = keyNodeAt(document, path);
      if (key?.range) return locationAt(spec.file, spec.lineCounter, key.range[0]);
    }
    const range = found.node?.range;
    if (range) return locationAt(spec.file, spec.lineCounter, range[0]);
  }
  // Missing field: the key of the deepest existing ancestor, else that ancestor itself.
  for (let depth = found.depth; depth > 0; depth -= 1) {
    const key = keyNodeAt(document, path.slice(0, depth));
    if (key?.range) return locationAt(spec.file, spec.lineCounter, key.range[0]);
    const ancestor = nodeAt(document, path.slice(0, depth));
    if (ancestor.exact && ancestor.node?.range) {
      return locationAt(spec.file, spec.lineCounter, ancestor.node.range[0]);
    }
  }
  const root = document.contents?.range;
  return locationAt(spec.file, spec.lineCounter, root ? root[0] : 0);
}

/** The scalar node at `path`, if the value there is a scalar. */
export function scalarAt(spec: SpecDocument, path: FieldPath): Scalar | undefined {
  const found = nodeAt(spec.document, path);
  return found.exact && isScalar(found.node) ? found.node : undefined;
}

/**
 * The location of character `offset` inside the string scalar at `path` (a PromQL error inside a
 * query). Exact for plain and quoted one-line scalars without escapes and for literal block
 * scalars (`|`); otherwise the scalar's start.
 */
export function locateInScalar(
  spec: SpecDocument,
  path: FieldPath,
  offset: number,
): SourceLocation {
  const scalar = scalarAt(spec, path);
  const range = scalar?.range;
  if (!scalar || !range || typeof scalar.value !== 'string') return locate(spec, path);
  const value = scalar.value;
  const source = spec.text.slice(range[0], range[1]);
  const start = range[0];
  switch (scalar.type) {
    case 'PLAIN':
    case 'QUOTE_SINGLE':
    case 'QUOTE_DOUBLE': {
      const quote = scalar.type === 'PLAIN' ? 0 : 1;
      // Only when the source between the quotes is the value itself (no escapes, one line).
      if (source.slice(quote, quote + value.length) === value && !value.includes('\n')) {
        return locationAt(spec.file, spec.lineCounter, start + quote + offset);
      }
      break;
    }
    case 'BLOCK_LITERAL': {
      const position = blockLiteralPosition(spec, start, value, offset);
      if (position) return position;
      break;
    }
    default:
      break;
  }
  return locationAt(spec.file, spec.lineCounter, start);
}

function blockLiteralPosition(
  spec: SpecDocument,
  start: number,
  value: string,
  offset: number,
): SourceLocation | undefined {
  const before = value.slice(0, offset);
  const lineInValue = before.split('\n').length - 1;
  const columnInLine = offset - (before.lastIndexOf('\n') + 1);
  const header = spec.lineCounter.linePos(start);
  // Content starts on the line after the `|` header, indented by the first non-empty line's indent.
  const starts = spec.lineCounter.lineStarts;
  let indent = 0;
  for (let line = header.line; line < starts.length; line += 1) {
    const from = starts[line] as number;
    const to = starts[line + 1] ?? spec.text.length;
    const text = spec.text.slice(from, to).replace(/\r?\n$/, '');
    if (text.trim().length > 0) {
      indent = text.length - text.trimStart().length;
      break;
    }
  }
  const contentLine = header.line + 1 + lineInValue;
  if (contentLine > starts.length) return undefined;
  return { file: spec.file, line: contentLine, column: indent + columnInLine + 1 };
}
