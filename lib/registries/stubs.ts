/**
 * The member stubs: every Dockerfile that runs `uv sync --frozen` COPYs every workspace member's
 * pyproject.toml (uv validates the whole workspace), in every build stage that copies stubs. A
 * location's footprint in such a file is its stub COPY in each of those stages. Instructions are
 * read honouring `# escape=` (dockerfile-lines.ts).
 */
import { EditError, insertLines, lineNumber, lineStart, nextLineStart } from '../editors/text.js';
import { escapeRegExp } from '../naming.js';
import { auditedLocations, refsOf, removeSpans } from './common.js';
import { memberStubs, runsFrozen } from './dockerfile-lines.js';
import type { Construct, Finding, LocationRef, Registry, RegistryInput } from './registry.js';

/** Root files named Dockerfile or Dockerfile.* that run `uv sync --frozen` (escape-aware). */
export function frozenDockerfiles(input: RegistryInput & { list?: (dir: string) => string[] }, target?: LocationRef): string[] {
  const { model, read } = input;
  const candidates = new Set<string>([
    ...model.frozenDockerfiles,
    ...(input.list ? input.list('').filter((f) => /^Dockerfile(\..+)?$/.test(f)) : []),
    ...model.locations.map((l) => l.names.dockerfile),
    model.conventions.files.bootstrapDockerfile,
    ...(target ? [target.names.dockerfile] : []),
  ]);
  return [...candidates].filter((file) => {
    const text = read(file);
    return text !== undefined && runsFrozen(text);
  }).sort();
}

function stubConstructs(text: string, member: string): Construct[] {
  return memberStubs(text)
    .filter((s) => s.member === member)
    .map((s) => ({ key: `stage ${s.stage}|{snake}`, what: `the pyproject.toml stub of stage ${s.stage + 1}`, start: s.instruction.start, end: nextLineStart(text, s.instruction.end), line: lineNumber(text, s.instruction.start) }));
}

/**
 * The stub COPY of `member` after the last stub of every stage that copies stubs and lacks it,
 * written like that stub (flags, destination form, the siblings' destination column).
 */
export function addMemberStub(text: string, member: string, file: string): string {
  if (!runsFrozen(text)) return text;
  const stubs = memberStubs(text);
  if (stubs.length === 0) throw new EditError('runs `uv sync --frozen` but copies no member pyproject.toml to follow', file);
  const stages = [...new Set(stubs.map((s) => s.stage))].reverse();
  let result = text;
  for (const stage of stages) {
    const group = stubs.filter((s) => s.stage === stage);
    if (group.some((s) => s.member === member)) continue;
    const last = group.at(-1)!;
    const line = text.slice(last.instruction.start, last.instruction.end);
    const copy = align(line.replace(new RegExp(`src/${escapeRegExp(last.member)}/`, 'g'), `src/${member}/`), group.map((s) => text.slice(s.instruction.start, s.instruction.end)));
    result = insertLines(result, nextLineStart(result, last.instruction.end), copy.split(/\r?\n/));
  }
  const after = new Set(memberStubs(result).filter((s) => s.member === member).map((s) => s.stage));
  if (stages.some((stage) => !after.has(stage))) throw new EditError(`could not add the ${member} stub`, file);
  return result;
}

const ONE_LINE = /^(\s*COPY\s+(?:--\S+\s+)*)(\S+)([ \t]+)(\S.*)$/i;

function align(line: string, siblings: string[]): string {
  const m = ONE_LINE.exec(line);
  if (!m || siblings.length < 2) return line;
  const columns = siblings.map((s) => ONE_LINE.exec(s)).map((sm) => (sm ? { column: sm[1].length + sm[2].length + sm[3].length, gap: sm[3] } : undefined));
  if (columns.some((c) => !c)) return line;
  const column = columns[0]!.column;
  if (!columns.every((c) => c!.column === column) || !columns.some((c) => c!.gap.length > 1)) return line;
  return m[1] + m[2] + ' '.repeat(Math.max(1, column - m[1].length - m[2].length)) + m[4];
}

export const stubsRegistry: Registry = {
  id: 'stubs',
  phase: 'docker',
  files: (input, target) => frozenDockerfiles(input, target),

  footprint: (text, _file, location) => stubConstructs(text, location.names.snake),

  add(text, file, input) {
    if (text === undefined) return { text: '', noFile: true, warnings: [], leftOut: [] };
    return { text: addMemberStub(text, input.target.names.snake, file), warnings: [], leftOut: [] };
  },

  audit(text, file, input) {
    if (text === undefined || !runsFrozen(text)) return [];
    const stubs = memberStubs(text);
    const stages = [...new Set(stubs.map((s) => s.stage))];
    const findings: Finding[] = [];
    for (const location of auditedLocations(input)) {
      // A location that is no workspace member yet is the pyproject registry's finding; its stub follows.
      const inStages = new Set(stubs.filter((s) => s.member === location.names.snake).map((s) => s.stage));
      const lacking = stages.length === 0 ? [-1] : stages.filter((stage) => !inStages.has(stage));
      for (const stage of lacking) {
        const last = stubs.filter((s) => s.stage === stage).at(-1);
        findings.push({
          registry: 'stubs',
          file,
          line: last ? lineNumber(text, last.instruction.start) : undefined,
          location: location.names.snake,
          problem: `does not COPY src/${location.names.snake}/pyproject.toml${stages.length > 1 ? ` in stage ${stage + 1}` : ''}, which \`uv sync --frozen\` needs`,
          fix: `add COPY src/${location.names.snake}/pyproject.toml ./src/${location.names.snake}/pyproject.toml next to the other stubs (dagster-location docker ${location.names.snake}, or doctor --fix)`,
          fixable: stages.length > 0,
        });
      }
    }
    return findings;
  },

  remove(text, _file, location) {
    const spans = stubConstructs(text, location.names.snake).map((c) => ({ start: lineStart(text, c.start), end: c.end }));
    return removeSpans(text, spans);
  },
};

export { refsOf };
