/**
 * Names vs prose, for the registries that copy a file or block of the source location as text
 * (its Dockerfile, its bake target) and for the YAML registries' entries. A comment that uses the source's names as names (`the
 * underwriting_ml code location`, `dagster-underwriting-ml`, `DAGSTER_BUILD_TAG_UNDERWRITING`) is
 * renamed with the rest; one that speaks of the source in words (its short name inside a sentence,
 * `Underwriting`, `underwriting ml`) describes the source's domain, which renaming would make a
 * false statement about the copy: it follows commentForCopy (the new location's description, or
 * left out).
 */
import { escapeRegExp, nameSpellings } from '../naming.js';
import { mentionPattern, mentions, renameMentions } from './mentions.js';
import type { LeftOut, LocationRef } from './registry.js';

/** The location's name in every case and spacing a person writes it: `Underwriting`, `UNDERWRITING ML`, `underwriting ml`. */
export function variantPattern(location: LocationRef): RegExp {
  return new RegExp(`(?<![A-Za-z])(?:${nameSpellings(location.names).map(escapeRegExp).join('|')})(?![A-Za-z])`, 'gi');
}

/** Where `text` still names `from` in any case (Title, UPPER, spaced words), outside mentions of `to`. */
export function survivingVariants(text: string, from: LocationRef, to: LocationRef): string[] {
  const own: Array<[number, number]> = [];
  for (const m of text.matchAll(mentionPattern(to))) own.push([m.index!, m.index! + m[0].length]);
  for (const m of text.matchAll(variantPattern(to))) own.push([m.index!, m.index! + m[0].length]);
  const found: string[] = [];
  for (const m of text.matchAll(variantPattern(from))) {
    const [s, e] = [m.index!, m.index! + m[0].length];
    if (!own.some(([a, b]) => s < b && a < e)) found.push(m[0]);
  }
  return found;
}

/** `from`'s name written in another case or spacing, rewritten as `to`'s in the same case and spacing. */
export function renameVariants(text: string, from: LocationRef, to: LocationRef): string {
  const fromWords = from.names.snake.split('_');
  const toWords = to.names.snake.split('_');
  return text.replace(variantPattern(from), (match) => {
    const isFull = match.replace(/[ _.-]/g, '').toLowerCase() === fromWords.join('').toLowerCase() && fromWords.length > 1;
    const joiner = /[ _.-]/.exec(match)?.[0] ?? '';
    const words = isFull ? toWords : [to.names.short];
    const style = (w: string) => (match === match.toUpperCase() ? w.toUpperCase() : /^[A-Z]/.test(match) ? w[0].toUpperCase() + w.slice(1) : w);
    return words.map(style).join(isFull ? joiner : '');
  });
}

/** Remarks that call an entry the canonical one speak of that entry, not of its copy. */
function withoutCanonical(body: string): string | undefined {
  if (!/\bcanonical\b/i.test(body)) return body;
  const stripped = body
    .replace(/[ \t]*\((?:the[ \t]+)?canonical\b[^)]*\)/gi, '')
    .replace(/[ \t]*(?:--|\u2014|\u2013|[,;:])[ \t]*(?:the[ \t]+)?canonical\b.*?(?=[ \t]*-{2,}[ \t]*$|$)/gi, '');
  return /\bcanonical\b/i.test(stripped) || stripped.trim() === '' ? undefined : stripped;
}

/**
 * A comment of the source's entry, for the copy. A comment that names nothing of the source is
 * kept as it is; one made of names only (`# ---- underwriting (4001) ----`) is renamed; one of
 * names and prose (`# underwriting_ml -- underwriting risk models`) keeps its names, renamed, and
 * gets the new location's description for its prose; any other comment about the source is
 * left out (undefined), since its prose would be false of the copy.
 */
export function commentForCopy(comment: string, from: LocationRef, to: LocationRef, description: string): string | undefined {
  const m = /^([ \t]*#+)(.*?)(\r?)$/.exec(comment);
  if (!m) return comment;
  const [, marker, rawBody, cr] = m;
  const body = withoutCanonical(rawBody);
  if (body === undefined) return undefined;
  if (survivingVariants(body, from, to).length === 0 && !mentions(body, from)) return marker + body + cr;
  const isName = (word: string) => {
    const bare = word.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
    return bare === '' || !/[A-Za-z]/.test(bare) || mentions(bare, from);
  };
  const words = body.split(/\s+/).filter(Boolean);
  if (words.every(isName)) return marker + renameMentions(body, from, to) + cr;
  const parts = /^(.*?\S)([ \t]+(?:--|\u2014|\u2013|-)[ \t]+|:[ \t]+)(.*)$/.exec(body);
  if (parts && parts[1].split(/\s+/).filter(Boolean).every(isName) && description.trim()) {
    return marker + renameMentions(parts[1], from, to) + parts[2] + description.trim() + cr;
  }
  return undefined;
}

/** Every spelling of the location's names in any case, as a word of a sentence (not inside a path or identifier). */
function wordPattern(location: LocationRef): RegExp {
  return new RegExp(`(?<![\\w./-])(?:${nameSpellings(location.names).map(escapeRegExp).join('|')})(?![\\w/-]|\\.\\w)`, 'gi');
}

/**
 * Whether `text` speaks of the location in words: a spelling of its names that is not part of a
 * name (a mention other than the bare short name), such as the short name as a word of a sentence
 * or the name in Title case or spaced words.
 */
export function namesInProse(text: string, location: LocationRef): boolean {
  const names = [...text.matchAll(mentionPattern(location))]
    .filter((m) => m[0] !== location.names.short)
    .map((m) => [m.index!, m.index! + m[0].length] as const);
  return [...text.matchAll(wordPattern(location))].some((m) => !names.some(([start, end]) => m.index! >= start && m.index! + m[0].length <= end));
}

/**
 * The comment lines of a source text about to be copied for the target (`comment` tells which
 * lines are comments): one that speaks of the source in prose is rewritten by commentForCopy or
 * left out (listed, with its line in `file` counted from `firstLine`); every other line is kept
 * as it is, for the registry's own rename.
 */
export function proseCommentsFor(
  text: string,
  options: { from: LocationRef; to: LocationRef; description: string; file: string; firstLine: number; comment: RegExp },
): { text: string; leftOut: LeftOut[] } {
  const { from, to, description, file, firstLine, comment } = options;
  const leftOut: LeftOut[] = [];
  const kept: string[] = [];
  // Lines with their endings, so the kept text is the original byte for byte.
  (text.match(/[^\n]*\n|[^\n]+$/g) ?? []).forEach((line, i) => {
    const marker = comment.exec(line)?.[0];
    if (marker === undefined || !namesInProse(line, from)) return kept.push(line);
    const eol = /\r?\n$/.exec(line)?.[0] ?? '';
    const bare = line.slice(0, line.length - eol.length);
    // commentForCopy reads `#` comments; another marker (`//`) is put back after it.
    const hash = marker.includes('#');
    const rewritten = commentForCopy(hash ? bare : bare.replace(marker, marker.replace(/\S+$/, '#')), from, to, description);
    if (rewritten !== undefined) return kept.push((hash ? rewritten : rewritten.replace(/^([ \t]*)#/, `$1${marker.trim()}`)) + eol);
    const words = line.trim();
    leftOut.push({ file, line: firstLine + i, what: `comment "${words.length > 90 ? `${words.slice(0, 90)}…` : words}"`, why: `it speaks of ${from.names.snake} in prose, which is not true of ${to.names.snake}` });
  });
  return { text: kept.join(''), leftOut };
}

