/**
 * Dockerfile edits: the guide's pitfall is that every workspace member's pyproject.toml must be
 * COPY'd into any stage that runs `uv sync --frozen`. Instructions are read as logical lines
 * (continuations joined, comments skipped, `--package=x` and `--package x` alike); new COPY
 * lines imitate their siblings and go right after them.
 */
import { EditError, insertLines, lineEnd, lineNumber, nextLineStart } from './text.js';

export interface Instruction {
  keyword: string;
  /** Arguments with continuations joined and extra whitespace folded. */
  args: string;
  start: number;
  /** End of its last physical line, before the line ending. */
  end: number;
}

/**
 * Instructions of recently read texts. A Dockerfile is read by the model (ports, `uv sync
 * --frozen`), then edited and checked again; with a hundred locations, each of a hundred
 * Dockerfiles copies a hundred stubs. Lists from here are shared: never mutate them.
 */
const instructionsByText = new Map<string, readonly Instruction[]>();
const MAX_REMEMBERED = 256;

/** Every instruction Docker's builder knows (a line starting with any other word is an error). */
export const INSTRUCTIONS: ReadonlySet<string> = new Set(
  'FROM RUN CMD LABEL MAINTAINER EXPOSE ENV ADD COPY ENTRYPOINT VOLUME USER WORKDIR ARG ONBUILD STOPSIGNAL HEALTHCHECK SHELL'.split(' '),
);

/** The file's instructions as logical lines (see the module comment); lines that are no instruction are left out (checkDockerfile names them). */
export function instructions(text: string): readonly Instruction[] {
  let found = instructionsByText.get(text);
  if (!found) {
    found = readInstructions(text).filter((ins) => ins.keyword !== '');
    instructionsByText.set(text, found);
    if (instructionsByText.size > MAX_REMEMBERED) instructionsByText.delete(instructionsByText.keys().next().value!);
  }
  return found;
}

/**
 * The escape character: a backslash, unless the `# escape=` parser directive at the top of the
 * file says a backtick (Windows images: `# escape=\``). Directives are the `# name=value` lines
 * before anything else; the first other line (a comment, a blank line, an instruction) ends them.
 */
export function escapeCharacter(text: string): '\\' | '`' {
  let escape: '\\' | '`' = '\\';
  for (let i = text.startsWith('\uFEFF') ? 1 : 0; i < text.length; i = nextLineStart(text, i)) {
    const directive = /^#[ \t]*([A-Za-z]+)[ \t]*=[ \t]*(\S*)[ \t]*$/.exec(text.slice(i, lineEnd(text, i)));
    if (!directive || !['syntax', 'escape', 'check'].includes(directive[1].toLowerCase())) break;
    if (directive[1].toLowerCase() === 'escape') escape = directive[2] === '`' ? '`' : '\\';
  }
  return escape;
}

/**
 * Refuse a Dockerfile that Docker's builder would refuse, with the line: a line that starts with
 * no instruction it knows (`FORM`, or a continuation line whose line before lost its escape
 * character), or a heredoc (`RUN <<EOF`) that is never closed.
 */
export function checkDockerfile(text: string, file: string): void {
  for (const ins of readInstructions(text)) {
    const line = text.slice(ins.start, lineEnd(text, ins.start)).trim();
    if (ins.heredocOpen) throw new EditError(`the heredoc <<${ins.heredocOpen} is never closed`, file, lineNumber(text, ins.start));
    if (ins.keyword === '') throw new EditError(`not an instruction: ${JSON.stringify(line.slice(0, 60))} (a line before it may be missing its ${escapeCharacter(text)} at the end)`, file, lineNumber(text, ins.start));
    if (!INSTRUCTIONS.has(ins.keyword)) throw new EditError(`unknown instruction ${ins.keyword} (Docker knows ${[...INSTRUCTIONS].join(', ')})`, file, lineNumber(text, ins.start));
  }
}

function readInstructions(text: string): Array<Instruction & { heredocOpen?: string }> {
  const found: Array<Instruction & { heredocOpen?: string }> = [];
  const escape = escapeCharacter(text);
  const continued = new RegExp(`${escape === '`' ? '`' : '\\\\'}[ \\t]*$`);
  const blankOrComment = (at: number) => /^[ \t]*(#.*)?\r?$/.test(text.slice(at, lineEnd(text, at)));
  let i = text.startsWith('\uFEFF') ? 1 : 0;
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
    // A trailing escape character continues the instruction; comment and blank lines inside it are skipped.
    while (continued.test(joined) && end < text.length) {
      joined = joined.replace(continued, ' ');
      let next = nextLineStart(text, end);
      while (next < text.length && blankOrComment(next)) next = nextLineStart(text, next);
      if (next >= text.length) break;
      end = lineEnd(text, next);
      joined += text.slice(next, end);
    }
    const m = /^\s*([A-Za-z]+)(?:\s+(.*))?$/s.exec(joined);
    const keyword = m ? m[1].toUpperCase() : '';
    const instruction: Instruction & { heredocOpen?: string } = { keyword, args: (m?.[2] ?? '').replace(/\s+/g, ' ').trim(), start, end };
    // Heredocs (`RUN <<EOF` … `EOF`): their lines are the instruction's, not instructions.
    if (['RUN', 'COPY', 'ADD'].includes(keyword)) {
      for (const here of joined.matchAll(/<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g)) {
        let at = nextLineStart(text, end);
        for (;;) {
          if (at >= text.length) {
            instruction.heredocOpen = here[3];
            break;
          }
          const body = text.slice(at, lineEnd(text, at));
          end = lineEnd(text, at);
          if ((here[1] ? body.replace(/^\t+/, '') : body) === here[3]) break;
          at = nextLineStart(text, at);
        }
        instruction.end = end;
      }
    }
    found.push(instruction);
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

/** A COPY of one member's pyproject.toml alone (a stub), with the member and its build stage (0-based). */
export interface StubCopy {
  instruction: Instruction;
  member: string;
  stage: number;
}

/** The stub COPYs of the file, in file order. */
export function stubCopies(text: string): StubCopy[] {
  let stage = -1;
  const stubs: StubCopy[] = [];
  for (const instruction of instructions(text)) {
    if (instruction.keyword === 'FROM') stage++;
    if (instruction.keyword !== 'COPY') continue;
    const m = STUB.exec(instruction.args + ' ');
    if (m) stubs.push({ instruction, member: m[1], stage });
  }
  return stubs;
}

/**
 * Add a pyproject.toml stub COPY for `member` after the last stub of every build stage that
 * copies stubs (a multi-stage file may validate the workspace more than once), written like that
 * stub: same flags, same destination form, and the same column for the destination when the
 * stubs are column-aligned. Unchanged when the stub is there, or when the file runs no
 * `uv sync --frozen` (it needs none).
 */
export function addStub(text: string, member: string, file: string): string {
  checkDockerfile(text, file);
  if (!runsFrozenSync(text)) return text;
  const stubs = stubCopies(text);
  if (stubs.length === 0) throw new EditError('runs `uv sync --frozen` but copies no member pyproject.toml to follow', file);
  const stages = [...new Set(stubs.map((s) => s.stage))];
  let result = text;
  // From the last stage up, so earlier offsets stay valid.
  for (const stage of [...stages].reverse()) {
    const group = stubs.filter((s) => s.stage === stage);
    if (group.some((s) => s.member === member)) continue;
    const last = group.at(-1)!;
    const line = text.slice(last.instruction.start, last.instruction.end);
    const copy = alignLike(line.replace(new RegExp(`src/${last.member}/`, 'g'), `src/${member}/`), group.map((s) => text.slice(s.instruction.start, s.instruction.end)));
    result = insertLines(result, nextLineStart(result, last.instruction.end), copy.split(/\r?\n/));
  }
  const added = new Set(stubCopies(result).filter((s) => s.member === member).map((s) => s.stage));
  if (stages.some((stage) => !added.has(stage))) throw new EditError(`could not add the ${member} stub`, file);
  return result;
}

const ONE_LINE_COPY = /^(\s*COPY\s+(?:--\S+\s+)*)(\S+)([ \t]+)(\S.*)$/i;

/**
 * When the sibling stubs are one-liners whose destinations start in one column (padded with
 * more than one space somewhere), pad the new line's source so its destination starts there too.
 */
function alignLike(line: string, siblings: string[]): string {
  const m = ONE_LINE_COPY.exec(line);
  if (!m || siblings.length < 2) return line;
  const columns = siblings.map((s) => {
    const sm = ONE_LINE_COPY.exec(s);
    return sm ? { column: sm[1].length + sm[2].length + sm[3].length, gap: sm[3] } : undefined;
  });
  if (columns.some((c) => c === undefined)) return line;
  const column = columns[0]!.column;
  if (!columns.every((c) => c!.column === column) || !columns.some((c) => c!.gap.length > 1 || c!.gap.includes('\t'))) return line;
  const padding = Math.max(1, column - m[1].length - m[2].length);
  return m[1] + m[2] + ' '.repeat(padding) + m[4];
}

/** Ports a Dockerfile exposes and serves on: EXPOSE values and a CMD/ENTRYPOINT `-p`/`--port`. */
export function dockerfilePorts(text: string): { expose: number[]; cmd: number[] } {
  const expose: number[] = [];
  const cmd: number[] = [];
  for (const ins of instructions(text)) {
    const ports = instructionPorts(ins);
    expose.push(...ports.expose);
    cmd.push(...ports.cmd);
  }
  return { expose, cmd };
}

function instructionPorts(ins: Instruction): { expose: number[]; cmd: number[] } {
  const expose: number[] = [];
  const cmd: number[] = [];
  if (ins.keyword === 'EXPOSE') for (const m of ins.args.matchAll(/(\d+)/g)) expose.push(Number(m[1]));
  if (ins.keyword === 'CMD' || ins.keyword === 'ENTRYPOINT') {
    const m = /["']?(?:-p|--port)["']?\s*,?\s*["']?(\d+)/.exec(ins.args);
    if (m) cmd.push(Number(m[1]));
  }
  return { expose, cmd };
}

/** The ports of dockerfilePorts, each with the line of its instruction and what it is. */
export function dockerfilePortUses(text: string): Array<{ port: number; line: number; what: 'EXPOSE' | 'CMD port' }> {
  const found: Array<{ port: number; line: number; what: 'EXPOSE' | 'CMD port' }> = [];
  for (const ins of instructions(text)) {
    const ports = instructionPorts(ins);
    for (const port of ports.expose) found.push({ port, line: lineNumber(text, ins.start), what: 'EXPOSE' });
    for (const port of ports.cmd) found.push({ port, line: lineNumber(text, ins.start), what: 'CMD port' });
  }
  return found;
}

/**
 * Rewrite a Dockerfile (the rename map) except its pyproject.toml stub COPYs: those list the
 * workspace members, not the location the file builds, so a copy for another location keeps them.
 */
export function rewriteExceptStubs(text: string, rewrite: (part: string) => string): string {
  let result = '';
  let at = 0;
  for (const { instruction } of stubCopies(text)) {
    result += rewrite(text.slice(at, instruction.start)) + text.slice(instruction.start, instruction.end);
    at = instruction.end;
  }
  return result + rewrite(text.slice(at));
}

/**
 * What a location's Dockerfile must say (the guide's phase 4), as a list of problems (empty when
 * it says all of it): `--package <kebab>` in every `uv sync`, a COPY of the package, its
 * CODE_LOCATION_NAME, EXPOSE and CMD port, the CMD's definitions path, and every member's stub.
 */
export function locationDockerfileProblems(
  text: string,
  location: { snake: string; kebab: string; port: number; members: string[] },
): string[] {
  const problems: string[] = [];
  const all = instructions(text);
  const syncs = all.filter((ins) => ins.keyword === 'RUN' && /\buv\s+sync\b/.test(ins.args));
  if (syncs.length === 0) problems.push('no `uv sync`');
  for (const sync of syncs) {
    const pkg = syncPackage(sync.args);
    if (pkg !== location.kebab) problems.push(`a \`uv sync\` installs ${pkg ? `--package ${pkg}` : 'no --package'}, not --package ${location.kebab}`);
  }
  const source = new RegExp(`(^|\\s)\\.?/?src/${location.snake}/?(\\s|$)`);
  if (!all.some((ins) => ins.keyword === 'COPY' && source.test(ins.args))) problems.push(`no COPY of src/${location.snake}`);
  const name = new RegExp(`(^|\\s)CODE_LOCATION_NAME=(["']?)${location.snake}\\2(\\s|$)`);
  if (!all.some((ins) => ins.keyword === 'ENV' && name.test(ins.args))) problems.push(`no ENV CODE_LOCATION_NAME=${location.snake}`);
  const ports = dockerfilePorts(text);
  if (!ports.expose.includes(location.port)) problems.push(`no EXPOSE ${location.port}`);
  if (!ports.cmd.includes(location.port)) problems.push(`the CMD does not serve on -p ${location.port}`);
  const definitions = `src/${location.snake}/definitions.py`;
  if (!all.some((ins) => (ins.keyword === 'CMD' || ins.keyword === 'ENTRYPOINT') && ins.args.includes(definitions))) {
    problems.push(`the CMD does not load -f ${definitions}`);
  }
  const stubbed = new Set(stubCopies(text).map((s) => s.member));
  const missing = location.members.filter((m) => !stubbed.has(m));
  if (missing.length > 0) problems.push(`no pyproject.toml stub for ${missing.join(', ')}`);
  return problems;
}
