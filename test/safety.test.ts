/**
 * Every bad input is refused with a message that says what would be right, exit 1, and the
 * repo untouched; malformed repos are named by file and line; writes are all or nothing.
 * The cases are the table in docs/bad-inputs.md: a case missing from the doc fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { changes, copyFixture, PROJECT, runBin, snapshot } from './helpers.js';

interface BadInput {
  /** The command line after `dagster-location`. */
  args: string[];
  /** What the error must say. */
  message: RegExp;
  /** Break the repo first. */
  prepare?: (dir: string) => void;
}

const LONG_NAME = `a${'_long'.repeat(11)}`; // 56 characters: dagster-<kebab> would be 64

export const BAD_INPUTS: BadInput[] = [
  { args: ['network-analytics'], message: /use snake_case: network_analytics/ },
  { args: ['NetworkAnalytics'], message: /use snake_case: network_analytics/ },
  { args: ['2fast'], message: /not a snake_case package name.*starting with a letter/ },
  { args: ['../evil'], message: /not a snake_case package name; use snake_case: evil/ },
  { args: ['class'], message: /"class" is a Python keyword/ },
  { args: ['match'], message: /"match" is a Python keyword/ },
  { args: ['json'], message: /would shadow the standard-library module json/ },
  { args: ['polars'], message: /would shadow the "polars" import/ },
  { args: ['httpx'], message: /would shadow the "httpx" import/ },
  { args: ['sklearn'], message: /would shadow the "sklearn" import/ },
  { args: ['shared'], message: /would shadow the "shared" import/ },
  { args: [LONG_NAME], message: /56 characters; at most 55/ },
  { args: ['network_analytics', 'Analytics'], message: /"Analytics" is not a valid short name.*e\.g\. analytics/ },
  { args: ['network_analytics', 'a;rm'], message: /"a;rm" is not a valid short name/ },
  { args: ['network_analytics', 'underwriting'], message: /short name "underwriting" is already used by underwriting_ml/ },
  { args: ['network_analytics', 'vanguard_wholesale'], message: /is the package name of another location/ },
  { args: ['network_analytics', 'analytics', '3000'], message: /port 3000 is the Dagster webserver's/ },
  { args: ['network_analytics', 'analytics', '4001'], message: /port 4001 is already used \(.*workspace\.yaml: grpc_server underwriting_ml.*Dockerfile\.underwriting\.ml: EXPOSE/ },
  { args: ['network_analytics', 'analytics', '80'], message: /port 80 is out of range; use one from 1024 to 65535/ },
  { args: ['network_analytics', 'analytics', '70000'], message: /port 70000 is out of range/ },
  { args: ['network_analytics', 'analytics', '40a2'], message: /port "40a2" is not a whole number/ },
  { args: ['clickhouse', 'no_such_location'], message: /There is no code location "no_such_location".*vanguard_wholesale, underwriting_ml/ },
  {
    args: ['network_analytics', 'analytics', '4002'],
    message: /pyproject\.toml:\d+: .*/,
    prepare: (dir) => breakFile(dir, 'pyproject.toml', (t) => t.replace('[tool.uv.sources]', '[tool.uv.sources')),
  },
  {
    args: ['network_analytics', 'analytics', '4002'],
    message: /compose\.yml:\d+: /,
    prepare: (dir) => breakFile(dir, 'compose.yml', (t) => t.replace('services:', 'services:\n  - [unclosed')),
  },
  {
    args: ['network_analytics', 'analytics', '4002'],
    message: /workspace\.yaml:\d+: /,
    prepare: (dir) => writeFileSync(join(dir, 'workspace.yaml'), 'load_from:\n{% for loc in locations %}\n  - grpc_server: {{ loc }}\n{% endfor %}\n'),
  },
  {
    args: ['network_analytics', 'analytics', '4002'],
    message: /docker-bake\.hcl:\d+: target "dagster-network-analytics" exists already with dockerfile = "Dockerfile\.other"/,
    prepare: (dir) => breakFile(dir, 'docker-bake.hcl', (t) => `${t}\ntarget "dagster-network-analytics" {\n  dockerfile = "Dockerfile.other"\n}\n`),
  },
  {
    args: ['network_analytics', 'analytics', '4002'],
    message: /pyproject\.toml:\d+: network-analytics in \[tool\.uv\.sources\] already exists with another value/,
    prepare: (dir) => breakFile(dir, 'pyproject.toml', (t) => t.replace('underwriting-ml = { workspace = true }', 'underwriting-ml = { workspace = true }\nnetwork-analytics = { path = "../elsewhere" }')),
  },
  {
    args: ['network_analytics', 'analytics', '4002'],
    message: /No uv-workspace monorepo found/,
    prepare: (dir) => breakFile(dir, 'pyproject.toml', (t) => t.replace('[tool.uv.workspace]', '[tool.uv.not-a-workspace]')),
  },
];

function breakFile(dir: string, path: string, change: (text: string) => string): void {
  const full = join(dir, path);
  writeFileSync(full, change(readFileSync(full, 'utf8')));
}

describe('bad input: refused with a helpful message, exit 1, nothing written', () => {
  for (const bad of BAD_INPUTS) {
    it(`dagster-location ${bad.args.join(' ')}${bad.prepare ? ' (on a broken repo)' : ''}`, () => {
      const dir = copyFixture();
      bad.prepare?.(dir);
      const before = snapshot(dir);
      const result = runBin(dir, [...bad.args, '--force', '--skip-install']);
      assert.equal(result.status, 1, result.output);
      assert.match(result.stderr, bad.message);
      assert.deepEqual(changes(before, snapshot(dir)), { added: [], changed: [], removed: [] });
    });
  }

  it('docs/bad-inputs.md lists every case tested here', () => {
    const doc = readFileSync(join(PROJECT, 'docs', 'bad-inputs.md'), 'utf8');
    for (const bad of BAD_INPUTS) {
      const command = `dagster-location ${bad.args.join(' ')}`.replace(LONG_NAME, '<56-character name>');
      assert.ok(doc.includes(command), `the doc lists \`${command}\``);
    }
  });
});

describe('values that reach files', () => {
  it('a description with quotes and backslashes is written as a valid TOML string', async () => {
    const dir = copyFixture();
    const description = 'Traffic "marts" \\ latency';
    const result = runBin(dir, ['package', 'network_analytics', 'analytics', '4002', '--description', description, '--force', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    const { parse } = await import('smol-toml');
    const pyproject = parse(readFileSync(join(dir, 'src/network_analytics/pyproject.toml'), 'utf8')) as { project: { description: string } };
    assert.equal(pyproject.project.description, description);
  });
});
