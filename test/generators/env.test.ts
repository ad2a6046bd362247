import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addGitignoreRule, envTemplateText, gitignoreIgnores } from '../../generators/env/files.js';
import { runVerification } from '../../generators/env/verify.js';
import { locationNames } from '../../lib/naming.js';
import { formatSummary, newReport, useColor, type CommandRunner } from '../../lib/report.js';
import { assertOnlyAdds, changes, copyFixture, EXAMPLE, MESSY, read, runGenerator, snapshot } from '../helpers.js';

const ARGS = ['network_analytics', 'analytics', '4002'];
const TEMPLATE = 'environments/network_analytics.env.template';
const POSTGRES = ['DAGSTER_POSTGRES_USER', 'DAGSTER_POSTGRES_PASSWORD', 'DAGSTER_POSTGRES_DB', 'DAGSTER_POSTGRES_HOST'];
const CLICKHOUSE = ['CLICKHOUSE_HOST', 'CLICKHOUSE_PORT', 'CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD'];

/** `KEY=value` lines of an env file, in order. */
function variables(text: string): Array<[string, string]> {
  return text
    .split(/\r?\n/)
    .filter((line) => /^[A-Za-z_]\w*=/.test(line))
    .map((line) => line.split(/=(.*)/s, 2) as [string, string]);
}

/** A runner that records each call and answers from a table (default: exit 0). */
function fakeRunner(answers: Record<string, ReturnType<CommandRunner>> = {}) {
  const calls: Array<{ program: string; args: string[]; cwd: string }> = [];
  const run: CommandRunner = (program, args, options) => {
    calls.push({ program, args, cwd: options.cwd });
    return answers[[program, ...args].join(' ')] ?? { status: 0 };
  };
  return { calls, run };
}

function withEnv<T>(name: string, value: string | undefined, body: () => Promise<T>): Promise<T> {
  const saved = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  return body().finally(() => {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  });
}

describe('dagster-location env network_analytics analytics 4002', () => {
  for (const [label, fixture] of [['tidy example', EXAMPLE], ['messy monorepo', MESSY]] as const) {
    describe(`on the ${label}`, () => {
      let dir: string;
      let original: Map<string, Buffer>;
      const text = (file: string) => original.get(file)!.toString('utf8');
      before(async () => {
        dir = copyFixture(fixture);
        original = snapshot(dir);
        await runGenerator('env', dir, ARGS);
      });

      it('writes the env template: a header naming the deploy-time file, the shared variables, empty values', () => {
        const template = read(dir, TEMPLATE);
        assert.match(template, /^# network_analytics environment/);
        assert.match(template, /\/opt\/dagster\/shared-data\/environments\/network_analytics\.env\b/);
        assert.deepEqual(variables(template), POSTGRES.map((key) => [key, '']), 'the variables every template shares, no ClickHouse ones');
      });

      it('uses the line endings of the canonical template', () => {
        const template = read(dir, TEMPLATE);
        const crlf = text('environments/underwriting_ml.env.template').includes('\r\n');
        assert.equal(template.includes('\r\n'), crlf);
        assert.equal(/(^|[^\r])\n/.test(template), !crlf);
        assert.ok(template.endsWith('\n'));
      });

      it('adds the short-name alias to both devtools scripts, in each dict\'s style', () => {
        const checkDefs = read(dir, 'devtools/check_defs.py');
        const devLocal = read(dir, 'devtools/dev_local.py');
        assertOnlyAdds(text('devtools/check_defs.py'), checkDefs, /analytics/);
        if (fixture !== EXAMPLE) assertOnlyAdds(text('devtools/dev_local.py'), devLocal, /analytics/);
        if (fixture === EXAMPLE) {
          assert.match(checkDefs, /\n {4}"underwriting": "underwriting_ml",\n {4}"analytics": "network_analytics",\n\}/);
          // On one line the dict would pass [tool.ruff] line-length = 100: one entry a line, as ruff format lays it out.
          assert.match(devLocal, /^ALIASES = \{\n {4}"wholesale": "vanguard_wholesale",\n {4}"underwriting": "underwriting_ml",\n {4}"analytics": "network_analytics",\n\}$/m);
        } else {
          // Its [tool.ruff.lint] ignores E501 (the dict is past line-length = 110 already): it stays on one line, in its quotes, the comment after it.
          assert.match(
            checkDefs,
            /^LOCATION_ALIASES = \{'wholesale': 'vanguard_wholesale', 'underwriting': 'underwriting_ml', 'analytics': 'network_analytics'\} {2}# optional short names\r?$/m,
          );
          assert.match(devLocal, /"underwriting": "underwriting_ml", {2}# canonical example\n {4}"analytics": "network_analytics",\n\} {2}# keep in sync/);
        }
      });

      it('leaves .gitignore alone: it already keeps real env files out', () => {
        assert.ok(gitignoreIgnores(read(dir, '.gitignore'), 'environments/network_analytics.env'));
        assert.ok(!gitignoreIgnores(read(dir, '.gitignore'), TEMPLATE));
      });

      it('touches no other file', () => {
        const diff = changes(original, snapshot(dir));
        assert.deepEqual(diff.added, [TEMPLATE]);
        assert.deepEqual(diff.changed, ['devtools/check_defs.py', 'devtools/dev_local.py']);
        assert.deepEqual(diff.removed, []);
      });

      it('changes nothing on a second run', async () => {
        const before = snapshot(dir);
        await runGenerator('env', dir, ARGS);
        assert.deepEqual(changes(before, snapshot(dir)), { added: [], changed: [], removed: [] });
      });

      it('adds the .gitignore rule, in the file\'s style, when it is missing', async () => {
        const other = copyFixture(fixture);
        const stripped = read(other, '.gitignore').replace(/^.*environments\/\*\.env.*\r?\n/gm, '');
        writeFileSync(join(other, '.gitignore'), stripped);
        await runGenerator('env', other, ARGS);
        const after = read(other, '.gitignore');
        assertOnlyAdds(stripped, after, /environments\/\*\.env|env files/);
        assert.ok(gitignoreIgnores(after, 'environments/network_analytics.env'));
        assert.ok(!gitignoreIgnores(after, TEMPLATE), 'the template is still committed');
        if (fixture === EXAMPLE) assert.ok(after.endsWith('\n\n# Real env files hold secrets; only templates are committed\nenvironments/*.env\n'));
        else assert.ok(after.endsWith('.idea/\nenvironments/*.env\n'), 'a bare list gets the bare rule');
      });
    });
  }

  describe('with ClickHouse (dagster-location env underwriting_ml on a fresh template)', () => {
    it('adds the ClickHouse variables of the canonical template after the shared ones', async () => {
      const text = envTemplateText({
        names: locationNames('network_analytics', 'analytics'),
        templates: [
          { path: 'environments/underwriting_ml.env.template', text: read(EXAMPLE, 'environments/underwriting_ml.env.template') },
          { path: 'environments/vanguard_wholesale.env.template', text: read(EXAMPLE, 'environments/vanguard_wholesale.env.template') },
        ],
        clickhouse: { keys: CLICKHOUSE, comment: 'ClickHouse (also read by bootstrap-clickhouse)' },
      });
      assert.deepEqual(variables(text), [...POSTGRES, ...CLICKHOUSE].map((key) => [key, '']));
      assert.match(text, /\n# Dagster instance storage \(same for every code location\)\nDAGSTER_POSTGRES_USER=\n/, "the canonical group's own comment");
      assert.match(text, /\n\n# ClickHouse \(also read by bootstrap-clickhouse\)\nCLICKHOUSE_HOST=\n/);
    });
  });
});

describe('.gitignore rules', () => {
  it('follows git: globs, anchoring, directories, negation, last match wins', () => {
    assert.ok(gitignoreIgnores('environments/*.env\n', 'environments/a.env'));
    assert.ok(!gitignoreIgnores('environments/*.env\n', 'environments/a.env.template'));
    assert.ok(gitignoreIgnores('*.env\n', 'environments/a.env'));
    assert.ok(!gitignoreIgnores('.env\n', 'environments/a.env'));
    assert.ok(gitignoreIgnores('environments/\n', 'environments/a.env'));
    assert.ok(gitignoreIgnores('**/*.env\n', 'environments/a.env'));
    assert.ok(!gitignoreIgnores('/a.env\n', 'environments/a.env'));
    assert.ok(!gitignoreIgnores('environments/*\n!environments/*.env\n', 'environments/a.env'));
    assert.ok(gitignoreIgnores('environments/*\n!environments/*.env.template\n', 'environments/a.env'));
    assert.ok(!gitignoreIgnores('# environments/*.env\n', 'environments/a.env'));
  });

  it('appends a rule keeping line endings and a missing final newline; never twice', () => {
    assert.equal(addGitignoreRule('.venv/\r\ntmp/', 'environments/*.env', 'x'), '.venv/\r\ntmp/\r\nenvironments/*.env');
    assert.equal(addGitignoreRule('# Python\n.venv/\n', 'environments/*.env', 'Secrets'), '# Python\n.venv/\n\n# Secrets\nenvironments/*.env\n');
    assert.equal(addGitignoreRule('environments/*.env\n', 'environments/*.env', 'x'), 'environments/*.env\n');
  });
});

describe('the closing summary', () => {
  const names = locationNames('network_analytics', 'analytics');
  const report = () => {
    const r = newReport();
    r.created.add('src/network_analytics/definitions.py');
    r.created.add(TEMPLATE);
    r.changed.add('pyproject.toml');
    r.changed.add(TEMPLATE);
    return r;
  };

  it('lists files created and changed, the Bitbucket variables with their values, and the commands with names filled in', () => {
    const text = formatSummary({ report: report(), names, clickhouse: true, dryRun: false, color: false });
    const lines = text.split('\n');
    assert.ok(lines.includes('  created   src/network_analytics/definitions.py'));
    assert.ok(lines.includes(`  created   ${TEMPLATE}`));
    assert.ok(lines.includes('  changed   pyproject.toml'));
    assert.ok(!lines.includes(`  changed   ${TEMPLATE}`), 'a created file is not also listed as changed');
    assert.ok(lines.includes('  [ ] SERVICE_IMAGE_NAME_ANALYTICS = dagster-network-analytics  (Repository)'));
    assert.ok(lines.includes('  [ ] DAGSTER_BUILD_TAG_ANALYTICS  = (set by CI pipeline)  (Pipeline)'));
    for (const command of [
      'uv lock',
      'uv sync --group dev',
      'uv tree --package network-analytics',
      'uv run check-defs',
      'uv run check-defs --only network_analytics',
      'uv run dev-local --only network_analytics',
      'uv run dev-local --all',
      'uv run pytest',
      'bootstrap-clickhouse --locations network_analytics',
    ]) {
      assert.ok(lines.includes(`  ${command}`), command);
    }
    assert.ok(!formatSummary({ report: report(), names, clickhouse: false, dryRun: false, color: false }).includes('bootstrap-clickhouse'));
  });

  it('says what a dry run would do', () => {
    const text = formatSummary({ report: report(), names, clickhouse: false, dryRun: true, color: false });
    assert.match(text, /^ {2}would create src\/network_analytics\/definitions\.py$/m);
    assert.match(text, /\nNothing was written\.\n$/);
  });

  it('is coloured for a terminal and plain otherwise or with NO_COLOR', () => {
    const ansi = '\u001b[';
    assert.ok(formatSummary({ report: report(), names, clickhouse: false, dryRun: false, color: true }).includes(ansi));
    assert.ok(!formatSummary({ report: report(), names, clickhouse: false, dryRun: false, color: false }).includes(ansi));
    assert.equal(useColor({ isTTY: true }, {}), true);
    assert.equal(useColor({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(useColor({ isTTY: false }, {}), false);
    assert.equal(useColor({}, {}), false);
    // FORCE_COLOR colours any stream (and wins over NO_COLOR, as in Node); 0 or false turns colour off.
    assert.equal(useColor({ isTTY: false }, { FORCE_COLOR: '1' }), true);
    assert.equal(useColor({ isTTY: false }, { FORCE_COLOR: '' }), true);
    assert.equal(useColor({ isTTY: true }, { FORCE_COLOR: '0' }), false);
    assert.equal(useColor({ isTTY: true }, { FORCE_COLOR: 'false' }), false);
    assert.equal(useColor({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' }), true);
    assert.equal(useColor({ isTTY: true }, { TERM: 'dumb' }), false);
  });

  it('reports each verification result, and leaves the rest (and the skipped ones) to run by hand', () => {
    const r = report();
    r.verification = [
      { command: 'uv tree --package network-analytics', status: 'passed' },
      { command: 'uv run check-defs --only network_analytics', status: 'failed', reason: 'exit 1' },
      { command: 'uv run pytest', status: 'passed' },
      { command: 'bootstrap-clickhouse --locations network_analytics', status: 'skipped', reason: 'CLICKHOUSE_HOST is not set' },
    ];
    const text = formatSummary({ report: r, names, clickhouse: true, dryRun: false, color: false });
    const [ran, byHand] = text.split('Verify by hand');
    assert.match(ran, /\n {2}passed {2}uv tree --package network-analytics\n/);
    assert.match(ran, /\n {2}failed {2}uv run check-defs --only network_analytics {2}\(exit 1\)\n/);
    assert.match(ran, /\n {2}skipped bootstrap-clickhouse --locations network_analytics {2}\(CLICKHOUSE_HOST is not set\)\n/);
    assert.deepEqual(
      byHand.split('\n').slice(1).filter(Boolean),
      ['  uv lock', '  uv sync --group dev', '  uv run check-defs', '  uv run dev-local --only network_analytics', '  uv run dev-local --all', '  bootstrap-clickhouse --locations network_analytics'],
    );
  });
});

describe('--verify', () => {
  const generatorReport = (result: unknown) => (result as { generator: { ctx: { report: ReturnType<typeof newReport> } } }).generator.ctx.report;

  it('dagster-location env underwriting_ml --verify: runs each command as an argument array and reports it', async () => {
    const dir = copyFixture();
    const fake = fakeRunner({ 'uv run pytest': { status: 1 } });
    const result = await withEnv('CLICKHOUSE_HOST', 'clickhouse.internal', () => runGenerator('env', dir, ['underwriting_ml'], { verify: true, runCommand: fake.run }));
    assert.deepEqual(
      fake.calls.map((c) => [c.program, ...c.args]),
      [
        ['uv', 'tree', '--package', 'underwriting-ml'],
        ['uv', 'run', 'check-defs', '--only', 'underwriting_ml'],
        ['uv', 'run', 'pytest'],
        ['uv', 'run', 'bootstrap-clickhouse', '--locations', 'underwriting_ml'],
      ],
    );
    assert.ok(fake.calls.every((c) => c.cwd === dir || c.cwd.endsWith(dir.split('/').at(-1)!)), 'from the monorepo root');
    assert.deepEqual(generatorReport(result).verification, [
      { command: 'uv tree --package underwriting-ml', status: 'passed' },
      { command: 'uv run check-defs --only underwriting_ml', status: 'passed' },
      { command: 'uv run pytest', status: 'failed', reason: 'exit 1' },
      { command: 'bootstrap-clickhouse --locations underwriting_ml', status: 'passed' },
    ]);
  });

  it('skips bootstrap-clickhouse when CLICKHOUSE_HOST is not set, and says why', async () => {
    const dir = copyFixture(MESSY);
    const fake = fakeRunner();
    const result = await withEnv('CLICKHOUSE_HOST', undefined, () => runGenerator('env', dir, ['underwriting_ml'], { verify: true, runCommand: fake.run }));
    assert.equal(fake.calls.length, 3);
    assert.deepEqual(generatorReport(result).verification!.at(-1), {
      command: 'bootstrap-clickhouse --locations underwriting_ml',
      status: 'skipped',
      reason: 'CLICKHOUSE_HOST is not set, so there is no ClickHouse to bootstrap',
    });
  });

  it('dagster-location network_analytics analytics 4002 --verify: the app passes it on; no bootstrap without ClickHouse', async () => {
    const dir = copyFixture();
    const fake = fakeRunner();
    const result = await withEnv('CLICKHOUSE_HOST', 'clickhouse.internal', () => runGenerator('app', dir, ARGS, { verify: true, clickhouse: false, runCommand: fake.run }));
    assert.deepEqual(fake.calls.map((c) => c.args.join(' ')), ['tree --package network-analytics', 'run check-defs --only network_analytics', 'run pytest']);
    assert.deepEqual(generatorReport(result).verification!.map((r) => r.status), ['passed', 'passed', 'passed']);
  });

  it('without --verify runs nothing', async () => {
    const dir = copyFixture();
    const fake = fakeRunner();
    const result = await runGenerator('env', dir, ARGS, { runCommand: fake.run });
    assert.equal(fake.calls.length, 0);
    assert.equal(generatorReport(result).verification, undefined);
  });

  it('a dry run skips every command: nothing was written to verify', async () => {
    const dir = copyFixture();
    const fake = fakeRunner();
    const result = await runGenerator('env', dir, ARGS, { verify: true, dryRun: true, runCommand: fake.run });
    assert.equal(fake.calls.length, 0);
    assert.ok(generatorReport(result).verification!.every((r) => r.status === 'skipped' && r.reason === 'dry run: nothing was written'));
  });

  it('uv missing: skipped with the reason, and not tried again', () => {
    const names = locationNames('network_analytics', 'analytics');
    const enoent = Object.assign(new Error('spawnSync uv ENOENT'), { code: 'ENOENT' });
    const fake = fakeRunner({ 'uv tree --package network-analytics': { status: null, error: enoent } });
    const results = runVerification({ names, clickhouse: true, cwd: '/repo', run: fake.run, env: { CLICKHOUSE_HOST: 'h' } });
    assert.equal(fake.calls.length, 1);
    assert.deepEqual(results.map((r) => [r.status, r.reason]), [
      ['skipped', 'uv is not installed'],
      ['skipped', 'uv is not installed'],
      ['skipped', 'uv is not installed'],
      ['skipped', 'uv is not installed'],
    ]);
  });

  it('a command killed by a signal fails with the signal', () => {
    const names = locationNames('network_analytics', 'analytics');
    const fake = fakeRunner({ 'uv run pytest': { status: null, signal: 'SIGKILL' } });
    const results = runVerification({ names, clickhouse: false, cwd: '/repo', run: fake.run, env: {} });
    assert.deepEqual(results[2], { command: 'uv run pytest', status: 'failed', reason: 'stopped by SIGKILL' });
  });
});
