/**
 * `.env` templates: `KEY=` lines with comments. Reading gives the variables in order; adding
 * appends the missing ones as a commented group at the end, in the file's line endings.
 */
import { detectEol, splitLines } from './text.js';

export function envKeys(text: string): string[] {
  return splitLines(text)
    .map((line) => /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1])
    .filter((key): key is string => key !== undefined);
}

/**
 * Add `KEY=` for each key the template lacks, under a comment: at the end, or before the line
 * `before` (a section heading) when the template has it, with a blank line after the group.
 * Unchanged if none is missing.
 */
export function addEnvKeys(text: string, keys: string[], comment: string, before?: string): string {
  const present = new Set(envKeys(text));
  const missing = keys.filter((k) => !present.has(k));
  if (missing.length === 0) return text;
  const eol = detectEol(text);
  const lines = [`# ${comment}`, ...missing.map((k) => `${k}=`)];
  const at = before === undefined ? -1 : text.split(/(?<=\n)/).findIndex((line) => line.replace(/\r?\n$/, '') === before);
  if (at !== -1) {
    const parts = text.split(/(?<=\n)/);
    return parts.slice(0, at).join('') + lines.join(eol) + eol + eol + parts.slice(at).join('');
  }
  const body = text.length === 0 || text.endsWith('\n') ? text : text + eol;
  const gap = body.length === 0 || /\n\s*\n$/.test(body) ? '' : eol;
  return body + gap + lines.join(eol) + (text.length === 0 || text.endsWith('\n') ? eol : '');
}
