/**
 * The third fixture, test/fixtures/realworld/: the same two code locations as example/, written
 * in the structures production repos use (bake variables, a tag function, an abstract `_common`
 * target and several groups; staged, parallel and per-location custom pipelines; compose `x-`
 * anchors, an aliased long-form depends_on and an embedded workspace config; Swarm `x-deploy`; a
 * Dockerfile with the `# escape=`` directive).
 *
 * (a) the fixture is valid and the project's own readers understand it; (b) the doctor finds no
 * problem in it and sees drift in it; (c) what adding network_analytics to it gives. A case's
 * name gives the issue that asked for it (13: every construct of a location's footprint; 14: the
 * canonical's pattern, not its particulars).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { diffChars } from 'diff';
import { parse as smolToml } from 'smol-toml';
import { isAlias, parseDocument, visit } from 'yaml';
import { runsFrozenSync, stubCopies } from '../lib/editors/dockerfile.js';
import { envKeys } from '../lib/editors/env.js';
import { hclBlocks } from '../lib/editors/hcl.js';
import { aliasDicts, pythonTokens } from '../lib/editors/python.js';
import { parseToml } from '../lib/editors/toml.js';
import { parseYaml, toJs } from '../lib/editors/yaml.js';
import { REGISTRIES } from '../lib/audit.js';
import { diskLister, readMonorepo } from '../lib/monorepo.js';
import { changes, copyFixture, read, REALWORLD, runBin, snapshot } from './helpers.js';

type Json = any;

/** The summary's "Left out on purpose" section (empty when there is none). */
function leftOutSection(stdout: string): string {
  return stdout.split('\n\n').find((s) => s.startsWith('Left out on purpose')) ?? '';
}

const YAML_FILES = ['compose.yml', 'docker-stack.yml', 'workspace.yaml', 'bitbucket-pipelines.yml'];
const MEMBERS = ['shared', 'vanguard_wholesale', 'underwriting_ml'];

function files(dir: string, pattern: RegExp): string[] {
  return [...snapshot(dir).keys()].filter((f) => pattern.test(f)).sort();
}

/** Parsed with `yaml` itself: no error, no warning, no duplicate key, every alias after its anchor. */
function strictYaml(text: string, file: string): Json {
  const doc = parseDocument(text, { merge: true, uniqueKeys: true });
  assert.deepEqual([...doc.errors, ...doc.warnings].map((e) => `${file}: ${e.message}`), []);
  const anchors = new Set<string>();
  visit(doc, {
    Node(_, node) {
      if (isAlias(node)) assert.ok(anchors.has(node.source), `${file}: *${node.source} has no anchor before it`);
      else if (node.anchor) anchors.add(node.anchor);
    },
  });
  return doc.toJS({ maxAliasCount: -1 });
}

/** The project's YAML reader agrees with `yaml` on what the file means. */
function projectYaml(text: string, file: string): Json {
  const js = toJs(parseYaml(text, file));
  assert.deepEqual(js, strictYaml(text, file));
  return js;
}

const HCL_STDLIB = new Set(['split', 'join', 'format', 'concat', 'lower', 'upper', 'replace', 'trimprefix', 'coalesce', 'notequal', 'equal', 'and', 'or', 'add', 'timestamp', 'formatdate']);
const HCL_KEYWORDS = new Set(['true', 'false', 'null', 'for', 'in', 'if']);

/**
 * What `docker buildx bake` would refuse in an hcl2json result: a variable or function used but
 * not declared, a group member that is neither target nor group, an `inherits` that names no
 * target, a block defined twice.
 */
function bakeProblems(bake: Json): string[] {
  const problems: string[] = [];
  const variables = new Set(Object.keys(bake.variable ?? {}));
  const functions = new Set(Object.keys(bake.function ?? {}));
  const targets = new Set(Object.keys(bake.target ?? {}));
  const groups = new Set(Object.keys(bake.group ?? {}));
  for (const kind of ['variable', 'function', 'target', 'group']) {
    for (const [name, bodies] of Object.entries<Json[]>(bake[kind] ?? {})) if (bodies.length > 1) problems.push(`${kind} "${name}" is defined ${bodies.length} times`);
  }
  const checkExpressions = (where: string, value: unknown, params: Set<string>) => {
    if (typeof value === 'string') {
      for (const m of value.matchAll(/\$\{((?:[^{}]|\{[^{}]*\})*)\}/g)) {
        const code = m[1].replace(/"(?:\\.|[^"\\])*"/g, '""');
        for (const id of code.matchAll(/([A-Za-z_][\w-]*)\s*(\()?/g)) {
          const [, name, call] = id;
          if (call) {
            if (!functions.has(name) && !HCL_STDLIB.has(name)) problems.push(`${where}: calls undeclared function ${name}()`);
          } else if (!variables.has(name) && !params.has(name) && !HCL_KEYWORDS.has(name)) {
            problems.push(`${where}: uses undeclared variable ${name}`);
          }
        }
      }
    } else if (Array.isArray(value)) value.forEach((v) => checkExpressions(where, v, params));
    else if (value && typeof value === 'object') Object.values(value).forEach((v) => checkExpressions(where, v, params));
  };
  for (const [name, [body]] of Object.entries<Json[]>(bake.function ?? {})) {
    const params = new Set<string>((body.params as string[]).map((p) => p.replace(/^\$\{|\}$/g, '')));
    checkExpressions(`function "${name}"`, body.result, params);
  }
  for (const [name, [body]] of Object.entries<Json[]>(bake.target ?? {})) {
    checkExpressions(`target "${name}"`, body, new Set());
    for (const parent of (body.inherits as string[] | undefined) ?? []) if (!targets.has(parent)) problems.push(`target "${name}" inherits unknown "${parent}"`);
  }
  for (const [name, [body]] of Object.entries<Json[]>(bake.group ?? {})) {
    for (const member of body.targets as string[]) if (!targets.has(member) && !groups.has(member)) problems.push(`group "${name}" lists unknown "${member}"`);
  }
  for (const [name, [body]] of Object.entries<Json[]>(bake.variable ?? {})) checkExpressions(`variable "${name}"`, body.default, new Set());
  return problems;
}

function hasCommand(command: string, args: string[]): boolean {
  return spawnSync(command, args, { encoding: 'utf8' }).status === 0;
}

/** Syntax errors of Python files, by CPython's own compiler (nothing written). */
function pythonSyntaxErrors(dir: string, paths: string[]): string {
  const script = 'import sys\nfor f in sys.argv[1:]:\n    compile(open(f, encoding="utf-8").read(), f, "exec")\n';
  const result = spawnSync('python3', ['-c', script, ...paths], { cwd: dir, encoding: 'utf8' });
  return result.status === 0 ? '' : result.stderr;
}

function readerFor(dir: string) {
  return (path: string) => {
    try {
      return readFileSync(join(dir, path), 'utf8');
    } catch {
      return undefined;
    }
  };
}

function edit(dir: string, path: string, change: (text: string) => string): void {
  const full = join(dir, path);
  const before = readFileSync(full, 'utf8');
  const after = change(before);
  assert.notEqual(after, before, `the drift changes ${path}`);
  writeFileSync(full, after);
}

/** Everything a file holds now that it did not hold before (character diff, additions only). */
function addedText(before: string, after: string): string {
  return diffChars(before, after)
    .filter((part) => part.added)
    .map((part) => part.value)
    .join('\n');
}

describe('the real-world fixture', () => {
  describe('is valid and readable', () => {
    it('every TOML file parses, and the project reads it as smol-toml does', () => {
      const tomls = files(REALWORLD, /(^|\/)pyproject\.toml$/);
      assert.equal(tomls.length, 4);
      for (const file of tomls) {
        const text = read(REALWORLD, file);
        assert.deepEqual(parseToml(text, file), smolToml(text), file);
      }
    });

    it('every YAML file parses without error or warning, and every alias has its anchor', () => {
      for (const file of YAML_FILES) projectYaml(read(REALWORLD, file), file);
    });

    it('the workspace embedded in compose.yml lists the same grpc servers as workspace.yaml', () => {
      const compose = projectYaml(read(REALWORLD, 'compose.yml'), 'compose.yml');
      const embedded = strictYaml(compose.configs.workspace.content, 'compose.yml configs.workspace');
      const workspace = strictYaml(read(REALWORLD, 'workspace.yaml'), 'workspace.yaml');
      assert.deepEqual(embedded.load_from, workspace.load_from);
      assert.deepEqual(compose.services.dagster_daemon.depends_on, compose.services.dagster_webserver.depends_on);
      assert.equal(compose.services.underwriting_ml.environment.DAGSTER_CURRENT_IMAGE, 'dagster-underwriting-ml');
    });

    it('docker-bake.hcl parses with hcl2json and the project scanner, and every reference resolves', async () => {
      const text = read(REALWORLD, 'docker-bake.hcl');
      const bake = await parseHcl('docker-bake.hcl', text);
      assert.deepEqual(bakeProblems(bake), []);
      const blocks = hclBlocks(text).map((b) => `${b.type} ${b.labels.join(' ')}`);
      for (const block of [
        'variable REGISTRY',
        'variable DAGSTER_BUILD_TAG_WHOLESALE',
        'variable DAGSTER_BUILD_TAG_UNDERWRITING',
        'function tag',
        'group default',
        'group code-locations',
        'group all',
        'target _common',
        'target dagster-vanguard-wholesale',
        'target dagster-underwriting-ml',
        'target dagster-bootstrap',
      ]) {
        assert.ok(blocks.includes(block), `${block} in ${blocks.join(', ')}`);
      }
      assert.deepEqual(bake.target['dagster-underwriting-ml'][0].inherits, ['_common']);
    });

    it('every Python file compiles and tokenizes; both alias dicts are found', function () {
      const pythons = files(REALWORLD, /\.py$/);
      if (hasCommand('python3', ['--version'])) assert.equal(pythonSyntaxErrors(REALWORLD, pythons), '');
      for (const file of pythons) pythonTokens(read(REALWORLD, file));
      for (const file of ['devtools/check_defs.py', 'devtools/dev_local.py']) {
        const entries = aliasDicts(read(REALWORLD, file)).flatMap((d) => d.entries.map((e) => `${e.key}=${e.value}`));
        assert.deepEqual(entries, ['wholesale=vanguard_wholesale', 'underwriting=underwriting_ml'], file);
      }
      // The one-line dict sits just under the repo's line length: one more entry on it would not.
      const line = read(REALWORLD, 'devtools/dev_local.py').split('\n').find((l) => l.startsWith('ALIASES'))!;
      const tool = parseToml(read(REALWORLD, 'pyproject.toml')).tool as Json;
      assert.equal(tool.ruff['line-length'], 100);
      assert.ok(line.length <= 100 && line.length + ', "analytics": "network_analytics"'.length > 100, line);
    });

    it('the backslash Dockerfiles copy every member stub before `uv sync --frozen`', () => {
      for (const file of ['Dockerfile.underwriting.ml', 'Dockerfile.bootstrap']) {
        const text = read(REALWORLD, file);
        assert.ok(runsFrozenSync(text), file);
        assert.deepEqual(stubCopies(text).map((s) => s.member), MEMBERS, file);
      }
    });

    // With the directive, the `uv sync --frozen` and the stubs are backtick-continued.
    it('the `# escape=`` Dockerfile is read with its directive (issue 13)', () => {
      const text = read(REALWORLD, 'Dockerfile.vanguard.wholesale');
      assert.ok(runsFrozenSync(text));
      assert.deepEqual(stubCopies(text).map((s) => s.member), MEMBERS);
      const model = readMonorepo(REALWORLD, readerFor(REALWORLD), diskLister(REALWORLD));
      assert.deepEqual(model.frozenDockerfiles, ['Dockerfile.bootstrap', 'Dockerfile.underwriting.ml', 'Dockerfile.vanguard.wholesale']);
    });

    it('readMonorepo finds the two locations with their ports, short names and ClickHouse', () => {
      const model = readMonorepo(REALWORLD, readerFor(REALWORLD), diskLister(REALWORLD));
      assert.deepEqual(model.members, MEMBERS.map((m) => `src/${m}`));
      assert.deepEqual(
        model.locations.map((l) => [l.names.snake, l.port, l.names.short, l.hasClickhouse]),
        [
          ['vanguard_wholesale', 4000, 'wholesale', false],
          ['underwriting_ml', 4001, 'underwriting', true],
        ],
      );
      assert.equal(model.canonical?.names.snake, 'underwriting_ml');
    });

    it('both env templates share one header form; only underwriting_ml has ClickHouse keys', () => {
      for (const name of ['vanguard_wholesale', 'underwriting_ml']) {
        const text = read(REALWORLD, `environments/${name}.env.template`);
        assert.ok(text.startsWith(`# ${name} -- environment for the ${name} code location\n`), name);
        assert.equal(envKeys(text).some((k) => k.startsWith('CLICKHOUSE_')), name === 'underwriting_ml', name);
      }
    });

    it('docker stack config accepts docker-stack.yml', function () {
      if (!hasCommand('docker', ['stack', 'config', '--help'])) this.skip();
      const result = spawnSync('docker', ['stack', 'config', '-c', 'docker-stack.yml'], { cwd: REALWORLD, encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /registry\.plan\.com:5000\/dagster-underwriting-ml:latest/);
    });
  });

  describe('dagster-location doctor', () => {
    it('finds no problem in the untouched fixture, exit 0', () => {
      const result = runBin(copyFixture(REALWORLD), ['doctor']);
      assert.equal(result.status, 0, result.output);
      assert.match(result.stdout, /No problems found/);
      assert.match(result.stdout, new RegExp(`^vanguard_wholesale\\s+4000\\s+(✓\\s*){${REGISTRIES.length}}$`, 'm'));
      assert.match(result.stdout, new RegExp(`^underwriting_ml\\s+4001\\s+(✓\\s*){${REGISTRIES.length}}$`, 'm'));
    });

    // `at`, when given, checks the line the finding names (the expectation's first group).
    const drifts: Array<{ drift: string; apply: (dir: string) => void; expect: RegExp; at?: (dir: string, line: number) => void; issue?: number }> = [
      {
        drift: 'a location left out of the bake default group',
        apply: (dir) => edit(dir, 'docker-bake.hcl', (t) => t.replace('targets = ["dagster-vanguard-wholesale", "dagster-underwriting-ml"]', 'targets = ["dagster-underwriting-ml"]')),
        expect: /docker-bake\.hcl:\d+: vanguard_wholesale has no counterpart of .* in group "default"/,
      },
      {
        drift: 'a backslash Dockerfile without a member stub',
        apply: (dir) => edit(dir, 'Dockerfile.underwriting.ml', (t) => t.replace(/^COPY src\/vanguard_wholesale\/pyproject\.toml.*\n/m, '')),
        expect: /Dockerfile\.underwriting\.ml:\d+: does not COPY src\/vanguard_wholesale\/pyproject\.toml/,
      },
      {
        drift: 'a location left out of the shared depends_on anchor',
        apply: (dir) => edit(dir, 'compose.yml', (t) => t.replace('      vanguard_wholesale:\n        condition: service_started\n', '')),
        // The anchor's mapping is under the webserver; the daemon's depends_on is an alias of it.
        expect: /compose\.yml:(\d+): vanguard_wholesale has no counterpart of underwriting_ml's services\.dagster_webserver\.depends_on\.underwriting_ml$/m,
        at: (dir, line) => {
          const lines = readFileSync(join(dir, 'compose.yml'), 'utf8').split('\n');
          assert.match(lines[line - 1], /^ {6}underwriting_ml:$/, 'the counterpart entry');
          const anchor = lines.findIndex((l) => /depends_on: &code-locations$/.test(l)) + 1;
          assert.ok(anchor > 0 && line > anchor && lines.slice(anchor, line - 1).every((l) => /^ {6,}\S/.test(l)), `line ${line} is inside the anchor's mapping (line ${anchor})`);
        },
      },
      {
        drift: 'a location without its bake tag variable',
        apply: (dir) => edit(dir, 'docker-bake.hcl', (t) => t.replace('variable "DAGSTER_BUILD_TAG_WHOLESALE" {\n  default = "latest"\n}\n\n', '')),
        expect: /docker-bake\.hcl:\d*:? .*DAGSTER_BUILD_TAG_WHOLESALE/,
      },
      {
        drift: 'a location left out of group "code-locations"',
        apply: (dir) => edit(dir, 'docker-bake.hcl', (t) => t.replace('group "code-locations" {\n  targets = [\n    "dagster-vanguard-wholesale",\n', 'group "code-locations" {\n  targets = [\n')),
        expect: /docker-bake\.hcl:\d*:? .*vanguard_wholesale.*code-locations/,
      },
      {
        drift: 'a location without its custom deploy pipeline',
        apply: (dir) => edit(dir, 'bitbucket-pipelines.yml', (t) => t.replace(/^ {4}deploy-vanguard_wholesale:\n(?: {6}.*\n)+\n/m, '')),
        expect: /bitbucket-pipelines\.yml:\d*:? .*vanguard_wholesale.*custom/,
        issue: 13,
      },
      {
        drift: 'a location missing from the workspace embedded in compose.yml',
        apply: (dir) => edit(dir, 'compose.yml', (t) => t.replace(/^ {8}- grpc_server:\n {12}host: vanguard_wholesale\n(?: {12}.*\n)+/m, '')),
        expect: /compose\.yml:\d*:? .*vanguard_wholesale/,
        issue: 13,
      },
      {
        drift: 'an `# escape=`` Dockerfile without a member stub',
        apply: (dir) => edit(dir, 'Dockerfile.vanguard.wholesale', (t) => t.replace(/^COPY src\/underwriting_ml\/pyproject\.toml `\n.*\n/m, '')),
        expect: /Dockerfile\.vanguard\.wholesale:\d*:? does not COPY src\/underwriting_ml\/pyproject\.toml/,
      },
      {
        drift: 'a location missing from [tool.ruff.lint.isort] known-first-party',
        apply: (dir) => edit(dir, 'pyproject.toml', (t) => t.replace('known-first-party = ["shared", "vanguard_wholesale", "underwriting_ml"]', 'known-first-party = ["shared", "underwriting_ml"]')),
        expect: /pyproject\.toml:\d*:? .*vanguard_wholesale.*known-first-party/,
      },
    ];
    for (const { drift, apply, expect, at, issue } of drifts) {
      it(`reports ${drift}${issue ? ` (issue ${issue})` : ''}`, () => {
        const dir = copyFixture(REALWORLD);
        apply(dir);
        const result = runBin(dir, ['doctor']);
        assert.notEqual(result.status, 0, result.output);
        assert.match(result.output, expect);
        if (at) at(dir, Number(expect.exec(result.output)![1]));
      });
    }
  });

  describe('dagster-location network_analytics analytics 4002 --no-clickhouse', () => {
    let dir: string;
    let original: Map<string, Buffer>;
    let run: ReturnType<typeof runBin>;
    const was = (path: string) => original.get(path)!.toString('utf8');
    const now = (path: string) => read(dir, path);

    before(() => {
      dir = copyFixture(REALWORLD);
      original = snapshot(dir);
      run = runBin(dir, ['network_analytics', 'analytics', '4002', '--force', '--skip-install', '--no-clickhouse']);
    });

    it('exits 0 and creates the location', () => {
      assert.equal(run.status, 0, run.output);
      const { added, removed } = changes(original, snapshot(dir));
      assert.deepEqual(removed, []);
      for (const file of ['src/network_analytics/definitions.py', 'Dockerfile.network.analytics', 'environments/network_analytics.env.template']) assert.ok(added.includes(file), file);
    });

    it('leaves every file parseable', async () => {
      for (const file of YAML_FILES) projectYaml(now(file), file);
      for (const file of files(dir, /(^|\/)pyproject\.toml$/)) assert.deepEqual(parseToml(now(file), file), smolToml(now(file)), file);
      await parseHcl('docker-bake.hcl', now('docker-bake.hcl'));
      hclBlocks(now('docker-bake.hcl'));
      if (hasCommand('python3', ['--version'])) assert.equal(pythonSyntaxErrors(dir, files(dir, /\.py$/)), '');
    });

    it('docker stack config accepts the new stack file, with the new image per the guide', function () {
      if (!hasCommand('docker', ['stack', 'config', '--help'])) this.skip();
      const result = spawnSync('docker', ['stack', 'config', '-c', 'docker-stack.yml'], { cwd: dir, encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /image: registry\.plan\.com:5000\/dagster-network-analytics:latest/);
    });

    it('replicates the compose service, its watch paths and its place in the shared depends_on', () => {
      const compose = projectYaml(now('compose.yml'), 'compose.yml');
      const service = compose.services.network_analytics;
      assert.equal(service.container_name, 'dagster_network_analytics');
      assert.deepEqual(service.ports, ['4002:4002']);
      assert.ok(service.develop.watch.some((w: Json) => w.path === './src/network_analytics'));
      for (const platform of ['dagster_webserver', 'dagster_daemon']) {
        assert.deepEqual(compose.services[platform].depends_on.network_analytics, { condition: 'service_started' }, platform);
      }
      assert.match(now('compose.yml'), /^ {4}depends_on: \*code-locations$/m);
    });

    it('adds the steps to the main pipeline and a documenting header line', () => {
      const pipelines = projectYaml(now('bitbucket-pipelines.yml'), 'bitbucket-pipelines.yml');
      const main = pipelines.pipelines.branches.main;
      const parallel = main.find((s: Json) => s.parallel).parallel.steps.map((s: Json) => s.step.name);
      assert.ok(parallel.includes('Build & push dagster-network-analytics'), parallel.join(', '));
      const stage = main.find((s: Json) => s.stage).stage;
      assert.equal(stage.name, 'deploy-code-location-stage');
      assert.ok(stage.steps.some((s: Json) => s.step.name === 'Deploy network_analytics'));
      assert.match(now('bitbucket-pipelines.yml'), /^# {3}SERVICE_IMAGE_NAME_ANALYTICS +=/m);
    });

    // --- issue 13: every construct of the canonical's footprint, replicated ---

    it('declares the bake variable the new target uses, so bake still evaluates (issue 13)', async () => {
      assert.deepEqual(bakeProblems(await parseHcl('docker-bake.hcl', now('docker-bake.hcl'))), []);
    });

    it('lists the new target in every bake group that lists the locations (issue 13)', async () => {
      const bake = await parseHcl('docker-bake.hcl', now('docker-bake.hcl'));
      for (const group of ['default', 'code-locations', 'all']) assert.ok(bake.group[group][0].targets.includes('dagster-network-analytics'), group);
    });

    it('creates its own custom deploy pipeline and leaves the canonical one alone (issue 13)', () => {
      const custom = projectYaml(now('bitbucket-pipelines.yml'), 'bitbucket-pipelines.yml').pipelines.custom;
      const original = projectYaml(was('bitbucket-pipelines.yml'), 'bitbucket-pipelines.yml').pipelines.custom;
      assert.deepEqual(custom['deploy-underwriting_ml'], original['deploy-underwriting_ml']);
      assert.ok(custom['deploy-network_analytics'], 'custom: deploy-network_analytics');
      const text = JSON.stringify(custom['deploy-network_analytics']);
      assert.doesNotMatch(text, /underwriting|wholesale/i);
      assert.match(text, /Deploy network_analytics/);
    });

    it('does not copy includePaths that only contain the port or short name (issue 13)', () => {
      const added = addedText(was('bitbucket-pipelines.yml'), now('bitbucket-pipelines.yml'));
      assert.doesNotMatch(added, /adr-4002|test_analytics_views/);
    });

    it('adds the new grpc server to the workspace embedded in compose.yml (issue 13)', () => {
      const compose = projectYaml(now('compose.yml'), 'compose.yml');
      const embedded = strictYaml(compose.configs.workspace.content, 'compose.yml configs.workspace');
      assert.ok(embedded.load_from.some((e: Json) => e.grpc_server.host === 'network_analytics' && e.grpc_server.port === 4002));
    });

    it("gives the new compose service its own image anchor, not the canonical's (issue 13)", () => {
      const compose = projectYaml(now('compose.yml'), 'compose.yml');
      assert.equal(compose.services.network_analytics.environment.DAGSTER_CURRENT_IMAGE, 'dagster-network-analytics');
      assert.equal(compose.services.underwriting_ml.environment.DAGSTER_CURRENT_IMAGE, 'dagster-underwriting-ml');
    });

    it('adds the new stub to the `# escape=`` Dockerfile (issue 13)', () => {
      assert.match(now('Dockerfile.vanguard.wholesale'), /^COPY src\/network_analytics\/pyproject\.toml/m);
    });

    it('extends the other per-location lists of pyproject.toml (issue 13)', () => {
      const tool = (parseToml(now('pyproject.toml')) as Json).tool;
      assert.ok(tool.ruff.lint.isort['known-first-party'].includes('network_analytics'));
      assert.ok(tool.coverage.run.source_pkgs.includes('network_analytics'));
    });

    // --- issue 14: the canonical's pattern, not its particulars ---

    it("does not rename the canonical's prose in the workspace.yaml comment (issue 14)", () => {
      const added = addedText(was('workspace.yaml'), now('workspace.yaml'));
      assert.doesNotMatch(added, /risk models|has ClickHouse views/);
    });

    it("does not publish the new image with the canonical's description label (issue 14)", async () => {
      const bake = await parseHcl('docker-bake.hcl', now('docker-bake.hcl'));
      const labels = bake.target['dagster-network-analytics'][0].labels ?? {};
      assert.notEqual(labels['org.opencontainers.image.description'], 'Underwriting risk models (Dagster code server)');
    });

    it("does not copy the canonical's own memory limit into the Swarm stack (issue 14)", () => {
      const stack = projectYaml(now('docker-stack.yml'), 'docker-stack.yml');
      assert.equal(stack.services.network_analytics.deploy.resources, undefined);
    });

    it("leaves out the canonical's own compose healthcheck and pipelines max-time, and lists each with file:line (issue 14)", () => {
      const compose = projectYaml(now('compose.yml'), 'compose.yml');
      assert.equal(compose.services.network_analytics.healthcheck, undefined);
      assert.equal(compose.services.underwriting_ml.healthcheck.start_period, '2m');
      const steps = projectYaml(now('bitbucket-pipelines.yml'), 'bitbucket-pipelines.yml').definitions.steps.map((s: Json) => s.step);
      const build = steps.find((s: Json) => s.name === 'Build & push dagster-network-analytics');
      assert.equal(build['max-time'], undefined);
      assert.equal(build.size, '2x', 'the shared <<: *docker-step stays');
      const section = leftOutSection(run.stdout);
      for (const line of [
        'compose.yml:94: underwriting_ml.healthcheck.test: ["CMD", "dagster", "api", "grpc-health-check", "-p", "4001"]',
        'compose.yml:95: underwriting_ml.healthcheck.interval: 30s',
        'compose.yml:98: underwriting_ml.healthcheck.start_period: 2m',
        'bitbucket-pipelines.yml:87: step.max-time: 45 of the list entry step &build-push-underwriting_ml',
      ]) {
        assert.ok(section.includes(`  - ${line} (`), `${line}\n${section}`);
      }
    });

    it("copies the canonical's own apt package into the new Dockerfile and lists it as copied (issue 14)", () => {
      assert.match(now('Dockerfile.network.analytics'), /apt-get install -y --no-install-recommends libgomp1/);
      const copied = run.stdout.split('\n\n').find((s) => s.startsWith('Copied though particular')) ?? '';
      assert.match(copied, /^ {2}- Dockerfile\.underwriting\.ml:53: RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 /m, run.stdout);
      assert.doesNotMatch(leftOutSection(run.stdout), /libgomp1/);
    });

    it('the doctor finds nothing missing after the run, and remove gives back every byte (issue 14)', () => {
      const doctor = runBin(dir, ['doctor']);
      assert.equal(doctor.status, 0, doctor.output);
      const copy = copyFixture(REALWORLD);
      const before = snapshot(copy);
      assert.equal(runBin(copy, ['network_analytics', 'analytics', '4002', '--force', '--skip-install', '--no-clickhouse']).status, 0);
      const removed = runBin(copy, ['remove', 'network_analytics', '--force', '--skip-install']);
      assert.equal(removed.status, 0, removed.output);
      const { added, removed: gone, changed } = changes(before, snapshot(copy));
      assert.deepEqual({ added, gone, changed }, { added: [], gone: [], changed: [] });
    });

    it('aligns the new [tool.uv.sources] line like its siblings (issue 14)', () => {
      const lines = now('pyproject.toml').split('\n').filter((l) => /^[\w-]+\s+= \{ workspace = true \}$/.test(l));
      assert.equal(lines.length, 4);
      assert.equal(new Set(lines.map((l) => l.indexOf('='))).size, 1, lines.join('\n'));
    });

    it("writes the env template's header in its siblings' form (issue 14)", () => {
      assert.ok(now('environments/network_analytics.env.template').startsWith('# network_analytics -- environment for the network_analytics code location\n'));
    });

    it("keeps the alias files within the repo's ruff line-length (issue 14)", () => {
      for (const file of ['devtools/check_defs.py', 'devtools/dev_local.py']) {
        const long = now(file).split('\n').filter((l) => l.length > 100);
        assert.deepEqual(long, [], file);
      }
    });

    it("leaves no variant of the canonical's name in what it adds (issue 14)", () => {
      const { added, changed } = changes(original, snapshot(dir));
      for (const file of changed) assert.doesNotMatch(addedText(was(file), now(file)), /underwriting|risk model/i, file);
      for (const file of added) {
        const own = now(file).split('\n').filter((l) => !/^COPY src\/\w+\/pyproject\.toml /.test(l));
        assert.doesNotMatch(own.join('\n'), /underwriting|risk model/i, file);
      }
    });
  });
});
