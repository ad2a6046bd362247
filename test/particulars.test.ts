/**
 * The canonical's pattern, not its particulars (issue 14), on a variant of the tidy example and
 * of the messy fixture whose canonical (underwriting_ml) carries settings no sibling has: the new
 * location's blocks lack them, the summary lists each with file:line (left out, or for the
 * Dockerfile copied), the doctor is clean after the run, and remove gives back every byte.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { changes, copyFixture, EXAMPLE, MESSY, read, runBin, snapshot } from './helpers.js';

interface Particular {
  file: string;
  /** The line the particular is inserted after (its first match). */
  after: RegExp;
  /** Its lines, indented like the line after `after`. */
  lines: string[];
  /** What the summary says of it, after `file:line: `. */
  listed: string;
  /** Where the summary lists it. */
  section: 'Left out on purpose' | 'Copied though particular';
}

const PARTICULARS: Particular[] = [
  { file: 'compose.yml', after: /^ *underwriting_ml:\r?$/m, lines: ['mem_limit: 6g'], listed: 'underwriting_ml.mem_limit: 6g', section: 'Left out on purpose' },
  { file: 'docker-stack.yml', after: /^ *underwriting_ml:\r?$/m, lines: ['stop_grace_period: 2m'], listed: 'underwriting_ml.stop_grace_period: 2m', section: 'Left out on purpose' },
  {
    file: 'bitbucket-pipelines.yml',
    after: /^ *- step: &build-push-underwriting_ml\r?$/m,
    // Not max-time or size: the messy steps take those from a shared `<<: *docker-step`, so they are shared.
    lines: ['oidc: true'],
    listed: 'step.oidc: true of the list entry step &build-push-underwriting_ml',
    section: 'Left out on purpose',
  },
  {
    file: 'Dockerfile.underwriting.ml',
    after: /^WORKDIR .*\r?$/m,
    lines: ['RUN apt-get update && apt-get install -y --no-install-recommends libgomp1'],
    listed: 'RUN apt-get update && apt-get install -y --no-install-recommends libgomp1',
    section: 'Copied though particular',
  },
];

/** The fixture's text with the particular's lines after its anchor line: in the file's indentation and line ending; their first line. */
function inject(text: string, particular: Particular): { text: string; line: number } {
  const m = particular.after.exec(text);
  assert.ok(m, `${particular.file}: no line matches ${particular.after}`);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const next = text.indexOf('\n', m.index) + 1;
  const indent = particular.file.startsWith('Dockerfile') ? '' : /^[ \t]*/.exec(text.slice(next))![0];
  const added = particular.lines.map((l) => indent + l + eol).join('');
  return { text: text.slice(0, next) + added + text.slice(next), line: text.slice(0, next).split('\n').length };
}

/** A copy of the fixture whose canonical carries every particular; the line each starts on. */
function variant(fixture: string): { dir: string; lines: Map<Particular, number> } {
  const dir = copyFixture(fixture);
  const lines = new Map<Particular, number>();
  for (const particular of PARTICULARS) {
    const path = join(dir, particular.file);
    const injected = inject(readFileSync(path, 'utf8'), particular);
    writeFileSync(path, injected.text);
    lines.set(particular, injected.line);
  }
  return { dir, lines };
}

function section(stdout: string, heading: Particular['section']): string {
  return stdout.split('\n\n').find((s) => s.startsWith(heading)) ?? '';
}

for (const [name, fixture] of [
  ['tidy example', EXAMPLE],
  ['messy fixture', MESSY],
] as const) {
  describe(`the canonical's particulars on the ${name} (issue 14)`, () => {
    let dir: string;
    let lines: Map<Particular, number>;
    let original: Map<string, Buffer>;
    let run: ReturnType<typeof runBin>;

    before(() => {
      ({ dir, lines } = variant(fixture));
      original = snapshot(dir);
      run = runBin(dir, ['network_analytics', 'analytics', '4002', '--force', '--skip-install', '--no-clickhouse']);
    });

    it('exits 0', () => {
      assert.equal(run.status, 0, run.output);
    });

    it("gives the new blocks none of the canonical's own settings; copies its extra Dockerfile instruction", () => {
      const compose = read(dir, 'compose.yml');
      assert.equal((compose.match(/mem_limit: 6g/g) ?? []).length, 1, compose);
      const stack = read(dir, 'docker-stack.yml');
      assert.equal((stack.match(/stop_grace_period: 2m/g) ?? []).length, 1, stack);
      const pipelines = read(dir, 'bitbucket-pipelines.yml');
      assert.equal((pipelines.match(/oidc: true/g) ?? []).length, 1, pipelines);
      assert.match(read(dir, 'Dockerfile.network.analytics'), /^RUN apt-get update && apt-get install -y --no-install-recommends libgomp1\r?$/m);
    });

    it('lists each particular with file:line under its heading', () => {
      for (const particular of PARTICULARS) {
        const entry = `  - ${particular.file}:${lines.get(particular)}: ${particular.listed} (`;
        assert.ok(section(run.stdout, particular.section).includes(entry), `${entry}\n${run.stdout}`);
      }
    });

    it('the doctor is clean after the run', () => {
      const doctor = runBin(dir, ['doctor']);
      assert.equal(doctor.status, 0, doctor.output);
    });

    it('remove gives back every byte of the variant', () => {
      const removed = runBin(dir, ['remove', 'network_analytics', '--force', '--skip-install']);
      assert.equal(removed.status, 0, removed.output);
      const diff = changes(original, snapshot(dir));
      assert.deepEqual({ added: diff.added, changed: diff.changed, removed: diff.removed }, { added: [], changed: [], removed: [] });
    });
  });
}
