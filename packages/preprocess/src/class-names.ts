import { PostprocessError } from './errors.js';

type Literal = string | number | Literal[] | Map<string | number, Literal>;

/**
 * Class names from a model's `names` metadata: YOLOv5 writes a Python dict literal
 * (`{0: 'person', 1: 'bicycle'}`); a Python list, a JSON array or a JSON object work too.
 * Returns the names indexed by class id.
 */
export function parseClassNames(metadata: string): string[] {
  if (typeof metadata !== 'string') throw new PostprocessError('parseClassNames needs the metadata string');
  const parser = new LiteralParser(metadata);
  const value = parser.parseDocument();
  if (Array.isArray(value)) {
    return value.map((name, i) => {
      if (typeof name !== 'string') throw new PostprocessError(`class name ${i} is not a string`);
      return name;
    });
  }
  if (!(value instanceof Map)) throw new PostprocessError('class names must be a dict or a list');
  const names: string[] = [];
  for (const [key, name] of value) {
    const id = typeof key === 'number' ? key : /^\d+$/.test(key) ? Number(key) : Number.NaN;
    if (!Number.isSafeInteger(id) || id < 0) throw new PostprocessError(`class id ${JSON.stringify(key)} is not a non-negative integer`);
    if (typeof name !== 'string') throw new PostprocessError(`the name of class ${id} is not a string`);
    names[id] = name;
  }
  const missing = [...names.keys()].filter((i) => names[i] === undefined);
  if (missing.length) throw new PostprocessError(`class names skip ids ${missing.join(', ')}`);
  return names;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '/': '/', b: '\b', f: '\f', '0': '\0' };

/** Just enough of Python's and JSON's literal syntax for dicts and lists of ints and strings. */
class LiteralParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): Literal {
    const value = this.value();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail('unexpected text after the end');
    return value;
  }

  private value(): Literal {
    this.skipSpace();
    const ch = this.text[this.pos];
    if (ch === '{') return this.dict();
    if (ch === '[') return this.list();
    if (ch === "'" || ch === '"') return this.string();
    if (ch !== undefined && /[-\d]/.test(ch)) return this.integer();
    return this.fail(ch === undefined ? 'unexpected end' : `unexpected '${ch}'`);
  }

  private dict(): Map<string | number, Literal> {
    const map = new Map<string | number, Literal>();
    this.pos++;
    this.items('}', () => {
      const key = this.value();
      if (typeof key !== 'string' && typeof key !== 'number') this.fail('dict keys must be integers or strings');
      this.expect(':');
      map.set(key as string | number, this.value());
    });
    return map;
  }

  private list(): Literal[] {
    const items: Literal[] = [];
    this.pos++;
    this.items(']', () => items.push(this.value()));
    return items;
  }

  /** Comma-separated items up to `close`; a trailing comma is allowed, as in Python. */
  private items(close: string, item: () => void): void {
    this.skipSpace();
    while (this.text[this.pos] !== close) {
      item();
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        this.skipSpace();
      } else if (this.text[this.pos] !== close) {
        this.fail(`expected ',' or '${close}'`);
      }
    }
    this.pos++;
  }

  private string(): string {
    const quote = this.text[this.pos++];
    let out = '';
    for (;;) {
      const ch = this.text[this.pos++];
      if (ch === undefined) this.fail('unterminated string');
      if (ch === quote) return out;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const e = this.text[this.pos++];
      if (e === 'x' || e === 'u' || e === 'U') {
        const digits = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = this.text.slice(this.pos, this.pos + digits);
        if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) this.fail(`bad \\${e} escape`);
        out += String.fromCodePoint(parseInt(hex, 16));
        this.pos += digits;
      } else if (e !== undefined && e in ESCAPES) {
        out += ESCAPES[e];
      } else {
        this.fail(`unknown escape \\${e ?? ''}`);
      }
    }
  }

  private integer(): number {
    const pattern = /-?\d+/y;
    pattern.lastIndex = this.pos;
    const match = pattern.exec(this.text);
    if (!match) return this.fail('bad number');
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private expect(ch: string): void {
    this.skipSpace();
    if (this.text[this.pos] !== ch) this.fail(`expected '${ch}'`);
    this.pos++;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  private fail(message: string): never {
    throw new PostprocessError(`cannot read class names: ${message} at character ${this.pos}`);
  }
}
