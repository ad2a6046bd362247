/**
 * Line-level helpers shared by every format editor. Editors find *where* to edit with a parser
 * and then splice text here, so the bytes they did not mean to touch stay as they were: line
 * endings (LF or CRLF), the final-newline habit, indentation, comments.
 */

export type Eol = '\n' | '\r\n';

/** An edit that cannot be made safely; `line` is 1-based when known. */
export class EditError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(file ? `${file}${line ? `:${line}` : ''}: ${message}` : message);
    this.name = 'EditError';
  }
}

/**
 * The last text asked about and its answer: an editor asks about the same text once per entry it
 * places, and counting every line ending of a large file each time made a batch of edits
 * quadratic in the file's size.
 */
let eolOf: { text: string; eol: Eol } | undefined;

/** The file's own line ending: whichever is in the majority, LF for a one-line file. */
export function detectEol(text: string): Eol {
  if (eolOf?.text === text) return eolOf.eol;
  let crlf = 0;
  let lf = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (text.charCodeAt(i - 1) === 13) crlf++;
    else lf++;
  }
  const eol: Eol = crlf > lf ? '\r\n' : '\n';
  eolOf = { text, eol };
  return eol;
}

/** Rewrite LF-only text (a template, a copied block) to the target file's line ending. */
export function withEol(text: string, eol: Eol): string {
  const lf = text.replace(/\r\n/g, '\n');
  return eol === '\n' ? lf : lf.replace(/\n/g, '\r\n');
}

/** Offset of the start of the line holding `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset just past the line ending of the line holding `offset` (text.length on the last line). */
export function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? text.length : nl + 1;
}

/** Offset of the end of the line holding `offset`, before its line ending. */
export function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  if (nl === -1) return text.length;
  return text[nl - 1] === '\r' ? nl - 1 : nl;
}

/** 1-based line number of an offset, for messages. */
export function lineNumber(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * lineNumber for many offsets of one text, mostly in increasing order (a file's units): counts
 * on from the last offset asked instead of from the start.
 */
export class LineCounter {
  private offset = 0;
  private line = 1;

  constructor(private readonly text: string) {}

  at(offset: number): number {
    if (offset < this.offset) {
      this.offset = 0;
      this.line = 1;
    }
    const { text } = this;
    for (let i = text.indexOf('\n', this.offset); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) this.line++;
    this.offset = offset;
    return this.line;
  }
}

/** The leading whitespace of the line holding `offset`. */
export function indentOf(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** A change of a text: `replacement` for [start, end) (an insertion when start === end). */
export interface Splice {
  start: number;
  end: number;
  replacement: string;
}

/**
 * Whole lines (given without line endings) inserted at a line boundary, in the file's own line
 * ending. At the very end of a file without a final newline, the new lines go after a newly
 * added line break and the file still ends without one, as before.
 */
export function linesAt(text: string, at: number, lines: string[]): Splice {
  const eol = detectEol(text);
  const block = lines.join(eol);
  if (at >= text.length && text.length > 0 && !text.endsWith('\n')) return { start: text.length, end: text.length, replacement: eol + block };
  return { start: at, end: at, replacement: block + eol };
}

/** Insert whole lines at a line boundary (see linesAt). */
export function insertLines(text: string, at: number, lines: string[]): string {
  if (lines.length === 0) return text;
  const { start, end, replacement } = linesAt(text, at, lines);
  return splice(text, start, end, replacement);
}

/**
 * Apply splices that were all located in `text` and do not overlap; those at the same offset go
 * in the order given.
 */
export function spliceAll(text: string, splices: readonly Splice[]): string {
  const ordered = splices.map((s, order) => ({ ...s, order })).sort((a, b) => a.start - b.start || a.order - b.order);
  const parts: string[] = [];
  let at = 0;
  for (const s of ordered) {
    parts.push(text.slice(at, s.start), s.replacement);
    at = s.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** Replace [start, end) with `replacement`. */
export function splice(text: string, start: number, end: number, replacement: string): string {
  return text.slice(0, start) + replacement + text.slice(end);
}

/** Split into lines without their endings (a final newline gives no empty last line). */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** A bracketed list in any format (TOML array, YAML flow sequence, HCL tuple). */
export interface BracketList {
  /** Offsets of the opening and closing bracket. */
  open: number;
  close: number;
  /** Each element's source range and, when one follows it, its comma. */
  elements: Array<{ start: number; end: number; comma?: number }>;
}

/**
 * Append an already-rendered element in the style of the list: a one-line list stays on one
 * line; a multi-line list gets a new line with the last element's indentation; the trailing
 * comma habit is kept (a list without one gets a comma after its old last element only).
 */
export function appendListElement(text: string, list: BracketList, element: string): string {
  const last = list.elements.at(-1);
  if (!last) return appendToEmptyList(text, list, element);
  const trailingComma = last.comma !== undefined;
  if (!text.slice(list.open, list.close).includes('\n')) {
    // [a, b] → [a, b, new];  [a, b, ] → [a, b, new, ]
    if (trailingComma) return splice(text, last.comma! + 1, last.comma! + 1, ` ${element},`);
    return splice(text, last.end, last.end, `, ${element}`);
  }
  // On the opening bracket's line (`[a, b,`), the new line lines up with the first element.
  const first = list.elements[0];
  const onOpenLine = lineStart(text, last.start) === lineStart(text, list.open);
  const lead = indentOf(text, first.start);
  const indent = onOpenLine ? lead + ' '.repeat(first.start - lineStart(text, first.start) - lead.length) : indentOf(text, last.start);
  const newLine = `${indent}${element}${trailingComma ? ',' : ''}`;
  // The last element's comma may sit on a later line (`"b"\n  ,`): the new line goes after it.
  const lastEnd = trailingComma ? Math.max(last.end, last.comma!) : last.end;
  if (lineEnd(text, list.close) === lineEnd(text, lastEnd)) {
    // The bracket closes on the last element's line: `  "b"]` → `  "b",\n  "new"]`.
    const at = trailingComma ? last.comma! + 1 : last.end;
    return splice(text, at, at, `${trailingComma ? '' : ','}${detectEol(text)}${newLine}`);
  }
  const withComma = trailingComma ? text : splice(text, last.end, last.end, ',');
  return insertLines(withComma, nextLineStart(withComma, trailingComma ? lastEnd : last.end), [newLine]);
}

/**
 * Insert an already-rendered element before the element at `index` (not past the last one: use
 * appendListElement), in the style of the list: `a, new, b` on one line; in a multi-line list a
 * new line with the following element's indentation, above that element's own comment lines.
 */
export function insertListElement(text: string, list: BracketList, index: number, element: string): string {
  const next = list.elements[index];
  if (!next) return appendListElement(text, list, element);
  const previousEnd = index > 0 ? (list.elements[index - 1].comma ?? list.elements[index - 1].end) : list.open;
  // On the line of the element (or bracket) before it: `a, new, b`.
  if (lineStart(text, next.start) === lineStart(text, previousEnd)) return splice(text, next.start, next.start, `${element}, `);
  let at = lineStart(text, next.start);
  while (index > 0 && at > 0) {
    const prev = lineStart(text, at - 1);
    if (prev <= previousEnd || !/^[ \t]*(#|\/\/)/.test(text.slice(prev, at))) break;
    at = prev;
  }
  return insertLines(text, at, [`${indentOf(text, next.start)}${element},`]);
}

/**
 * An empty list keeps what is between its brackets: `[]` → `[new]`, `[ ]` → `[ new ]`, and a
 * multi-line one (`[\n  # none yet\n]`) gets a line before its closing bracket, indented like
 * the comment lines in it, else one level (4 spaces) deeper than the bracket's line.
 */
function appendToEmptyList(text: string, list: BracketList, element: string): string {
  const inside = text.slice(list.open + 1, list.close);
  if (!inside.includes('\n')) {
    if (inside === '') return splice(text, list.open + 1, list.open + 1, element);
    // Only blanks can sit inside a one-line empty list (a comment would run to the line's end).
    return splice(text, list.close, list.close, `${element}${inside}`);
  }
  const inner = /\n([ \t]*)\S/.exec(inside);
  const indent = inner ? inner[1] : `${indentOf(text, list.open)}    `;
  const closeLine = lineStart(text, list.close);
  if (/^[ \t]*$/.test(text.slice(closeLine, list.close))) return insertLines(text, closeLine, [`${indent}${element}`]);
  // `  # none yet ]`-style: the closing bracket follows other text on its line.
  return splice(text, list.close, list.close, `${detectEol(text)}${indent}${element}${detectEol(text)}${indentOf(text, list.open)}`);
}

/** Skip whitespace, newlines and `#` comments (TOML arrays, Python literals). */
export function skipHashTrivia(text: string, i: number): number {
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (text[i] !== '#') return i;
    i = nextLineStart(text, i);
  }
}

/** Start of the run of `#` comment lines directly above the line starting at `start` (no blank line between). */
export function leadingCommentLines(text: string, start: number): number {
  let lead = start;
  while (lead > 0) {
    const prev = lineStart(text, lead - 1);
    if (!/^[ \t]*#/.test(text.slice(prev, lead))) break;
    lead = prev;
  }
  return lead;
}
