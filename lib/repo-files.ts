/**
 * The boundary between the monorepo's bytes and the text the editors work on.
 *
 * - Every file is read from disk once per run, and those first-read bytes are kept: just
 *   before writing, each target is compared with them (a change in between aborts the run).
 * - Text is UTF-8. A file that is not is refused with `file:line`, rather than read with
 *   replacement characters that the edit would then write back.
 * - A UTF-8 byte-order mark is not part of the text the editors see (mem-fs drops it when it
 *   loads a file); it is put back on every edit of a file that had one.
 * - Nothing is written outside the monorepo: a path is refused when it goes through a symbolic
 *   link that resolves outside the root, or through a link that resolves nowhere (a file created
 *   through a dangling link would appear wherever it points).
 */
import { isUtf8 } from 'node:buffer';
import { lstatSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export const BOM = '\uFEFF';

export interface FirstRead {
  /** The bytes on disk when the run first read the file; null when it did not exist. */
  bytes: Buffer | null;
  /** The text without its byte-order mark. */
  text?: string;
  bom: boolean;
}

/** A file that is not valid UTF-8, or a path that leaves the monorepo; `file:line` when known. */
export class RepoFileError extends Error {
  override name = 'UsageError';
}

export class RepoFiles {
  private readonly reads = new Map<string, FirstRead>();

  constructor(readonly root: string) {}

  /** The file as the run first read it (read now if this is the first time). */
  read(full: string): FirstRead {
    const known = this.reads.get(full);
    if (known) return known;
    let bytes: Buffer | null;
    try {
      bytes = readFileSync(full);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR') throw error;
      bytes = null;
    }
    const first: FirstRead = bytes === null ? { bytes, bom: false } : decode(bytes, relative(this.root, full));
    this.reads.set(full, first);
    return first;
  }

  /** The first-read bytes of a file, or undefined when this run never read it. */
  expected(full: string): Buffer | null | undefined {
    return this.reads.get(full)?.bytes;
  }

  /** Drop the record (after the commit, the disk is the new first read). */
  forget(): void {
    this.reads.clear();
  }

  /** Whether the file had a byte-order mark when first read. */
  hasBom(full: string): boolean {
    return this.reads.get(full)?.bom ?? false;
  }
}

/** Text of UTF-8 bytes without the byte-order mark; RepoFileError naming `file:line` if they are not UTF-8. */
export function decode(bytes: Buffer, name: string): FirstRead {
  const bad = isUtf8(bytes) ? undefined : invalidUtf8Offset(bytes);
  if (bad !== undefined) {
    let line = 1;
    for (let i = bytes.indexOf(10); i !== -1 && i < bad; i = bytes.indexOf(10, i + 1)) line++;
    throw new RepoFileError(
      `${name}:${line}: not valid UTF-8 (byte 0x${bytes[bad].toString(16).toUpperCase().padStart(2, '0')}); ` +
        'this generator reads and writes UTF-8 text only: convert the file (e.g. iconv -f latin1 -t utf-8) and run again.\nNothing was written.',
    );
  }
  const text = bytes.toString('utf8');
  const bom = text.startsWith(BOM);
  return { bytes, text: bom ? text.slice(1) : text, bom };
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence, if any. */
export function invalidUtf8Offset(bytes: Uint8Array): number | undefined {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [length, min] = [2, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [length, min] = [3, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [length, min] = [4, 0x10000];
    else return i;
    if (i + length > n) return i;
    let code = b & (0xff >> (length + 1));
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      code = (code << 6) | (c & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if (code < min || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return i;
    i += length;
  }
  return undefined;
}

/**
 * Why writing `full` would leave the monorepo `root`, or undefined when it stays inside. Each
 * component of the path below the root is looked at: a symbolic link must resolve (to a file or
 * folder that exists) and stay inside the root. `verb` says what the run would do, for the
 * message ("edit", "create").
 */
export function linkEscape(root: string, full: string, verb = 'write'): string | undefined {
  const realRoot = realpathSync(root);
  const name = relative(root, full);
  if (name === '..' || name.startsWith(`..${sep}`) || resolve(root, name) !== resolve(full)) return `Refusing to ${verb} ${full}: it is outside the monorepo (${root}).`;
  let current = root;
  for (const part of name.split(sep).filter(Boolean)) {
    current = join(current, part);
    const stat = lstatSync(current, { throwIfNoEntry: false });
    if (!stat) return undefined; // created by this run, inside what was checked so far
    if (!stat.isSymbolicLink()) continue;
    const shown = relative(root, current);
    const what = shown === name ? 'it' : shown;
    let target: string;
    try {
      target = realpathSync(current);
    } catch {
      const points = resolve(dirname(current), readlinkSync(current));
      return `Refusing to ${verb} ${name}: ${what} is a link to ${points}, which does not exist (a file created through it would be written there).`;
    }
    if (!isInside(realRoot, target)) {
      return `Refusing to ${verb} ${name}: ${what} is a link to ${target}, outside the monorepo (${realRoot}).`;
    }
  }
  return undefined;
}

/**
 * The path a write of `full` really lands on: links resolved (a link inside the monorepo stays a
 * link; its target is written), the missing part of the path appended as it is.
 */
export function realTarget(full: string): string {
  const missing: string[] = [];
  let current = full;
  for (;;) {
    try {
      return join(realpathSync(current), ...missing.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return full;
      missing.push(current.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
      current = parent;
    }
  }
}

export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}
