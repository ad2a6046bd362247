/**
 * Assertions shared by the editor unit tests and the robustness suite: an edit that only inserts
 * whole lines, and results that parse.
 */
import assert from 'node:assert/strict';
import { parse as parseToml } from 'smol-toml';
import { parseDocument } from 'yaml';
import { EditError } from '../../lib/editors/text.js';
import { addedChunks } from '../helpers.js';

/** Lines with their own line endings (the last one may have none). */
export function rawLines(text: string): string[] {
  return text.split(/(?<=\n)/).filter((line) => line !== '');
}

/**
 * The edit only inserted whole lines: deleting the returned lines from `after` gives back
 * `before` byte for byte. At the end of a file without a final newline the old last line gains
 * a line ending and the file still ends without one.
 */
export function insertedLines(before: string, after: string): string[] {
  const eol = /\r\n/.test(before) ? '\r\n' : '\n';
  const original = rawLines(before);
  const finalNewline = before === '' || before.endsWith('\n');
  if (!finalNewline) {
    assert.ok(!after.endsWith('\n') || after === before, 'the file had no final newline and must still have none');
    original[original.length - 1] += eol;
  }
  const result = rawLines(finalNewline ? after : after + eol);
  const inserted = oneBlock(original, result) ?? greedy(original, result);
  for (const line of inserted) {
    assert.ok(line.endsWith(eol) && !line.slice(0, -eol.length).includes('\n'), `inserted line in the wrong line ending: ${JSON.stringify(line)}`);
  }
  return inserted.map((line) => line.replace(/\r?\n$/, ''));
}

/**
 * The lines inserted as one block, when that explains the change. A block can often slide over
 * equal lines around it; the latest place where it does not end with a blank line is reported
 * (a blank line separating the new entry from what it follows comes first).
 */
function oneBlock(original: string[], result: string[]): string[] | undefined {
  const size = result.length - original.length;
  if (size < 0) return undefined;
  let prefix = 0;
  while (prefix < original.length && original[prefix] === result[prefix]) prefix++;
  let suffix = 0;
  while (suffix < original.length && original[original.length - 1 - suffix] === result[result.length - 1 - suffix]) suffix++;
  const candidates: string[][] = [];
  for (let p = prefix; p >= original.length - suffix && p >= 0; p--) candidates.push(result.slice(p, p + size));
  if (candidates.length === 0) return undefined;
  return candidates.find((block) => block.length === 0 || !/^[ \t]*\r?\n$/.test(block.at(-1)!)) ?? candidates[0];
}

/** Several inserted blocks: the original lines matched from the end. */
function greedy(original: string[], result: string[]): string[] {
  const inserted: string[] = [];
  let k = original.length - 1;
  for (let i = result.length - 1; i >= 0; i--) {
    if (k >= 0 && result[i] === original[k]) k--;
    else inserted.unshift(result[i]);
  }
  assert.equal(k, -1, `original lines are missing or changed; last one: ${JSON.stringify(original[k])}`);
  return inserted;
}

/**
 * The edit only added text: deleting the added chunks gives back `before` byte for byte, and
 * the new location is named more often than before. (A character diff may cut an insertion
 * between equal characters, `network_analytic` + `s", "src/` before `shared`, so the chunks
 * themselves are not searched.)
 */
export function onlyAdds(before: string, after: string, mentions: RegExp): string[] {
  const chunks = addedChunks(before, after);
  assert.ok(chunks, `the edit removed or rewrote original text:\n${after}`);
  const count = (text: string) => text.match(new RegExp(mentions.source, 'g'))?.length ?? 0;
  assert.ok(count(after) > count(before), `the added text does not name the new location: ${JSON.stringify(chunks.join(''))}`);
  return chunks;
}

export function parsesAsToml(text: string): Record<string, unknown> {
  return parseToml(text) as Record<string, unknown>;
}

/** Parses without errors or warnings, and every alias resolves. */
export function parsesAsYaml(text: string): unknown {
  const doc = parseDocument(text, { merge: true });
  assert.deepEqual(doc.errors.map((e) => e.message), []);
  assert.deepEqual(doc.warnings.map((e) => e.message), []);
  return doc.toJS({ maxAliasCount: -1 });
}

/** The call fails with an EditError naming the file (and the line when `line` is given). */
export function throwsEditError(edit: () => unknown, file: string, line?: number | RegExp): EditError {
  let caught: unknown;
  try {
    edit();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof EditError, `expected an EditError, got ${caught === undefined ? 'no error' : String(caught)}`);
  assert.equal(caught.file, file, caught.message);
  if (typeof line === 'number') assert.equal(caught.line, line, caught.message);
  else if (line) assert.match(caught.message, line);
  return caught;
}
