/**
 * The team's real tools on every fixture monorepo, before and after the generator: uv (lock,
 * tree, sync, and each Dockerfile's builder stage replayed with `uv sync --locked`), the Docker
 * CLI's stack loader, Debian's docker-compose, the Compose specification's schema, the
 * Bitbucket Pipelines structure checks, bake's evaluation (HCL v2), dockerfile-utils, ruff with
 * the repo's own settings, and Python's compile() under the version the repo requires.
 *
 * Gated checks (ruff, dockerfile-utils, the schema, Bitbucket, bake) fail only on findings the
 * fixture did not have as it was; the others accept nothing. In CI a missing tool fails; on a
 * developer's machine the test skips and names the install command.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyFixture, EXAMPLE, PROJECT, runBin } from '../helpers.js';
import { CHECKS, removeUvFolders, type Check, type Finding } from './checks.js';
import { recorded, record } from './summary.js';
import { need } from './tools.js';

/** example/ and every fixture monorepo under test/fixtures/ (a folder with a root pyproject.toml). */
function fixtures(): Array<{ name: string; dir: string }> {
  const root = join(PROJECT, 'test', 'fixtures');
  const found = readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'pyproject.toml')))
    .sort()
    .map((name) => ({ name, dir: join(root, name) }));
  return [{ name: 'example', dir: EXAMPLE }, ...found];
}

/** A free code-server port from 4002 on: none of the fixture's files mentions it. */
function freePort(dir: string): string {
  const text = ['workspace.yaml', 'compose.yml', 'docker-stack.yml'].filter((f) => existsSync(join(dir, f))).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
  let port = 4002;
  while (new RegExp(`\\b${port}\\b`).test(text)) port++;
  return String(port);
}

/** A code location of the fixture without a clickhouse/ subpackage (vanguard_wholesale in ours). */
function locationWithoutClickhouse(dir: string): string | undefined {
  const src = join(dir, 'src');
  const candidates = readdirSync(src).filter((name) => name !== 'shared' && existsSync(join(src, name, 'definitions.py')) && !existsSync(join(src, name, 'clickhouse')));
  return candidates.includes('vanguard_wholesale') ? 'vanguard_wholesale' : candidates.sort()[0];
}

interface Scenario {
  name: string;
  /** The bin's argument lists, run one after the other; undefined when it does not apply. */
  runs(dir: string): string[][] | undefined;
}

const SCENARIOS: Scenario[] = [
  { name: 'new location with ClickHouse', runs: (dir) => [['network_analytics', 'analytics', freePort(dir), '--force', '--skip-install', '--clickhouse']] },
  { name: 'new location without ClickHouse', runs: (dir) => [['network_analytics', 'analytics', freePort(dir), '--force', '--skip-install', '--no-clickhouse']] },
  {
    name: 'ClickHouse added later',
    runs: (dir) => {
      const location = locationWithoutClickhouse(dir);
      return location ? [['clickhouse', location, '--force']] : undefined;
    },
  },
  {
    name: 'a location removed',
    runs: (dir) => {
      const location = locationWithoutClickhouse(dir);
      return location ? [['remove', location, '--force', '--skip-install']] : undefined;
    },
  },
  {
    name: 'a location renamed',
    runs: (dir) => {
      const location = locationWithoutClickhouse(dir);
      return location ? [['rename', location, 'regional_freight', 'freight', '--force', '--skip-install']] : undefined;
    },
  },
];

/**
 * Results a tool rejects today that the generator cannot fix in its own files: each is skipped
 * with the reason here, and listed in the summary. Keyed by `fixture / scenario / check`.
 */
const KNOWN_REJECTIONS: Record<string, string> = Object.fromEntries(
  ['example', 'realworld'].flatMap((fixture) =>
    ['a location removed', 'a location renamed'].map((scenario) => [
      // These fixtures' tests import the location by name. remove and rename touch no file outside
      // the registries and the package: they list such mentions (file:line) for a person, and ruff
      // then sorts the import of a package that is no longer first-party differently (I001).
      `${fixture} / ${scenario} / ruff`,
      'tests/test_definitions.py still imports the old package; the summary lists it for a person',
    ]),
  ),
);

const AS_IT_IS = 'as it is';

function describeFindings(findings: Finding[]): string {
  return findings.map((f) => `  - ${f.message.replaceAll('\n', '\n    ')}`).join('\n');
}

for (const fixture of fixtures()) {
  describe(`real tools on ${fixture.name === 'example' ? 'example/' : `test/fixtures/${fixture.name}/`}`, function () {
    this.timeout(600_000);
    /** Findings of each check on the fixture as it is, for the gated checks. */
    const baseline = new Map<string, Finding[]>();
    const states = new Map<string, string>();

    before(function () {
      states.set(AS_IT_IS, copyFixture(fixture.dir));
      for (const scenario of SCENARIOS) {
        const dir = copyFixture(fixture.dir);
        const runs = scenario.runs(dir);
        if (!runs) continue;
        for (const args of runs) {
          const result = runBin(dir, args);
          assert.equal(result.status, 0, `dagster-location ${args.join(' ')} on ${fixture.name} failed:\n${result.output}`);
        }
        states.set(scenario.name, dir);
      }
    });

    for (const scenarioName of [AS_IT_IS, ...SCENARIOS.map((s) => s.name)]) {
      describe(scenarioName, () => {
        for (const check of CHECKS) {
          const known = KNOWN_REJECTIONS[`${fixture.name} / ${scenarioName} / ${check.name}`];
          if (known) {
            it.skip(`${check.name} accepts it (known rejection: ${known})`, () => {});
            record({ check: check.name, fixture: fixture.name, scenario: scenarioName, status: 'known', detail: known });
            continue;
          }
          it(`${check.name} accepts it`, function () {
            const dir = states.get(scenarioName);
            if (!dir) this.skip(); // the scenario does not apply to this fixture
            runCheck(this, check, dir, fixture.name, scenarioName, baseline);
          });
        }
      });
    }
  });
}

function runCheck(context: Mocha.Context, check: Check, dir: string, fixture: string, scenario: string, baseline: Map<string, Finding[]>) {
  const tools = check.tools(dir);
  const missing = tools.find((t) => !t.command);
  if (missing) record({ check: check.name, fixture, scenario, status: 'missing', detail: `${missing.name}: ${missing.missing}; install: ${missing.install}` });
  const commands = tools.map((tool) => need(context, tool));
  const tool = tools.map((t) => t.version).filter(Boolean).join(', ');
  let findings = check.run(dir, commands).findings;
  if (scenario === AS_IT_IS) baseline.set(check.name, findings);
  else if (check.gated) {
    const before = baseline.get(check.name);
    assert.ok(before, `${check.name} has no result on the fixture as it was (that test must run first)`);
    const known = new Set(before.map((f) => f.key));
    findings = findings.filter((f) => !known.has(f.key));
  }
  if (check.gated && scenario === AS_IT_IS) {
    // What the fixture already has is the baseline; it is reported, not failed.
    record({ check: check.name, fixture, scenario, status: 'ok', tool, detail: findings.length ? `${findings.length} findings before any change` : undefined });
    return;
  }
  record({ check: check.name, fixture, scenario, status: findings.length ? 'rejected' : 'ok', tool, detail: findings[0]?.message });
  assert.deepEqual(findings, [], `${check.name} rejects the result on ${fixture} (${scenario})${check.gated ? ' with findings the fixture did not have' : ''}:\n${describeFindings(findings)}`);
}

after(function () {
  removeUvFolders();
  const entries = recorded();
  if (entries.length === 0) return;
  const known = entries.filter((e) => e.status === 'known');
  const bad = entries.filter((e) => e.status === 'rejected' || e.status === 'missing');
  const accepted = entries.length - known.length - bad.length;
  const rest = bad.map((e) => `${e.check} (${e.fixture}, ${e.scenario}): ${e.status}`).join('; ');
  console.log(`\n    real tools: ${accepted} results accepted, ${known.length} skipped as known rejections${rest ? `; ${rest}` : ''}`);
});
