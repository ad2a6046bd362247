/**
 * The two ways in, as a user types them: the package's own `dagster-location` bin and `yo`.
 * These run the built JavaScript as separate processes with no terminal (stdin closed).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, changes, copyFixture, EXAMPLE, exists, MESSY, PROJECT, read, runBin, snapshot } from './helpers.js';

describe('dagster-location (the bin)', () => {
  it('--help names every sub-generator and the options', () => {
    const result = runBin(tmpdir(), ['--help']);
    assert.equal(result.status, 0, result.output);
    for (const sub of ['package', 'clickhouse', 'docker', 'ci', 'env', 'doctor']) assert.match(result.stdout, new RegExp(sub));
    for (const option of ['--description', '--clickhouse', '--skip-install', '--force', '--dry-run', '--bail']) {
      assert.ok(result.output.includes(option), `${option} in help`);
    }
  });

  it('runs from a folder inside the monorepo and writes at its root', () => {
    const dir = copyFixture();
    const result = runBin(join(dir, 'src', 'shared'), ['network_analytics', 'analytics', '4002', '--force', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    assert.ok(exists(dir, 'src/network_analytics/definitions.py'));
    assert.match(read(dir, 'pyproject.toml'), /"src\/network_analytics"/);
    assert.ok(!exists(dir, 'src/shared/src'), 'nothing is written relative to the folder it was run from');
  });

  it('outside a monorepo: a clear error, exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'not-a-monorepo-'));
    const result = runBin(dir, ['network_analytics', '--force']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /No uv-workspace monorepo found/);
  });

  it('without a terminal and without --force: nothing written, and says how to proceed', () => {
    const dir = copyFixture();
    const before = snapshot(dir);
    const result = runBin(dir, ['network_analytics', 'analytics', '4002', '--skip-install']);
    assert.equal(result.status, 1, result.output);
    assert.match(result.stderr, /--force/);
    assert.match(result.stderr, /Nothing was written/);
    assert.deepEqual(changes(before, snapshot(dir)), { added: [], changed: [], removed: [] });
  });

  it('--dry-run prints a unified diff of the whole change and writes nothing', () => {
    const dir = copyFixture();
    const before = snapshot(dir);
    const result = runBin(dir, ['network_analytics', 'analytics', '4002', '--dry-run', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    assert.match(result.stdout, /^--- a\/pyproject\.toml$/m);
    assert.match(result.stdout, /^\+members = \["src\/shared", "src\/vanguard_wholesale", "src\/underwriting_ml", "src\/network_analytics"\]$/m);
    assert.match(result.stdout, /^\+\+\+ b\/src\/network_analytics\/definitions\.py$/m);
    assert.deepEqual(changes(before, snapshot(dir)), { added: [], changed: [], removed: [] });
  });

  for (const [label, fixture] of [['tidy example', EXAMPLE], ['messy monorepo', MESSY]] as const) {
    it(`--dry-run on the ${label}: a patch git apply turns into exactly the real run's result; the summary on stderr`, () => {
      const args = ['network_analytics', 'analytics', '4002', '--clickhouse', '--skip-install'];
      const patched = copyFixture(fixture);
      const real = copyFixture(fixture);
      const dry = runBin(patched, [...args, '--dry-run']);
      assert.equal(dry.status, 0, dry.output);
      // stdout is only the patch: every line a header, a hunk header or a hunk line.
      assert.match(dry.stdout, /^diff --git /);
      for (const line of dry.stdout.split('\n').slice(0, -1)) {
        assert.match(line, /^(diff --git |new file mode |deleted file mode |old mode |new mode |--- |\+\+\+ |@@ |[ +-]|\\ No newline)/, line);
      }
      assert.match(dry.stdout, /^diff --git a\/src\/network_analytics\/__init__\.py b\/src\/network_analytics\/__init__\.py\nnew file mode 100644\n(?!---)/m, 'an empty new file, as git writes it');
      assert.match(dry.stderr, /would create +src\/network_analytics\/definitions\.py/);
      assert.match(dry.stderr, /\nNothing was written\.\n$/);
      assert.doesNotMatch(dry.output, /install was skipped/);
      writeFileSync(join(patched, '..', `${label.replace(' ', '-')}.patch`), dry.stdout);
      const applied = spawnSync('git', ['apply', join(patched, '..', `${label.replace(' ', '-')}.patch`)], { cwd: patched, encoding: 'utf8' });
      assert.equal(applied.status, 0, applied.stderr);
      assert.equal(runBin(real, [...args, '--force']).status, 0);
      const a = snapshot(patched);
      const b = snapshot(real);
      assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
      for (const [file, bytes] of b) assert.ok(bytes.equals(a.get(file)!), `${file} is the same either way`);
      assert.ok(b.has('src/network_analytics/clickhouse/__init__.py') || b.has('src/network_analytics/__init__.py'));
    });
  }

  describe('refuses what it does not understand: exit 2, a suggestion, nothing written', () => {
    const cases: Array<[string[], RegExp]> = [
      [['docter', '--force', '--skip-install'], /Did you mean `dagster-location doctor`\?/],
      [['clickhous', 'vanguard_wholesale'], /Did you mean `dagster-location clickhouse vanguard_wholesale`\?/],
      [['network_analytics', '--clickhous', '--force', '--skip-install'], /Unknown option --clickhous\. Did you mean --clickhouse\?/],
      [['network_analytics', '--frobnicate', '--force'], /Unknown option --frobnicate\./],
      [['network_analytics', '-f'], /Unknown option -f\. Did you mean --force\?/],
      [['doctor', 'extra_arg'], /doctor takes no arguments \(got extra_arg\)/],
      [['network_analytics', 'analytics', '4002', '--port', '4003', '--force'], /\[port\] is given twice/],
    ];
    for (const [args, message] of cases) {
      it(`dagster-location ${args.join(' ')}`, () => {
        const dir = copyFixture();
        const before = snapshot(dir);
        const result = runBin(dir, args);
        assert.equal(result.status, 2, result.output);
        assert.match(result.stderr, message);
        assert.match(result.stderr, /Nothing was run\.$/m);
        assert.equal(result.stdout, '');
        assert.deepEqual(changes(before, snapshot(dir)), { added: [], changed: [], removed: [] });
      });
    }
  });

  it('--port (and --short-name) instead of the positional arguments', () => {
    const dir = copyFixture();
    const result = runBin(dir, ['network_analytics', '--port', '4003', '--no-clickhouse', '--force', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    assert.match(read(dir, 'workspace.yaml'), /host: network_analytics\n\s+port: 4003/);
    assert.match(read(dir, 'devtools/check_defs.py'), /"analytics": "network_analytics"/);
  });

  it('--version and -v print the version', () => {
    const { version } = JSON.parse(read(PROJECT, 'package.json')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const result = runBin(tmpdir(), [flag]);
      assert.equal(result.status, 0, result.output);
      assert.equal(result.stdout, `${version}\n`);
    }
  });

  it('a sub-generator\'s help shows only its own options', () => {
    const result = runBin(tmpdir(), ['doctor', '--help']);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /--json/);
    for (const other of ['--clickhouse', '--description', '--verify', '--skip-cache', '--port']) assert.ok(!result.stdout.includes(other), other);
  });

  it('the summary is what was written: a file a .yo-resolve rule skips is announced and listed as skipped, not changed', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, '.yo-resolve'), '# keep the stack file by hand\ndocker-stack.yml skip\n');
    const stack = read(dir, 'docker-stack.yml');
    const result = runBin(dir, ['network_analytics', 'analytics', '4002', '--no-clickhouse', '--force', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    assert.equal(read(dir, 'docker-stack.yml'), stack);
    assert.match(result.stderr, /^\.yo-resolve rules in effect[^\n]*\n {2}\.yo-resolve:2: docker-stack\.yml skip$/m);
    // Said before anything else happens.
    assert.ok(result.stderr.indexOf('.yo-resolve rules in effect') < result.stderr.indexOf('create'), result.stderr);
    assert.match(result.stdout, /^ {2}skipped +docker-stack\.yml {2}\(\.yo-resolve:2 \(docker-stack\.yml skip\); not registered there\)$/m);
    assert.doesNotMatch(result.stdout, /changed +docker-stack\.yml/);
    assert.match(result.stdout, /^ {2}changed +compose\.yml$/m);
    assert.ok(!exists(dir, '.yo-resolve') || read(dir, '.yo-resolve').split('\n').length === 3, 'the run adds nothing to .yo-resolve');
  });

  it('no colour where the output is not a terminal; FORCE_COLOR colours it, error prefix included', () => {
    const outside = mkdtempSync(join(tmpdir(), 'not-a-monorepo-'));
    const plain = runBin(outside, ['network_analytics', '--force'], { NO_COLOR: '', FORCE_COLOR: '' });
    // FORCE_COLOR set to the empty string asks for colour; unset it for the plain case.
    const env = { ...process.env };
    delete env.FORCE_COLOR;
    delete env.NO_COLOR;
    const none = spawnSync(process.execPath, [BIN, 'network_analytics', '--force'], { cwd: outside, encoding: 'utf8', input: '', env });
    assert.equal(none.status, 1);
    assert.ok(!none.stderr.includes('\u001b['), none.stderr);
    assert.match(none.stderr, /^Error: No uv-workspace monorepo found/m);
    assert.equal(plain.status, 1);
    assert.ok(plain.stderr.includes('\u001b[31mError:\u001b[39m'), plain.stderr);
    const forced = runBin(copyFixture(), ['network_analytics', 'analytics', '4002', '--no-clickhouse', '--force', '--skip-install'], { NO_COLOR: '', FORCE_COLOR: '1' });
    assert.ok(forced.stdout.includes('\u001b['), 'the summary is coloured');
    const blocked = runBin(copyFixture(), ['network_analytics', 'analytics', '4002', '--no-clickhouse', '--force', '--skip-install'], { NO_COLOR: '1' });
    assert.ok(!blocked.output.includes('\u001b['), 'NO_COLOR: no colour anywhere');
  });

  it('an error inside a phase names the file and line, never Yeoman\'s namespace', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, 'compose.yml'), `${read(dir, 'compose.yml')}\nbroken: [unclosed\n`);
    const result = runBin(dir, ['network_analytics', 'analytics', '4002', '--force', '--skip-install']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^Error: compose\.yml:\d+/m);
    assert.doesNotMatch(result.output, /An error occured|dagster-location:\w+#|#writing|#initializing/);
  });

  it('a .yo-rc.json canonical that names no location: an error with its line, nothing written', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, '.yo-rc.json'), '{\n  "generator-dagster-location": {\n    "canonical": "underwriting"\n  }\n}\n');
    const before = snapshot(dir);
    const result = runBin(dir, ['network_analytics', 'analytics', '4002', '--force', '--skip-install']);
    assert.equal(result.status, 1, result.output);
    assert.match(result.stderr, /\.yo-rc\.json:3: "canonical": "underwriting" names no code location of this monorepo \(locations: vanguard_wholesale, underwriting_ml\)/);
    assert.deepEqual(changes(before, snapshot(dir)), { added: [], changed: [], removed: [] });
  });

  it('docker before package: a warning naming the pyproject.toml the new COPY lines need', () => {
    const dir = copyFixture();
    const result = runBin(dir, ['docker', 'network_analytics', 'analytics', '4002', '--force']);
    assert.equal(result.status, 0, result.output);
    assert.match(result.stdout, /src\/network_analytics\/pyproject\.toml does not exist yet, and Dockerfile\.bootstrap, Dockerfile\.underwriting\.ml, Dockerfile\.vanguard\.wholesale now COPY it[\s\S]*dagster-location package network_analytics/);
    const after = copyFixture();
    assert.equal(runBin(after, ['package', 'network_analytics', 'analytics', '4002', '--force', '--skip-install']).status, 0);
    assert.doesNotMatch(runBin(after, ['docker', 'network_analytics', '--force']).stdout, /does not exist yet/);
  });

  it('a missing package name with no terminal to ask: error with the usage, exit 1', () => {
    const dir = copyFixture();
    const result = runBin(dir, ['--force', '--skip-install']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /Missing <package_name>.*dagster-location <package_name> \[short_name\] \[port\]/s);
  });

  it('a sub-generator by name: `dagster-location package ...` runs phases 1-2 only', () => {
    const dir = copyFixture();
    const before = snapshot(dir);
    const result = runBin(dir, ['package', 'network_analytics', 'analytics', '4002', '--force', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    const diff = changes(before, snapshot(dir));
    assert.deepEqual(diff.changed, ['pyproject.toml']);
    assert.ok(diff.added.every((f) => f.startsWith('src/network_analytics/')));
  });
});

describe('the package as published', () => {
  it('ships the built code, the docs the README links to, and the MIT LICENSE; every `files` entry exists', () => {
    const pkg = JSON.parse(read(PROJECT, 'package.json')) as { files: string[]; license: string };
    for (const entry of pkg.files) assert.ok(exists(PROJECT, entry), `${entry} (listed in files) exists`);
    const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PROJECT, encoding: 'utf8' });
    assert.equal(packed.status, 0, packed.stderr);
    const shipped = new Set((JSON.parse(packed.stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path));
    for (const file of ['LICENSE', 'README.md', 'package.json', 'dist/bin/dagster-location.js', 'dist/lib/commands.js', 'dist/generators/app/index.js', 'dist/generators/package/templates/pyproject.toml.ejs']) {
      assert.ok(shipped.has(file), `${file} is shipped`);
    }
    assert.ok(![...shipped].some((f) => /^(test|example|bench|lib|generators|bin)\//.test(f) || f.endsWith('.ts')), 'no sources, tests or fixtures');
    for (const [, target] of read(PROJECT, 'README.md').matchAll(/\]\((?!https?:|#)([^)]+)\)/g)) assert.ok(shipped.has(target), `the README links to ${target}, which is shipped`);
    assert.equal(pkg.license, 'MIT');
    assert.match(read(PROJECT, 'LICENSE'), /^MIT License\n\nCopyright \(c\) \d{4} generator-dagster-location contributors\n/);
  });
});

describe('yo dagster-location', () => {
  /** yo finds the generator through NODE_PATH; as root it switches user, so HOME and the repo must be writable. */
  function runYo(cwd: string, args: string[]) {
    const base = mkdtempSync(join(tmpdir(), 'yo-'));
    const modules = join(base, 'node_modules');
    const home = join(base, 'home');
    mkdirSync(modules);
    mkdirSync(home);
    symlinkSync(PROJECT, join(modules, 'generator-dagster-location'));
    for (const dir of [base, home]) chmodSync(dir, 0o777);
    spawnSync('chmod', ['-R', 'a+rwX', cwd]);
    const yo = join(PROJECT, 'node_modules', '.bin', 'yo');
    const result = spawnSync(yo, [...args, '--no-insight'], {
      cwd,
      encoding: 'utf8',
      input: '',
      env: { ...process.env, HOME: home, NODE_PATH: modules, NO_COLOR: '1', NO_UPDATE_NOTIFIER: '1' },
      timeout: 120_000,
    });
    return { status: result.status, output: result.stdout + result.stderr };
  }

  it('creates the same location as the bin', () => {
    const viaYo = copyFixture();
    const viaBin = copyFixture();
    const args = ['network_analytics', 'analytics', '4002', '--force', '--skip-install'];
    const yoResult = runYo(viaYo, ['dagster-location', ...args]);
    assert.equal(yoResult.status, 0, yoResult.output);
    assert.equal(runBin(viaBin, args).status, 0);
    const a = snapshot(viaYo);
    const b = snapshot(viaBin);
    assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
    for (const [file, bytes] of a) assert.ok(bytes.equals(b.get(file)!), `${file} is the same either way`);
  });

  it('--help is the same as the bin\'s, without Yeoman options that do nothing here', () => {
    const result = runYo(mkdtempSync(join(tmpdir(), 'yo-help-')), ['dagster-location:docker', '--help']);
    assert.equal(result.status, 0, result.output);
    assert.ok(result.output.includes(runBin(tmpdir(), ['docker', '--help']).stdout), result.output);
    for (const unused of ['--skip-cache', '--force-install', '--ask-answered', '--skip-install']) assert.ok(!result.output.includes(unused), unused);
  });

  it('refuses extra arguments there too', () => {
    const dir = copyFixture();
    const result = runYo(dir, ['dagster-location:doctor', 'extra_arg']);
    assert.equal(result.status, 2, result.output);
    assert.match(result.output, /doctor takes no arguments \(got extra_arg\)/);
  });

  it('runs a sub-generator: yo dagster-location:clickhouse vanguard_wholesale', () => {
    const dir = copyFixture();
    const result = runYo(dir, ['dagster-location:clickhouse', 'vanguard_wholesale', '--force', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    assert.match(read(dir, 'src/vanguard_wholesale/clickhouse/asset_registry.py'), /DB_NAME = "vanguard_wholesale"/);
    assert.match(read(dir, 'Dockerfile.bootstrap'), /^COPY src\/vanguard_wholesale\/clickhouse \.\/src\/vanguard_wholesale\/clickhouse$/m);
  });
});
