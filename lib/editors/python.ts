/**
 * Edits of a Python dict literal of short-name aliases, such as
 * `LOCATION_ALIASES: dict[str, str] = {"wholesale": "vanguard_wholesale", ...}` in
 * devtools/check_defs.py and devtools/dev_local.py. The dict is found as the literal whose
 * values include known location names; a new entry imitates its last entry.
 */
import { parse as parseToml } from 'smol-toml';
import { appendListElement, detectEol, EditError, indentOf, lineEnd, lineNumber, lineStart, splice, type BracketList, skipHashTrivia as skipTrivia } from './text.js';

export interface AliasDict {
  name: string;
  list: BracketList;
  /** Each entry, with its 1-based line. */
  entries: Array<{ key: string; value: string; text: string; line: number }>;
}

const STRING = /^(['"])((?:\\.|(?!\1).)*)\1/;

/** Every top-level `NAME = {…}` / `NAME: type = {…}` whose entries are all string: string. */
export function aliasDicts(text: string): AliasDict[] {
  const found: AliasDict[] = [];
  const assignment = /^([A-Za-z_]\w*)\s*(?::[^=\n]+)?=\s*\{/gm;
  for (const m of text.matchAll(assignment)) {
    const open = m.index + m[0].length - 1;
    const dict = readDict(text, open);
    if (dict) found.push({ name: m[1], ...dict });
  }
  return found;
}

function readDict(text: string, open: number): Omit<AliasDict, 'name'> | undefined {
  const elements: BracketList['elements'] = [];
  const entries: AliasDict['entries'] = [];
  let i = open + 1;
  for (;;) {
    i = skipTrivia(text, i);
    if (text[i] === '}') return { list: { open, close: i, elements }, entries };
    const key = STRING.exec(text.slice(i, i + 500));
    if (!key) return undefined;
    let j = skipTrivia(text, i + key[0].length);
    if (text[j] !== ':') return undefined;
    j = skipTrivia(text, j + 1);
    const value = STRING.exec(text.slice(j, j + 500));
    if (!value) return undefined;
    const end = j + value[0].length;
    const element: BracketList['elements'][number] = { start: i, end };
    elements.push(element);
    entries.push({ key: key[2], value: value[2], text: text.slice(i, end), line: lineNumber(text, i) });
    i = skipTrivia(text, end);
    if (text[i] === ',') {
      element.comma = i;
      i++;
    }
  }
}


/** The alias dict that maps to any of the given location names. */
export function findAliasDict(text: string, locations: string[]): AliasDict | undefined {
  return aliasDicts(text).find((d) => d.entries.some((e) => locations.includes(e.value)));
}

/**
 * Add `short: name` to the alias dict, written like its last entry (quotes, spacing) and laid out
 * like the dict (one line or one entry a line). Unchanged when the short name is there already;
 * an error when it is taken by another location.
 */
export function addAlias(text: string, options: { locations: string[]; short: string; name: string; file: string }): string {
  checkPythonSyntax(text, options.file);
  const dict = findAliasDict(text, options.locations);
  if (!dict) throw new EditError('no alias dict of location names found', options.file);
  const taken = dict.entries.find((e) => e.key === options.short);
  if (taken && taken.value === options.name) return text;
  if (taken) throw new EditError(`short name "${options.short}" already maps to ${taken.value}`, options.file, lineNumber(text, dict.list.open));
  const last = dict.entries.at(-1);
  const element = last
    ? last.text.replace(STRING, (_w, q: string) => `${q}${options.short}${q}`).replace(/(['"])((?:\\.|(?!\1).)*)\1$/, (_w, q: string) => `${q}${options.name}${q}`)
    : `"${options.short}": "${options.name}"`;
  const result = appendListElement(text, dict.list, element);
  const check = findAliasDict(result, [options.name]);
  if (!check || check.entries.length !== dict.entries.length + 1) throw new EditError('could not add the alias', options.file);
  return result;
}

/**
 * The repo's Python line limit as its linter or formatter sees it: `line-length` of ruff.toml /
 * .ruff.toml, else of pyproject's [tool.ruff] (88 when the table is there without it), else of
 * [tool.black]; undefined when none of them is configured. `indent` is ruff's `indent-width`.
 */
export function pythonLineLimit(read: (path: string) => string | undefined): { limit: number; indent: number; source: string } | undefined {
  const table = (text: string | undefined): Record<string, unknown> | undefined => {
    if (text === undefined) return undefined;
    try {
      return parseToml(text) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  const number = (value: unknown) => (typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined);
  for (const file of ['.ruff.toml', 'ruff.toml']) {
    const ruff = table(read(file));
    if (ruff) return { limit: number(ruff['line-length']) ?? 88, indent: number(ruff['indent-width']) ?? 4, source: `${file} line-length` };
  }
  const tool = table(read('pyproject.toml'))?.tool as Record<string, Record<string, unknown> | undefined> | undefined;
  if (tool?.ruff) return { limit: number(tool.ruff['line-length']) ?? 88, indent: number(tool.ruff['indent-width']) ?? 4, source: '[tool.ruff] line-length' };
  if (tool?.black) return { limit: number(tool.black['line-length']) ?? 88, indent: 4, source: '[tool.black] line-length' };
  return undefined;
}

/**
 * addAlias within a line limit: when the dict is on one line and the new entry takes that line
 * past `limit` columns, the dict is laid out the way ruff format (and black) would — one entry a
 * line, indented by `indent`, with a trailing comma. `wrapped` says so, with the width one line
 * would have had.
 */
export function addAliasWithin(
  text: string,
  options: { locations: string[]; short: string; name: string; file: string; limit?: number; indent?: number },
): { text: string; wrapped?: { line: number; width: number } } {
  const result = addAlias(text, options);
  if (options.limit === undefined || result === text) return { text: result };
  const dict = findAliasDict(result, [options.name]);
  if (!dict) return { text: result };
  const { open, close } = dict.list;
  const start = lineStart(result, open);
  if (lineStart(result, close) !== start) return { text: result };
  const width = [...result.slice(start, lineEnd(result, open)).replace(/\r$/, '')].length;
  if (width <= options.limit) return { text: result };
  const eol = detectEol(result);
  const base = indentOf(result, open);
  const inner = base + ' '.repeat(options.indent ?? 4);
  const body = dict.entries.map((entry) => `${inner}${entry.text},${eol}`).join('');
  const wrapped = splice(result, open, close + 1, `{${eol}${body}${base}}`);
  const check = findAliasDict(wrapped, [options.name]);
  if (!check || check.entries.map((e) => e.text).join('\n') !== dict.entries.map((e) => e.text).join('\n')) {
    throw new EditError('could not lay out the alias dict one entry a line', options.file);
  }
  return { text: wrapped, wrapped: { line: lineNumber(result, open), width } };
}

// ------------------------------------------------------------------ syntax

/**
 * Refuse Python source that cannot compile, as far as its tokens tell, with the file and line
 * (the words are Python's own): an unterminated string, a bracket never closed, closed by the
 * wrong one or never opened, an indentation that matches no outer level, an unexpected indent,
 * a block header (`def f():`) with no indented block, a character Python does not allow
 * outside strings (`$`, `?`, a backquote, `!` alone). It reads tokens only: valid code is never
 * refused, and errors of grammar beyond these are left to Python.
 */
export function checkPythonSyntax(text: string, file: string): void {
  const fail = (message: string, offset: number): never => {
    throw new EditError(message, file, lineNumber(text, offset));
  };
  let tokens: PyToken[];
  try {
    tokens = pythonTokens(text);
  } catch (error) {
    if (error instanceof EditError) throw new EditError(error.message === 'unterminated string' ? 'unterminated string literal' : error.message, file, error.line);
    throw error;
  }
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const open: PyToken[] = [];
  for (const token of tokens) {
    if (token.kind !== 'op') continue;
    const t = token.text;
    if (t === '(' || t === '[' || t === '{') open.push(token);
    else if (pairs[t]) {
      const opener = open.pop();
      if (!opener) fail(`unmatched '${t}'`, token.start);
      else if (opener.text !== pairs[t]) fail(`closing parenthesis '${t}' does not match opening parenthesis '${opener.text}'${lineNumber(text, opener.start) === lineNumber(text, token.start) ? '' : ` on line ${lineNumber(text, opener.start)}`}`, token.start);
    } else if (t === '$' || t === '?' || t === '`' || t === '!') fail(`invalid character '${t}'`, token.start);
  }
  if (open.length > 0) fail(`'${open.at(-1)!.text}' was never closed`, open.at(-1)!.start);
  // Indentation of logical lines: the first token after each newline token.
  const levels = [0];
  let previous: PyToken | undefined;
  let opener: PyToken | undefined;
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k];
    if (token.kind === 'newline') continue;
    if (k > 0 && tokens[k - 1].kind !== 'newline') continue;
    const lineAt = token.start - token.column;
    const indent = text.slice(lineAt, token.start);
    if (/[^ \t\f]/.test(indent)) continue; // after a multi-line string: not a line start
    const width = [...indent].reduce((col, ch) => (ch === '\t' ? col + 8 - (col % 8) : col + 1), 0);
    const current = levels.at(-1)!;
    if (width > current) {
      if (!opener) fail('unexpected indent', token.start);
      levels.push(width);
    } else {
      if (opener) fail(`expected an indented block after line ${lineNumber(text, opener.start)}`, token.start);
      while (levels.at(-1)! > width) levels.pop();
      if (levels.at(-1) !== width) fail('unindent does not match any outer indentation level', token.start);
    }
    // Does this logical line end with a block header's colon?
    let end = k;
    while (end + 1 < tokens.length && tokens[end + 1].kind !== 'newline') end++;
    opener = tokens[end].kind === 'op' && tokens[end].text === ':' && tokens[end].depth === 0 ? token : undefined;
    previous = token;
  }
  if (opener && previous) fail(`expected an indented block after line ${lineNumber(text, opener.start)}`, text.length);
}

// ------------------------------------------------------------------ reading Python source

export type PyTokenKind = 'name' | 'string' | 'number' | 'op' | 'newline';

export interface PyToken {
  kind: PyTokenKind;
  text: string;
  start: number;
  end: number;
  /** Column of the token's first character. */
  column: number;
  /** Bracket depth before the token. */
  depth: number;
  /** A string literal's value; undefined for f-strings and bytes (not a plain value). */
  value?: string;
  /** A string literal's quote character. */
  quote?: string;
}

const STRING_START = /^([rRuUbBfF]{0,2})('''|"""|'|")/;
const TWO_CHAR_OPS = new Set(['**', '//', '->', '==', '!=', '<=', '>=', ':=', '<<', '>>']);

/**
 * Tokens of Python source, enough to read decorators, calls and literals: names, strings (with
 * their value), numbers, operators, and a `newline` token at the end of each logical line
 * (none inside brackets or after a backslash). Comments are skipped.
 */
export function pythonTokens(text: string): PyToken[] {
  const tokens: PyToken[] = [];
  let depth = 0;
  let lineStartAt = 0;
  let i = 0;
  const push = (kind: PyTokenKind, start: number, end: number, extra: Partial<PyToken> = {}) =>
    tokens.push({ kind, text: text.slice(start, end), start, end, column: start - lineStartAt, depth, ...extra });
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\n') {
      if (depth === 0 && tokens.length > 0 && tokens.at(-1)!.kind !== 'newline') push('newline', i, i + 1);
      i++;
      lineStartAt = i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f') {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (ch === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\n' ? 2 : 3;
      lineStartAt = i;
      continue;
    }
    const str = STRING_START.exec(text.slice(i, i + 5));
    if (str && (str[1] === '' || /^[A-Za-z]+$/.test(str[1]))) {
      const prefix = str[1].toLowerCase();
      const quote = str[2];
      let j = i + str[0].length;
      let raw = '';
      for (;;) {
        if (j >= text.length) throw new EditError('unterminated string', undefined, lineNumber(text, i));
        if (text.startsWith(quote, j)) break;
        if (text[j] === '\\' && j + 1 < text.length) {
          raw += text.slice(j, j + 2);
          j += 2;
          continue;
        }
        if (text[j] === '\n') {
          if (quote.length === 1) throw new EditError('unterminated string', undefined, lineNumber(text, i));
        }
        raw += text[j];
        j++;
      }
      const end = j + quote.length;
      const plain = !prefix.includes('f') && !prefix.includes('b');
      push('string', i, end, { value: plain ? (prefix.includes('r') ? raw : unescapePython(raw)) : undefined, quote: quote[0] });
      // A triple-quoted string may span lines; keep columns right after it.
      const lastNl = text.lastIndexOf('\n', end - 1);
      if (lastNl >= i) lineStartAt = lastNl + 1;
      i = end;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 200));
    if (name) {
      push('name', i, i + name[0].length);
      i += name[0].length;
      continue;
    }
    const number = /^\d[\w.]*/.exec(text.slice(i, i + 100));
    if (number) {
      push('number', i, i + number[0].length);
      i += number[0].length;
      continue;
    }
    const two = text.slice(i, i + 2);
    const op = TWO_CHAR_OPS.has(two) ? two : ch;
    if (op === ')' || op === ']' || op === '}') depth = Math.max(0, depth - 1);
    push('op', i, i + op.length);
    if (op === '(' || op === '[' || op === '{') depth++;
    i += op.length;
  }
  if (tokens.length > 0 && tokens.at(-1)!.kind !== 'newline') push('newline', text.length, text.length);
  return tokens;
}

function unescapePython(raw: string): string {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '\n': '', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };
  return raw.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.|\n)/gs, (whole, c: string) => {
    if (c.length > 1) return String.fromCharCode(parseInt(c.slice(1), 16));
    return simple[c] ?? whole;
  });
}

/** Index of the token that closes the bracket opened by tokens[open]. */
export function closingToken(tokens: PyToken[], open: number): number {
  const depth = tokens[open].depth;
  for (let k = open + 1; k < tokens.length; k++) {
    if (tokens[k].kind === 'op' && tokens[k].depth === depth && /^[)\]}]$/.test(tokens[k].text)) return k;
  }
  throw new EditError('unbalanced bracket');
}

/** A Python string literal holding `value`, in the given quote character. */
export function pythonString(value: string, quote: string = '"'): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replaceAll(quote, `\\${quote}`);
  return `${quote}${escaped}${quote}`;
}

/**
 * The modules a Python file imports (top-level names, `.` for relative imports), e.g.
 * `from shared.clickhouse.config import X` -> `shared.clickhouse.config`.
 */
export function pythonImports(text: string): Array<{ module: string; line: number }> {
  const tokens = pythonTokens(text);
  const found: Array<{ module: string; line: number }> = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    const startOfStatement = k === 0 || tokens[k - 1].kind === 'newline' || (tokens[k - 1].kind === 'op' && tokens[k - 1].text === ';');
    if (!startOfStatement || t.kind !== 'name') continue;
    if (t.text === 'from') {
      let module = '';
      let j = k + 1;
      while (j < tokens.length && !(tokens[j].kind === 'name' && tokens[j].text === 'import')) module += tokens[j++].text;
      found.push({ module, line: lineNumber(text, t.start) });
    } else if (t.text === 'import') {
      let j = k + 1;
      let module = '';
      for (; j < tokens.length && tokens[j].kind !== 'newline' && tokens[j].text !== ';'; j++) {
        const tok = tokens[j];
        if (tok.text === ',') {
          found.push({ module, line: lineNumber(text, t.start) });
          module = '';
        } else if (tok.text === 'as') {
          j++;
        } else {
          module += tok.text;
        }
      }
      if (module) found.push({ module, line: lineNumber(text, t.start) });
    }
  }
  return found;
}
