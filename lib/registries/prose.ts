/**
 * Names vs prose, for the registries that copy a file or block of the source location as text
 * (its Dockerfile, its bake target). A comment that uses the source's names as names (`the
 * underwriting_ml code location`, `dagster-underwriting-ml`, `DAGSTER_BUILD_TAG_UNDERWRITING`) is
 * renamed with the rest; one that speaks of the source in words (its short name inside a sentence,
 * `Underwriting`, `underwriting ml`) describes the source's domain, which renaming would make a
 * false statement about the copy: it follows commentForCopy (the new location's description, or
 * left out).
 */
import { escapeRegExp, nameSpellings } from '../naming.js';
import { mentionPattern } from './mentions.js';
import type { LeftOut, LocationRef } from './registry.js';
import { commentForCopy } from './yaml-footprint.js';

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

