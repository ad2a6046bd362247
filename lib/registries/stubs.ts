/**
 * The member stubs: every Dockerfile that runs `uv sync --frozen` COPYs every workspace member's
 * pyproject.toml (uv validates the whole workspace), in every build stage that copies stubs. A
 * location's footprint in such a file is its stub COPY in each of those stages. Instructions are
 * read honouring `# escape=` by the Dockerfile editor, which also writes the new stubs.
 */
import { addStub, runsFrozenSync, stubCopies } from '../editors/dockerfile.js';
import { lineNumber, lineStart, nextLineStart } from '../editors/text.js';
import { auditedLocations, refsOf, removeSpans } from './common.js';
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
    return text !== undefined && runsFrozenSync(text);
  }).sort();
}

function stubConstructs(text: string, member: string): Construct[] {
  return stubCopies(text)
    .filter((s) => s.member === member)
    .map((s) => ({ key: `stage ${s.stage}|{snake}`, what: `the pyproject.toml stub of stage ${s.stage + 1}`, start: s.instruction.start, end: nextLineStart(text, s.instruction.end), line: lineNumber(text, s.instruction.start) }));
}

export const stubsRegistry: Registry = {
  id: 'stubs',
  phase: 'docker',
  files: (input, target) => frozenDockerfiles(input, target),

  footprint: (text, _file, location) => stubConstructs(text, location.names.snake),

  add(text, file, input) {
    if (text === undefined) return { text: '', noFile: true, warnings: [], leftOut: [] };
    return { text: addStub(text, input.target.names.snake, file), warnings: [], leftOut: [] };
  },

  audit(text, file, input) {
    if (text === undefined || !runsFrozenSync(text)) return [];
    const stubs = stubCopies(text);
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
