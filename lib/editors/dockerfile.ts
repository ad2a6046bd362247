/**
 * Dockerfile edits: the guide's pitfall is that every workspace member's pyproject.toml must be
 * COPY'd into any stage that runs `uv sync --frozen`. Instructions are read as logical lines
 * (continuations joined, comments skipped, `--package=x` and `--package x` alike); new COPY
 * lines imitate their siblings and go right after them.
 */
import { EditError, insertLines, lineEnd, nextLineStart } from './text.js';

export interface Instruction {
  keyword: string;
  /** Arguments with continuations joined and extra whitespace folded. */
  args: string;
  start: number;
  /** End of its last physical line, before the line ending. */
  end: number;
}

export function instructions(text: string): Instruction[] {
  const found: Instruction[] = [];
  let i = 0;
  while (i < text.length) {
    const end0 = lineEnd(text, i);
    const line = text.slice(i, end0);
    if (/^\s*(#.*)?$/.test(line)) {
      i = nextLineStart(text, i);
      continue;
    }
    const start = i;
    let end = end0;
    let joined = line;
    // A trailing backslash continues the instruction; comment lines inside it are skipped.
    while (/\\\s*$/.test(joined) && end < text.length) {
      joined = joined.replace(/\\\s*$/, ' ');
      let next = nextLineStart(text, end);
      while (next < text.length && /^\s*#/.test(text.slice(next, lineEnd(text, next)))) next = nextLineStart(text, next);
      if (next >= text.length) break;
      end = lineEnd(text, next);
      joined += text.slice(next, end);
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(joined);
    if (m) found.push({ keyword: m[1].toUpperCase(), args: m[2].replace(/\s+/g, ' ').trim(), start, end });
    i = nextLineStart(text, end);
  }
  return found;
}

/** `--package x` / `--package=x` of a `uv sync`, if any. */
export function syncPackage(args: string): string | undefined {
  return /\buv\s+sync\b.*?--package(?:=|\s+)([A-Za-z0-9_.-]+)/.exec(args)?.[1];
}

export function runsFrozenSync(text: string): boolean {
  return instructions(text).some((ins) => ins.keyword === 'RUN' && /\buv\s+sync\b[^;&|]*--frozen/.test(ins.args));
}

const STUB = /^(?:--\S+\s+)*\.?\/?src\/([A-Za-z0-9_]+)\/pyproject\.toml\s/;

/** The COPY instructions that copy a member's pyproject.toml alone (the stubs), with the member. */
export function stubCopies(text: string): Array<{ instruction: Instruction; member: string }> {
  return instructions(text)
    .filter((ins) => ins.keyword === 'COPY')
    .flatMap((instruction) => {
      const m = STUB.exec(instruction.args + ' ');
      return m ? [{ instruction, member: m[1] }] : [];
    });
}

/**
 * Add a pyproject.toml stub COPY for `member` after the last stub, written like it. Unchanged
 * when the stub is there, or when the file runs no `uv sync --frozen` (it needs none).
 */
export function addStub(text: string, member: string, file: string): string {
  if (!runsFrozenSync(text)) return text;
  const stubs = stubCopies(text);
  if (stubs.some((s) => s.member === member)) return text;
  const last = stubs.at(-1);
  if (!last) throw new EditError('runs `uv sync --frozen` but copies no member pyproject.toml to follow', file);
  const line = text.slice(last.instruction.start, last.instruction.end);
  const copy = line.replace(new RegExp(`src/${last.member}/`, 'g'), `src/${member}/`);
  const result = insertLines(text, nextLineStart(text, last.instruction.end), copy.split(/\r?\n/));
  if (!stubCopies(result).some((s) => s.member === member)) throw new EditError(`could not add the ${member} stub`, file);
  return result;
}

/**
 * Copy the instructions that mention `source` (e.g. the canonical location's ClickHouse COPY
 * lines in Dockerfile.bootstrap), rewritten, after the last instruction that mentions any
 * location in `siblings`. Instructions already present are not added again.
 */
export function cloneInstructions(
  text: string,
  options: { mentions: RegExp; transform: (line: string) => string; after: RegExp; file: string },
): string {
  const all = instructions(text);
  const sources = all.filter((ins) => ins.keyword === 'COPY' && options.mentions.test(ins.args));
  const existing = new Set(all.map((ins) => ins.args));
  const lines = sources
    .map((ins) => options.transform(text.slice(ins.start, ins.end)))
    .filter((line) => !existing.has(line.replace(/\\\s*\r?\n/g, ' ').replace(/^\s*COPY\s+/i, '').replace(/\s+/g, ' ').trim()));
  if (lines.length === 0) return text;
  const anchor = all.filter((ins) => ins.keyword === 'COPY' && options.after.test(ins.args)).at(-1);
  if (!anchor) throw new EditError('found no COPY line to follow', options.file);
  return insertLines(text, nextLineStart(text, anchor.end), lines.flatMap((l) => l.split(/\r?\n/)));
}

/** Ports a Dockerfile exposes and serves on: EXPOSE values and a CMD/ENTRYPOINT `-p`/`--port`. */
export function dockerfilePorts(text: string): { expose: number[]; cmd: number[] } {
  const expose: number[] = [];
  const cmd: number[] = [];
  for (const ins of instructions(text)) {
    if (ins.keyword === 'EXPOSE') for (const m of ins.args.matchAll(/(\d+)/g)) expose.push(Number(m[1]));
    if (ins.keyword === 'CMD' || ins.keyword === 'ENTRYPOINT') {
      const m = /["']?(?:-p|--port)["']?\s*,?\s*["']?(\d+)/.exec(ins.args);
      if (m) cmd.push(Number(m[1]));
    }
  }
  return { expose, cmd };
}
