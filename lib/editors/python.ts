/**
 * Edits of a Python dict literal of short-name aliases, such as
 * `LOCATION_ALIASES: dict[str, str] = {"wholesale": "vanguard_wholesale", ...}` in
 * devtools/check_defs.py and devtools/dev_local.py. The dict is found as the literal whose
 * values include known location names; a new entry imitates its last entry.
 */
import { appendListElement, EditError, lineNumber, nextLineStart, type BracketList } from './text.js';

export interface AliasDict {
  name: string;
  list: BracketList;
  entries: Array<{ key: string; value: string; text: string }>;
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
    entries.push({ key: key[2], value: value[2], text: text.slice(i, end) });
    i = skipTrivia(text, end);
    if (text[i] === ',') {
      element.comma = i;
      i++;
    }
  }
}

function skipTrivia(text: string, i: number): number {
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (text[i] !== '#') return i;
    i = nextLineStart(text, i);
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
