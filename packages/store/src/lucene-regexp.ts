/**
 * Elasticsearch's `regexp` query speaks Lucene's regular expression syntax, which no engine we store in does:
 * this module reads it and writes the same language in the subset of syntax that RE2, PostgreSQL's regular
 * expressions and PCRE read alike (the Filter model's `regexp` pattern): literals (punctuation escaped with
 * `\`), `.`, bracket classes, `(?:…)` groups, `|`, and the quantifiers `* + ? {n} {n,} {n,m}`. No anchors (the
 * pattern matches a whole value, adapters anchor it), no back-references, no class shorthands: nothing an
 * engine reads differently. Lucene's `@` (any string) and `#` (no string) are rewritten; its intersection,
 * complement and interval operators have no equivalent there and are refused by name.
 *
 * Bounds: Elasticsearch's own 1000-character limit on the expression, and repetition counts up to 255, the
 * largest PostgreSQL accepts; the parser compiles the result with RE2 too, which refuses what grows too large.
 */
import { tesseraError } from '@tessera/plugin-sdk';

/** Lucene's optional operators, which Elasticsearch's `flags` turn on (all of them by default). */
export type LuceneOperator = 'ANYSTRING' | 'COMPLEMENT' | 'EMPTY' | 'INTERSECTION' | 'INTERVAL';

const OPERATORS: readonly LuceneOperator[] = ['ANYSTRING', 'COMPLEMENT', 'EMPTY', 'INTERSECTION', 'INTERVAL'];

/** Elasticsearch's `index.max_regex_length` default. */
export const MAX_REGEXP_LENGTH = 1000;
/** PostgreSQL's largest repetition count (RE_DUP_MAX). */
export const MAX_REPETITION = 255;

/**
 * The operators `flags` turns on: `ALL` (Elasticsearch's default), `NONE`, or operator names joined by `|`.
 * Null when `flags` is none of these.
 */
export function readLuceneFlags(flags: string): ReadonlySet<LuceneOperator> | null {
  const names = flags.split('|').map((name) => name.trim().toUpperCase());
  const enabled = new Set<LuceneOperator>();
  for (const name of names) {
    if (name === 'ALL') OPERATORS.forEach((operator) => enabled.add(operator));
    else if (name === 'NONE') continue;
    else if ((OPERATORS as readonly string[]).includes(name)) enabled.add(name as LuceneOperator);
    else return null;
  }
  return enabled;
}

/** The parsed expression. `none` is the empty language (matches no string), `epsilon` the empty string. */
type Node =
  | { readonly t: 'none' }
  | { readonly t: 'epsilon' }
  | { readonly t: 'char'; readonly char: string }
  | { readonly t: 'any' }
  | {
      readonly t: 'class';
      readonly negated: boolean;
      readonly ranges: readonly (readonly [string, string])[];
    }
  | { readonly t: 'concat'; readonly parts: readonly Node[] }
  | { readonly t: 'union'; readonly options: readonly Node[] }
  | { readonly t: 'repeat'; readonly node: Node; readonly min: number; readonly max: number | null };

const NONE: Node = { t: 'none' };
const EPSILON: Node = { t: 'epsilon' };
const ANY: Node = { t: 'any' };

const DIGIT: [string, string][] = [['0', '9']];
const SPACE: [string, string][] = [
  [' ', ' '],
  ['\t', '\t'],
  ['\n', '\n'],
  ['\r', '\r'],
];
const WORD: [string, string][] = [
  ['a', 'z'],
  ['A', 'Z'],
  ['0', '9'],
  ['_', '_'],
];

/** Lucene's shorthand classes (`\d`, `\s`, `\w`, and upper case for their negations). */
const SHORTHANDS: Readonly<Record<string, { negated: boolean; ranges: [string, string][] }>> = {
  d: { negated: false, ranges: DIGIT },
  D: { negated: true, ranges: DIGIT },
  s: { negated: false, ranges: SPACE },
  S: { negated: true, ranges: SPACE },
  w: { negated: false, ranges: WORD },
  W: { negated: true, ranges: WORD },
};

export class LuceneRegexpError extends Error {}

/**
 * Translates a Lucene regular expression into the Filter model's pattern, or null when it matches no string
 * at all (Lucene's `#`). Throws LuceneRegexpError on a malformed expression or an operator we cannot express.
 */
export function translateLuceneRegexp(source: string, operators: ReadonlySet<LuceneOperator>): string | null {
  if (source.length > MAX_REGEXP_LENGTH) {
    throw tesseraError(
      'services.storage.query_too_complex',
      `a regular expression longer than ${MAX_REGEXP_LENGTH} characters`,
    );
  }
  const node = new LuceneParser(Array.from(source), operators).parse();
  return node.t === 'none' ? null : emit(node);
}

class LuceneParser {
  private at = 0;

  constructor(
    private readonly chars: readonly string[],
    private readonly operators: ReadonlySet<LuceneOperator>,
  ) {}

  parse(): Node {
    const node = this.union();
    if (this.at < this.chars.length) this.fail(`unexpected "${this.peek() ?? ''}" at position ${this.at}`);
    return node;
  }

  private peek(): string | undefined {
    return this.chars[this.at];
  }

  private fail(reason: string): never {
    throw new LuceneRegexpError(reason);
  }

  private unsupported(operator: string, name: LuceneOperator): never {
    this.fail(`the ${name.toLowerCase()} operator "${operator}" is not supported (flags can turn it off)`);
  }

  private union(): Node {
    const options = [this.intersection()];
    while (this.peek() === '|') {
      this.at += 1;
      options.push(this.intersection());
    }
    return union(options);
  }

  private intersection(): Node {
    const node = this.concat();
    if (this.peek() === '&' && this.operators.has('INTERSECTION')) this.unsupported('&', 'INTERSECTION');
    return node;
  }

  private concat(): Node {
    const parts: Node[] = [];
    for (let next = this.peek(); next !== undefined && next !== '|' && next !== ')'; next = this.peek()) {
      if (next === '&' && this.operators.has('INTERSECTION')) break;
      parts.push(this.repeat());
    }
    return concat(parts);
  }

  private repeat(): Node {
    let node = this.complement();
    for (;;) {
      const next = this.peek();
      if (next === '*') node = repeat(node, 0, null);
      else if (next === '+') node = repeat(node, 1, null);
      else if (next === '?') node = repeat(node, 0, 1);
      else if (next === '{') {
        this.at += 1;
        const [min, max] = this.bounds();
        node = repeat(node, min, max);
        continue;
      } else return node;
      this.at += 1;
    }
  }

  /** `{n}`, `{n,}` or `{n,m}`, the opening brace read. */
  private bounds(): [number, number | null] {
    const min = this.number();
    let max: number | null = min;
    if (this.peek() === ',') {
      this.at += 1;
      max = this.peek() === '}' ? null : this.number();
    }
    if (this.peek() !== '}') this.fail('a repetition {n}, {n,} or {n,m}');
    this.at += 1;
    if (max !== null && max < min)
      this.fail(`a repetition {${min},${max}} whose maximum is below its minimum`);
    if ((max ?? min) > MAX_REPETITION) this.fail(`a repetition count above ${MAX_REPETITION}`);
    return [min, max];
  }

  private number(): number {
    let digits = '';
    for (let next = this.peek(); next !== undefined && /[0-9]/.test(next); next = this.peek()) {
      digits += next;
      this.at += 1;
    }
    if (digits === '') this.fail('a number in a repetition {n,m}');
    return Number(digits);
  }

  private complement(): Node {
    if (this.peek() === '~' && this.operators.has('COMPLEMENT')) this.unsupported('~', 'COMPLEMENT');
    return this.simple();
  }

  private simple(): Node {
    const next = this.peek();
    if (next === undefined) this.fail('an expression');
    this.at += 1;
    switch (next) {
      case '.':
        return ANY;
      case '[':
        return this.bracket();
      case '(': {
        if (this.peek() === ')') {
          this.at += 1;
          return EPSILON;
        }
        const inner = this.union();
        if (this.peek() !== ')') this.fail('a closing ")"');
        this.at += 1;
        return inner;
      }
      case '"':
        return this.quoted();
      case '\\':
        return this.escaped();
      case '*':
      case '+':
      case '?':
      case '{':
      case ')':
      case ']':
      case '}':
        return this.fail(`"${next}" with nothing to apply to`);
      default:
        return this.optional(next) ?? { t: 'char', char: next };
    }
  }

  /** Lucene's optional operators that stand for an expression: `@`, `#`, `<…>`. */
  private optional(char: string): Node | null {
    if (char === '@' && this.operators.has('ANYSTRING')) return repeat(ANY, 0, null);
    if (char === '#' && this.operators.has('EMPTY')) return NONE;
    if (char === '<' && this.operators.has('INTERVAL')) this.unsupported('<n-m>', 'INTERVAL');
    return null;
  }

  private quoted(): Node {
    const parts: Node[] = [];
    for (let next = this.peek(); next !== '"'; next = this.peek()) {
      if (next === undefined) this.fail("a closing '\"'");
      parts.push({ t: 'char', char: next });
      this.at += 1;
    }
    this.at += 1;
    return concat(parts);
  }

  private escaped(): Node {
    const char = this.peek();
    if (char === undefined) this.fail('a character after "\\"');
    this.at += 1;
    const shorthand = SHORTHANDS[char];
    return shorthand === undefined ? { t: 'char', char } : { t: 'class', ...shorthand };
  }

  private bracket(): Node {
    const negated = this.peek() === '^';
    if (negated) this.at += 1;
    const ranges: [string, string][] = [];
    for (let next = this.peek(); next !== ']'; next = this.peek()) {
      if (next === undefined) this.fail('a closing "]"');
      const low = this.classChar();
      if (this.peek() === '-' && this.chars[this.at + 1] !== ']' && this.chars[this.at + 1] !== undefined) {
        this.at += 1;
        const high = this.classChar();
        if ((low.codePointAt(0) ?? 0) > (high.codePointAt(0) ?? 0))
          this.fail(`a range [${low}-${high}] out of order`);
        ranges.push([low, high]);
      } else ranges.push([low, low]);
    }
    this.at += 1;
    if (ranges.length === 0) this.fail('a character class with at least one character');
    return { t: 'class', negated, ranges };
  }

  private classChar(): string {
    const char = this.peek();
    if (char === undefined) this.fail('a closing "]"');
    this.at += 1;
    if (char !== '\\') return char;
    const escaped = this.peek();
    if (escaped === undefined) this.fail('a character after "\\"');
    this.at += 1;
    return escaped;
  }
}

function concat(parts: readonly Node[]): Node {
  if (parts.some((part) => part.t === 'none')) return NONE;
  const kept = parts.filter((part) => part.t !== 'epsilon');
  if (kept.length === 0) return EPSILON;
  return kept.length === 1 && kept[0] !== undefined ? kept[0] : { t: 'concat', parts: kept };
}

function union(options: readonly Node[]): Node {
  const kept = options.filter((option) => option.t !== 'none');
  if (kept.length === 0) return NONE;
  return kept.length === 1 && kept[0] !== undefined ? kept[0] : { t: 'union', options: kept };
}

function repeat(node: Node, min: number, max: number | null): Node {
  if (node.t === 'none') return min === 0 ? EPSILON : NONE;
  if (node.t === 'epsilon') return EPSILON;
  return { t: 'repeat', node, min, max };
}

const SPECIAL = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);
const SPECIAL_IN_CLASS = new Set(['\\', '^', '-', '[', ']']);

function emit(node: Node): string {
  switch (node.t) {
    case 'none':
    case 'epsilon':
      // `none` never reaches here but at the top (translateLuceneRegexp answers null for it).
      return '(?:)';
    case 'char':
      return SPECIAL.has(node.char) ? `\\${node.char}` : node.char;
    case 'any':
      return '.';
    case 'class': {
      const ranges = node.ranges.map(([low, high]) =>
        low === high ? classChar(low) : `${classChar(low)}-${classChar(high)}`,
      );
      return `[${node.negated ? '^' : ''}${ranges.join('')}]`;
    }
    case 'concat':
      return node.parts.map((part) => (part.t === 'union' ? `(?:${emit(part)})` : emit(part))).join('');
    case 'union':
      return node.options.map(emit).join('|');
    case 'repeat':
      return `${atom(node.node)}${quantifier(node.min, node.max)}`;
  }
}

function classChar(char: string): string {
  return SPECIAL_IN_CLASS.has(char) ? `\\${char}` : char;
}

/** A node a quantifier applies to whole: a group unless it is a single character, `.` or a class. */
function atom(node: Node): string {
  if (node.t === 'char' || node.t === 'any' || node.t === 'class') return emit(node);
  return `(?:${emit(node)})`;
}

function quantifier(min: number, max: number | null): string {
  if (max === null) return min === 0 ? '*' : min === 1 ? '+' : `{${min},}`;
  if (min === 0 && max === 1) return '?';
  return min === max ? `{${min}}` : `{${min},${max}}`;
}
