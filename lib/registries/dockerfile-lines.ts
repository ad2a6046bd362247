/**
 * Dockerfile instructions as logical lines, honouring the parser directive `# escape=` (a
 * backtick continues lines on Windows-style files, as the backslash does by default): what the
 * Dockerfile registries read. Continuation lines that are comments or blank are skipped, as
 * BuildKit does.
 */
import { lineEnd, nextLineStart } from '../editors/text.js';

export interface DockerInstruction {
  keyword: string;
  /** Arguments with continuations joined and whitespace folded. */
  args: string;
  start: number;
  /** End of its last physical line, before the line ending. */
  end: number;
}

/** The escape character the file declares (`# escape=\``), else the backslash. */
export function escapeChar(text: string): string {
  let at = text.startsWith('\uFEFF') ? 1 : 0;
  while (at < text.length) {
    const line = text.slice(at, lineEnd(text, at));
    const directive = /^#\s*([A-Za-z]+)\s*=\s*(\S*)\s*$/.exec(line);
    if (!directive) break;
    if (directive[1].toLowerCase() === 'escape' && (directive[2] === '`' || directive[2] === '\\')) return directive[2];
    at = nextLineStart(text, at);
  }
  return '\\';
}

export function dockerInstructions(text: string): DockerInstruction[] {
  const escape = escapeChar(text);
  const continued = new RegExp(`${escape === '`' ? '`' : '\\\\'}[ \\t]*$`);
  const found: DockerInstruction[] = [];
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
    while (continued.test(joined) && nextLineStart(text, end) < text.length) {
      joined = joined.replace(continued, ' ');
      let next = nextLineStart(text, end);
      while (next < text.length && /^\s*(#.*)?$/.test(text.slice(next, lineEnd(text, next)))) next = nextLineStart(text, next);
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

/** Whether a RUN of the file runs `uv sync … --frozen`. */
export function runsFrozen(text: string): boolean {
  return dockerInstructions(text).some((ins) => ins.keyword === 'RUN' && /\buv\s+sync\b[^;&|]*--frozen/.test(ins.args));
}

const STUB = /^(?:--\S+\s+)*\.?\/?src\/([A-Za-z0-9_]+)\/pyproject\.toml\s/;

/** The COPY instructions that copy one member's pyproject.toml alone, with the member and the stage. */
export function memberStubs(text: string): Array<{ instruction: DockerInstruction; member: string; stage: number }> {
  let stage = -1;
  const stubs: Array<{ instruction: DockerInstruction; member: string; stage: number }> = [];
  for (const instruction of dockerInstructions(text)) {
    if (instruction.keyword === 'FROM') stage++;
    if (instruction.keyword !== 'COPY') continue;
    const m = STUB.exec(instruction.args + ' ');
    if (m) stubs.push({ instruction, member: m[1], stage });
  }
  return stubs;
}
