/**
 * Format-preserving edits of docker-bake.hcl: copy a `target` block renamed, and add a name to
 * a group's `targets` list. A small scanner that knows HCL's comments (`#`, `//`, `/* *\/`),
 * strings with `${…}` interpolation and heredocs finds the blocks and lists; edits are splices.
 * After an edit the file is scanned again and must hold the new block or element.
 */
import { appendListElement, EditError, indentOf, insertLines, lineEnd, lineNumber, lineStart, nextLineStart, splitLines, type BracketList } from './text.js';

export interface HclBlock {
  type: string;
  labels: string[];
  /** Start of the block's first line and end of its last line (before the line ending). */
  start: number;
  end: number;
  /** Offsets of `{` and `}`. */
  open: number;
  close: number;
}

export interface HclAttribute {
  name: string;
  start: number;
  valueStart: number;
  valueEnd: number;
  list?: BracketList;
}

/** Texts already read strictly (see checkHcl), most recent last. */
const checked = new Set<string>();

export interface HclReadOptions {
  /**
   * Read a top-level block defined twice instead of refusing it (for a reader that reports it,
   * such as `bakeProblems`); every other strict check still applies. Edits read strictly.
   */
  allowTwice?: boolean;
}

/** Top-level blocks (`type "label" … { … }`) in source order; the whole text is read strictly first (see checkHcl). */
export function hclBlocks(text: string, file = 'docker-bake.hcl', options: HclReadOptions = {}): HclBlock[] {
  const { blocks } = scanBody(text, 0, text.length, file);
  if (options.allowTwice) {
    checkBodies(text, blocks, file, undefined, true);
  } else if (!checked.has(text)) {
    checkBodies(text, blocks, file, undefined);
    checked.add(text);
    if (checked.size > 32) checked.delete(checked.values().next().value!);
  }
  return blocks;
}

/**
 * Refuse what HCL (and so `docker buildx bake`) refuses or reads otherwise than it looks, with
 * the line: a line in a block that is neither an attribute (`name = value`) nor a block (an
 * attribute without its `=`), an attribute set twice in one block, and a block defined twice
 * (`target "x"` twice: bake would merge them into one).
 */
export function checkHcl(text: string, file = 'docker-bake.hcl'): void {
  hclBlocks(text, file);
}

function checkBodies(text: string, blocks: HclBlock[], file: string, inside: HclBlock | undefined, allowTwice = false): void {
  const seen = new Map<string, HclBlock>();
  for (const block of blocks) {
    const id = `${block.type} ${block.labels.map((l) => JSON.stringify(l)).join(' ')}`;
    const first = seen.get(id);
    if (first && block.labels.length > 0 && !allowTwice) {
      throw new EditError(`${id} is defined a second time (first at line ${lineNumber(text, first.start)})${inside ? '' : '; bake would merge the two'}`, file, lineNumber(text, block.start));
    }
    seen.set(id, block);
    const body = scanBody(text, block.open + 1, block.close, file);
    const names = new Map<string, HclAttribute>();
    for (const attribute of body.attributes) {
      const earlier = names.get(attribute.name);
      if (earlier) {
        throw new EditError(`${attribute.name} is set twice in ${id} (first at line ${lineNumber(text, earlier.start)})`, file, lineNumber(text, attribute.start));
      }
      names.set(attribute.name, attribute);
    }
    checkBodies(text, body.blocks, file, block);
  }
}

/** Attributes (`name = value`) directly inside a block's body. */
export function hclAttributes(text: string, block: HclBlock, file = 'docker-bake.hcl'): HclAttribute[] {
  return scanBody(text, block.open + 1, block.close, file).attributes;
}

function scanBody(text: string, from: number, to: number, file: string): { blocks: HclBlock[]; attributes: HclAttribute[] } {
  const blocks: HclBlock[] = [];
  const attributes: HclAttribute[] = [];
  let i = from;
  while (i < to) {
    i = skipSpace(text, i, to);
    if (i >= to) break;
    const start = i;
    const word = /^[A-Za-z_][\w-]*/.exec(text.slice(i, i + 200));
    if (!word) throw new EditError(`unexpected '${text[i]}'`, file, lineNumber(text, i));
    i += word[0].length;
    const labels: string[] = [];
    for (;;) {
      i = skipInline(text, i);
      if (text[i] === '"') {
        const end = stringEnd(text, i, file);
        labels.push(JSON.parse(text.slice(i, end)) as string);
        i = end;
      } else if (/[A-Za-z_]/.test(text[i] ?? '') && text[i - 1] !== undefined && /\s/.test(text[i - 1])) {
        const bare = /^[A-Za-z_][\w-]*/.exec(text.slice(i, i + 200))!;
        labels.push(bare[0]);
        i += bare[0].length;
      } else break;
    }
    if (text[i] === '{') {
      const close = matching(text, i, file);
      blocks.push({ type: word[0], labels, start: lineStart(text, start), end: lineEnd(text, close), open: i, close });
      i = close + 1;
    } else if (text[i] === '=' && labels.length === 0) {
      const valueStart = skipInline(text, i + 1);
      const valueEnd = expressionEnd(text, valueStart, file);
      const attribute: HclAttribute = { name: word[0], start, valueStart, valueEnd };
      if (text[valueStart] === '[') attribute.list = listElements(text, valueStart, valueEnd - 1, file);
      attributes.push(attribute);
      i = valueEnd;
    } else if (labels.length > 0 && /^[ \t]*(?:[\r\n#]|\/\/|$)/.test(text.slice(i, i + 3))) {
      throw new EditError(`${word[0]} ${labels.map((l) => JSON.stringify(l)).join(' ')} is neither an attribute nor a block: write ${word[0]} = ${JSON.stringify(labels[0])}`, file, lineNumber(text, i));
    } else {
      throw new EditError(`expected '{' or '=' after '${word[0]}'`, file, lineNumber(text, i));
    }
  }
  return { blocks, attributes };
}

/** Skip whitespace, newlines and comments. */
function skipSpace(text: string, i: number, to = text.length): number {
  for (;;) {
    while (i < to && /\s/.test(text[i])) i++;
    if (text[i] === '#' || text.startsWith('//', i)) i = nextLineStart(text, i);
    else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? to : end + 2;
    } else return i;
  }
}

/** Skip spaces and tabs only. */
function skipInline(text: string, i: number): number {
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i;
}

/** End of a quoted string, stepping over `${…}` interpolations. */
function stringEnd(text: string, i: number, file: string): number {
  for (let j = i + 1; j < text.length; j++) {
    const ch = text[j];
    if (ch === '\\') j++;
    else if (ch === '"') return j + 1;
    else if ((ch === '$' || ch === '%') && text[j + 1] === '{') j = matching(text, j + 1, file);
    else if (ch === '\n') break;
  }
  throw new EditError('unterminated string', file, lineNumber(text, i));
}

/** Offset of the bracket matching the one at `i`, skipping strings, comments and heredocs. */
function matching(text: string, i: number, file: string): number {
  const pairs: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
  const stack: string[] = [];
  for (let j = i; j < text.length; j++) {
    const ch = text[j];
    if (ch === '"') j = stringEnd(text, j, file) - 1;
    else if (ch === '#' || text.startsWith('//', j) || text.startsWith('/*', j)) j = skipSpace(text, j) - 1;
    else if (text.startsWith('<<', j) && /^<<-?[A-Za-z_]\w*\r?\n/.test(text.slice(j, j + 100))) j = heredocEnd(text, j) - 1;
    else if (pairs[ch]) stack.push(pairs[ch]);
    else if (ch === stack.at(-1)) {
      stack.pop();
      if (stack.length === 0) return j;
    }
  }
  throw new EditError(`unclosed '${text[i]}'`, file, lineNumber(text, i));
}

function heredocEnd(text: string, i: number): number {
  const m = /^<<-?([A-Za-z_]\w*)\r?\n/.exec(text.slice(i, i + 100))!;
  const marker = new RegExp(`^[ \\t]*${m[1]}[ \\t]*$`, 'm');
  const rest = text.slice(i + m[0].length);
  const found = marker.exec(rest);
  return found ? i + m[0].length + found.index + found[0].length : text.length;
}

/** End of an attribute's expression: the end of its line, brackets and heredocs spanning lines. */
function expressionEnd(text: string, i: number, file: string): number {
  let j = i;
  while (j < text.length) {
    const ch = text[j];
    if (ch === '\n' || ch === '#' || text.startsWith('//', j)) break;
    if (ch === '"') j = stringEnd(text, j, file);
    else if (ch === '[' || ch === '{' || ch === '(') j = matching(text, j, file) + 1;
    else if (text.startsWith('<<', j) && /^<<-?[A-Za-z_]\w*\r?\n/.test(text.slice(j, j + 100))) j = heredocEnd(text, j);
    else if (ch === '}' ) break;
    else j++;
  }
  while (j > i && /\s/.test(text[j - 1])) j--;
  return j;
}

function listElements(text: string, open: number, close: number, file: string): BracketList {
  const elements: BracketList['elements'] = [];
  let i = open + 1;
  for (;;) {
    i = skipSpace(text, i, close);
    if (i >= close) return { open, close, elements };
    let end = i;
    if (text[i] === '"') end = stringEnd(text, i, file);
    else while (end < close && !/[\s,]/.test(text[end])) end++;
    const element: BracketList['elements'][number] = { start: i, end };
    elements.push(element);
    i = skipSpace(text, end, close);
    if (text[i] === ',') {
      element.comma = i;
      i++;
    }
  }
}

/** A literal HCL string: JSON's escapes, and `${` / `%{` doubled so bake does not read a template in it. */
export function hclString(value: string): string {
  return JSON.stringify(value).replace(/([$%])\{/g, '$1$1{');
}

export function findBlock(blocks: HclBlock[], type: string, label: string): HclBlock | undefined {
  return blocks.find((b) => b.type === type && b.labels[0] === label);
}

/**
 * Copy the block `type "source"` renamed, and insert it after the block `type "after"` (by
 * default the last block of that type). Keeps the blank-line habit between blocks. Unchanged
 * when a block with the new label is already there.
 */
export function cloneBlock(
  text: string,
  options: { type: string; source: string; newLabel: string; after?: string; transform: (t: string) => string; file?: string },
): string {
  const file = options.file ?? 'docker-bake.hcl';
  const blocks = hclBlocks(text, file);
  if (findBlock(blocks, options.type, options.newLabel)) return text;
  const source = findBlock(blocks, options.type, options.source);
  if (!source) throw new EditError(`no ${options.type} "${options.source}" to copy`, file);
  return insertBlock(text, {
    type: options.type,
    label: options.newLabel,
    blockText: options.transform(text.slice(source.start, source.end)),
    after: options.after,
    file,
  });
}

/**
 * Insert a block written out in full (`blockText`, e.g. from a template) after the block
 * `type "after"`, by default after the last block of that type, or the last block of the file.
 * Keeps the blank-line habit between blocks and the file's line endings. Unchanged when a block
 * `type "label"` is already there; the result is scanned again and must hold the new block.
 */
export function insertBlock(
  text: string,
  options: { type: string; label: string; blockText: string; after?: string; file?: string },
): string {
  const file = options.file ?? 'docker-bake.hcl';
  const blocks = hclBlocks(text, file);
  if (findBlock(blocks, options.type, options.label)) return text;
  const after = options.after
    ? findBlock(blocks, options.type, options.after)
    : blocks.filter((b) => b.type === options.type).at(-1) ?? blocks.at(-1);
  if (options.after && !after) throw new EditError(`no ${options.type} "${options.after}" to follow`, file);
  const lines = splitLines(options.blockText);
  let at = text.length;
  if (after) {
    const index = blocks.indexOf(after);
    const next = blocks[index + 1];
    const gap = next ? text.slice(after.end, next.start) : text.slice(blocks[index - 1]?.end ?? after.end, after.start);
    if (/\n[ \t]*\r?\n/.test(gap)) lines.unshift('');
    at = nextLineStart(text, after.end);
  } else if (text.trim() !== '') {
    lines.unshift('');
  }
  const result = insertLines(text, at, lines);
  const check = hclBlocks(result, file);
  if (check.length !== blocks.length + 1 || !findBlock(check, options.type, options.label)) {
    throw new EditError(`edit did not add ${options.type} "${options.label}"`, file);
  }
  return result;
}

/**
 * Add a string to a list attribute of a block (e.g. `targets` of `group "default"`) in the
 * list's own style: at the end, or right after the element `after` when the list has it (and it
 * is not the last one). Unchanged when the value is already there.
 */
export function appendToBlockList(
  text: string,
  options: { type: string; label: string; attribute: string; value: string; after?: string; file?: string },
): string {
  const file = options.file ?? 'docker-bake.hcl';
  const list = blockList(text, options, file);
  const quoted = JSON.stringify(options.value);
  const values = list.elements.map((e) => text.slice(e.start, e.end));
  if (values.includes(quoted)) return text;
  const k = options.after === undefined ? -1 : values.indexOf(JSON.stringify(options.after));
  const result = k === -1 || k === values.length - 1 ? appendListElement(text, list, quoted) : insertListElement(text, list, k, quoted);
  const check = blockList(result, options, file).elements.map((e) => result.slice(e.start, e.end));
  const expected = [...values];
  expected.splice(k === -1 ? values.length : k + 1, 0, quoted);
  if (check.join('\0') !== expected.join('\0')) {
    throw new EditError(`edit did not add "${options.value}" to ${options.type} "${options.label}"`, file);
  }
  return result;
}

/**
 * Insert an element after element `k` (not the last one, so it has a comma): in a one-line list
 * `a, new, b`; in a multi-line list a new line after `a`'s line (after its comment, if any), with
 * the indentation of the element that follows.
 */
function insertListElement(text: string, list: BracketList, k: number, element: string): string {
  const current = list.elements[k];
  const following = list.elements[k + 1];
  if (current.comma === undefined) throw new EditError('list elements without commas');
  if (!text.slice(list.open, list.close).includes('\n') || lineStart(text, current.end) === lineStart(text, following.start)) {
    return text.slice(0, current.comma + 1) + ` ${element},` + text.slice(current.comma + 1);
  }
  return insertLines(text, nextLineStart(text, current.comma), [`${indentOf(text, following.start)}${element},`]);
}

/** The list value of an attribute in a block. */
export function blockList(
  text: string,
  options: { type: string; label: string; attribute: string },
  file = 'docker-bake.hcl',
): BracketList {
  const block = findBlock(hclBlocks(text, file), options.type, options.label);
  if (!block) throw new EditError(`no ${options.type} "${options.label}"`, file);
  const attribute = hclAttributes(text, block, file).find((a) => a.name === options.attribute);
  if (!attribute?.list) throw new EditError(`${options.type} "${options.label}" has no list ${options.attribute}`, file, lineNumber(text, block.start));
  return attribute.list;
}

/** The string values of a list, for reading (quotes removed). */
export function listStrings(text: string, list: BracketList): string[] {
  return list.elements.map((e) => text.slice(e.start, e.end)).filter((s) => s.startsWith('"')).map((s) => JSON.parse(s) as string);
}
