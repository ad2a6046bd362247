/**
 * Issue 7's robustness suite: small messy files of every format the generators edit, each edited
 * through the editors directly the way the phases do. For every fixture, in four variants (as
 * written, line endings swapped, final newline toggled, both), every edit:
 *   - only adds: deleting the added text gives back the original byte for byte (whole lines only
 *     where the edit inserts lines),
 *   - gives a file that parses (smol-toml, yaml with every alias resolving, hcl2json, ...),
 *   - changes nothing when run a second time.
 * Inputs that cannot be edited safely must fail with an EditError naming the file and the line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { isMap, isScalar, isSeq, type YAMLMap, type YAMLSeq } from 'yaml';
import { addStub, instructions, stubCopies } from '../lib/editors/dockerfile.js';
import { addEnvKeys, envKeys } from '../lib/editors/env.js';
import { appendToBlockList, cloneBlock } from '../lib/editors/hcl.js';
import { addAlias, findAliasDict } from '../lib/editors/python.js';
import { addTableEntry, appendToArray, getPath, keyValueText, parseToml, withoutComment } from '../lib/editors/toml.js';
import { aliasesOf, appendScalar, cloneEntry, enclosingSeqItem, findNodes, getCollection, keyOf, parseYaml, type YamlPath } from '../lib/editors/yaml.js';
import { locationNames, renamer } from '../lib/naming.js';
import { bootstrapRegistry } from '../lib/registries/bootstrap.js';
import { addInput, NEW as NEW_REF } from './lib/registries/helpers.js';
import { addedChunks, EXAMPLE, PROJECT } from './helpers.js';
import { insertedLines, onlyAdds, parsesAsToml, parsesAsYaml, throwsEditError } from './lib/assertions.js';

const ROOT = join(PROJECT, 'test', 'fixtures', 'robustness');
const CANONICAL = locationNames('underwriting_ml', 'underwriting');
const NEW = locationNames('network_analytics', 'analytics');
const rename = renamer(CANONICAL, NEW, { from: 4001, to: 4002 });
const LOCATIONS = ['vanguard_wholesale', 'underwriting_ml'];
/** Every added chunk is blanks/commas or names the new location. */
const MENTIONS = /network[-_.]analytics|analytics|ANALYTICS|4002|CLICKHOUSE/;

/** One edit of a phase: `lines` when it inserts whole lines only. */
interface Step {
  name: string;
  lines: boolean;
  apply: (text: string, file: string) => string;
}

interface Format {
  dir: string;
  /** The edits, worked out from the original text (which lists exist, where the sources are). */
  steps: (text: string, file: string) => Step[];
  /** Parses the result and checks the new location is registered in it. */
  check: (result: string, original: string, file: string) => void | Promise<void>;
}

// ---------------------------------------------------------------- variants

const toggleEol = (text: string) => (text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text.replace(/\n/g, '\r\n'));
const toggleFinalNewline = (text: string) => (/\r?\n$/.test(text) ? text.replace(/\r?\n$/, '') : text + (text.includes('\r\n') ? '\r\n' : '\n'));
const variants = (text: string): Array<[string, string]> => [
  ['as written', text],
  [text.includes('\r\n') ? 'LF' : 'CRLF', toggleEol(text)],
  [/\n$/.test(text) ? 'no final newline' : 'final newline', toggleFinalNewline(text)],
  ['both', toggleFinalNewline(toggleEol(text))],
];

// ---------------------------------------------------------------- helpers per format

const MEMBERS = ['tool', 'uv', 'workspace', 'members'];
const DEPENDENCIES = ['project', 'dependencies'];
const HATCH = ['tool', 'hatch', 'build', 'targets', 'wheel', 'packages'];
const SOURCES = ['tool', 'uv', 'sources'];

function arrayStep(path: string[], value: string): Step {
  return { name: `${path.join('.')} += ${value}`, lines: false, apply: (text, file) => appendToArray(text, path, value, file) };
}

function services(text: string, file: string): YAMLMap {
  const found = getCollection(parseYaml(text, file), ['services']);
  assert.ok(isMap(found), 'a services map');
  return found as YAMLMap;
}

function serviceKeys(text: string, file: string): string[] {
  return services(text, file).items.map((pair) => keyOf(pair));
}

/** `{ seqPath, index }` of the sequence item holding the node with this anchor. */
function anchoredItem(text: string, file: string, anchor: string): { seqPath: YamlPath; index: number } {
  const [found] = findNodes(parseYaml(text, file), (node) => (node as { anchor?: string }).anchor === anchor);
  assert.ok(found, `&${anchor}`);
  return enclosingSeqItem(found.path)!;
}

/** Clone every `- step: *from` list entry right after itself as `*to`, one at a time. */
function addReferences(text: string, file: string, from: string, to: string): string {
  let result = text;
  for (;;) {
    const doc = parseYaml(result, file);
    const present = aliasesOf(doc, to).map((a) => enclosingSeqItem(a.path)!.seqPath.join('/'));
    const pending = aliasesOf(doc, from)
      .map((a) => enclosingSeqItem(a.path)!)
      .find((item) => !present.includes(item.seqPath.join('/')));
    if (!pending) return result;
    result = cloneEntry(result, { file, path: pending.seqPath, source: pending.index, after: pending.index, transform: rename.apply });
  }
}

function includePathLists(text: string, file: string): YamlPath[] {
  return findNodes(parseYaml(text, file), (node, path) => isSeq(node) && path.at(-1) === 'includePaths')
    .filter(({ node }) => (node as YAMLSeq).items.some((item) => isScalar(item) && item.value === 'src/underwriting_ml/clickhouse/**'))
    .map(({ path }) => path);
}

const hasPython = !spawnSync('python3', ['--version']).error;

// ---------------------------------------------------------------- the formats

const FORMATS: Format[] = [
  {
    dir: 'pyproject',
    steps: (text) => {
      const root = parseToml(text);
      const steps = [arrayStep(MEMBERS, 'src/network_analytics')];
      if (Array.isArray(getPath(root, DEPENDENCIES))) steps.push(arrayStep(DEPENDENCIES, 'network-analytics'));
      if (Array.isArray(getPath(root, HATCH))) steps.push(arrayStep(HATCH, 'src/network_analytics'));
      steps.push({
        name: '[tool.uv.sources] network-analytics, written like underwriting-ml',
        lines: true,
        apply: (current, file) => {
          const sibling = keyValueText(current, [...SOURCES, 'underwriting-ml']);
          const line = sibling ? withoutComment(sibling).replace('underwriting-ml', 'network-analytics') : 'network-analytics = { workspace = true }';
          return addTableEntry(current, SOURCES, 'network-analytics', line, file);
        },
      });
      return steps;
    },
    check: (result, original) => {
      const before = parseToml(original);
      const after = parsesAsToml(result);
      for (const [path, value] of [[MEMBERS, 'src/network_analytics'], [DEPENDENCIES, 'network-analytics'], [HATCH, 'src/network_analytics']] as const) {
        const list = getPath(before, [...path]) as string[] | undefined;
        if (!list) continue;
        const now = getPath(after, [...path]) as string[];
        assert.deepEqual(now.filter((v) => v !== value), list, path.join('.'));
        // Appended, or in its sorted place when the array is kept sorted.
        const sorted = list.length >= 3 && list.every((v, k) => k === 0 || list[k - 1] <= v);
        assert.deepEqual(now, sorted ? [...list, value].sort() : [...list, value], path.join('.'));
      }
      assert.deepEqual({ ...(getPath(after, [...SOURCES, 'network-analytics']) as object) }, { workspace: true });
      // Nothing else changed meaning.
      if (!getPath(before, SOURCES)) delete (after.tool as { uv: Record<string, unknown> }).uv.sources;
      const strip = (doc: Record<string, unknown>) => JSON.stringify(doc, (key, value) => (key === 'network-analytics' ? undefined : Array.isArray(value) ? value.filter((v) => !/network[-_]analytics/.test(String(v))) : value));
      assert.equal(strip(after), strip(before));
    },
  },
  {
    dir: 'compose',
    steps: (text, file) => {
      const keys = serviceKeys(text, file);
      const steps: Step[] = [
        {
          name: 'services.network_analytics, a renamed copy of underwriting_ml',
          lines: true,
          apply: (current) => cloneEntry(current, { file, path: ['services'], source: 'underwriting_ml', after: keys.filter((k) => LOCATIONS.includes(k)).at(-1), newKey: 'network_analytics', transform: rename.apply }),
        },
      ];
      for (const key of keys) {
        const dependsOn = services(text, file).getIn([key, 'depends_on'], true);
        if (isSeq(dependsOn) && dependsOn.items.some((item) => isScalar(item) && LOCATIONS.includes(String(item.value)))) {
          steps.push({ name: `${key}.depends_on += network_analytics`, lines: false, apply: (current) => appendScalar(current, { file, path: ['services', key, 'depends_on'], value: 'network_analytics' }) });
        } else if (isMap(dependsOn) && dependsOn.has('underwriting_ml')) {
          steps.push({
            name: `${key}.depends_on.network_analytics, like underwriting_ml`,
            lines: true,
            apply: (current) => cloneEntry(current, { file, path: ['services', key, 'depends_on'], source: 'underwriting_ml', newKey: 'network_analytics', transform: rename.apply }),
          });
        }
      }
      assert.ok(steps.length >= 3, 'the fixture has depends_on lists to extend');
      return steps;
    },
    check: (result, original) => {
      const after = parsesAsYaml(result) as { services: Record<string, any> };
      const before = parsesAsYaml(original) as { services: Record<string, any> };
      const service = after.services.network_analytics;
      assert.equal(service.image, 'dagster-network-analytics');
      assert.match(JSON.stringify(service.ports), /4002:4002/);
      assert.equal(service.restart, 'unless-stopped', 'the merge key still merges');
      for (const [key, value] of Object.entries(before.services)) {
        const dependsOn = after.services[key].depends_on;
        if (dependsOn && JSON.stringify(value.depends_on).includes('underwriting_ml')) assert.match(JSON.stringify(dependsOn), /network_analytics/, key);
        const { depends_on: _a, ...rest } = after.services[key];
        const { depends_on: _b, ...was } = value;
        assert.deepEqual(rest, was, `${key} means what it meant`);
      }
    },
  },
  {
    dir: 'stack',
    steps: (text, file) => [
      {
        name: 'services.network_analytics',
        lines: true,
        apply: (current) => cloneEntry(current, { file, path: ['services'], source: 'underwriting_ml', after: serviceKeys(text, file).filter((k) => LOCATIONS.includes(k)).at(-1), newKey: 'network_analytics', transform: rename.apply }),
      },
    ],
    check: (result) => {
      const service = (parsesAsYaml(result) as { services: Record<string, any> }).services.network_analytics;
      assert.equal(service.image, '${DAGSTER_PLAN_REGISTRY:-registry.plan.com:5000}/dagster-network-analytics:${DAGSTER_BUILD_TAG_ANALYTICS:-latest}');
      assert.match(JSON.stringify(service.environment), /DAGSTER_CURRENT_IMAGE.*dagster-network-analytics/);
      assert.deepEqual(service.networks, ['dagster']);
      assert.equal(service.deploy.replicas, 1);
    },
  },
  {
    dir: 'workspace',
    steps: (text, file) => {
      const entries = (parsesAsYaml(text) as { load_from: Array<{ grpc_server: { host: string } }> }).load_from;
      const source = entries.findIndex((entry) => entry.grpc_server.host === 'underwriting_ml');
      return [{ name: 'load_from += grpc_server network_analytics', lines: true, apply: (current) => cloneEntry(current, { file, path: ['load_from'], source, transform: rename.apply }) }];
    },
    check: (result, original) => {
      const after = (parsesAsYaml(result) as { load_from: unknown[] }).load_from;
      const before = (parsesAsYaml(original) as { load_from: unknown[] }).load_from;
      assert.deepEqual(after.slice(0, -1), before);
      assert.deepEqual(after.at(-1), { grpc_server: { host: 'network_analytics', port: 4002, location_name: 'network_analytics' } });
    },
  },
  {
    dir: 'pipelines',
    steps: (_text, file) => [
      ...['build-push', 'deploy'].map((kind) => ({
        name: `&${kind}-network_analytics step`,
        lines: true,
        apply: (current: string) => {
          const item = anchoredItem(current, file, `${kind}-underwriting_ml`);
          return cloneEntry(current, { file, path: item.seqPath, source: item.index, after: item.index, transform: rename.apply });
        },
      })),
      ...['build-push', 'deploy'].map((kind) => ({
        name: `- step: *${kind}-network_analytics next to every *${kind}-underwriting_ml`,
        lines: true,
        apply: (current: string) => addReferences(current, file, `${kind}-underwriting_ml`, `${kind}-network_analytics`),
      })),
      {
        name: 'bootstrap includePaths += src/network_analytics/clickhouse/**',
        lines: false,
        apply: (current: string) => includePathLists(current, file).reduce((text, path) => appendScalar(text, { file, path, value: 'src/network_analytics/clickhouse/**' }), current),
      },
    ],
    check: (result, _original, file) => {
      const doc = parseYaml(result, file);
      const js = parsesAsYaml(result);
      for (const kind of ['build-push', 'deploy']) {
        const references = (name: string) => aliasesOf(doc, `${kind}-${name}`).length;
        assert.equal(references('network_analytics'), references('underwriting_ml'), `*${kind}-network_analytics beside every *${kind}-underwriting_ml`);
      }
      const path = findNodes(doc, (node) => (node as { anchor?: string }).anchor === 'build-push-network_analytics')[0].path;
      const step = path.reduce((node: any, key) => node[key], js);
      assert.match(step.name, /dagster-network-analytics/);
      assert.ok(step.condition.changesets.includePaths.includes('src/network_analytics/**'));
      assert.ok(!JSON.stringify(step).includes('underwriting'), 'the copy speaks of the new location only');
      for (const path of includePathLists(result, file)) {
        assert.ok((doc.getIn(path) as YAMLSeq).toJSON().includes('src/network_analytics/clickhouse/**'));
      }
    },
  },
  {
    dir: 'bake',
    steps: (_text, file) => [
      { name: 'target "dagster-network-analytics"', lines: true, apply: (current) => cloneBlock(current, { type: 'target', source: 'dagster-underwriting-ml', newLabel: 'dagster-network-analytics', transform: rename.apply, file }) },
      { name: 'group "default" targets += dagster-network-analytics', lines: false, apply: (current) => appendToBlockList(current, { type: 'group', label: 'default', attribute: 'targets', value: 'dagster-network-analytics', file }) },
    ],
    check: async (result, original, file) => {
      const after = (await parseHcl(file, result)) as any;
      const before = (await parseHcl(file, original)) as any;
      assert.equal(after.target['dagster-network-analytics'][0].dockerfile, 'Dockerfile.network.analytics');
      assert.deepEqual(after.group.default[0].targets, [...before.group.default[0].targets, 'dagster-network-analytics']);
      delete after.target['dagster-network-analytics'];
      after.group.default[0].targets.pop();
      assert.deepEqual(after, before, 'nothing else changed meaning');
    },
  },
  {
    dir: 'dockerfile',
    steps: (text, file) => {
      const steps: Step[] = [{ name: 'src/network_analytics/pyproject.toml stub', lines: true, apply: (current) => addStub(current, 'network_analytics', file) }];
      if (/clickhouse/.test(text)) {
        steps.push({
          name: 'clickhouse COPY lines',
          lines: true,
          // The bootstrap registry, against the tidy example's locations.
          apply: (current) => bootstrapRegistry.add(current, file, { ...addInput(EXAMPLE), target: { ...NEW_REF, hasClickhouse: true }, clickhouse: true }).text,
        });
      }
      return steps;
    },
    check: (result, original) => {
      const before = instructions(original).map((i) => `${i.keyword} ${i.args}`);
      const after = instructions(result).map((i) => `${i.keyword} ${i.args}`);
      assert.deepEqual(after.filter((line) => !/network_analytics/.test(line)), before);
      assert.ok(stubCopies(result).some((stub) => stub.member === 'network_analytics'));
      if (/clickhouse/.test(original)) assert.ok(after.includes('COPY src/network_analytics/clickhouse ./src/network_analytics/clickhouse'));
    },
  },
  {
    dir: 'env',
    steps: () => [{ name: 'CLICKHOUSE_* keys', lines: true, apply: (current) => addEnvKeys(current, ['DAGSTER_POSTGRES_USER', 'CLICKHOUSE_HOST', 'CLICKHOUSE_PASSWORD'], 'ClickHouse (network_analytics)') }],
    check: (result, original) => {
      assert.deepEqual(envKeys(result), [...envKeys(original), 'CLICKHOUSE_HOST', 'CLICKHOUSE_PASSWORD']);
    },
  },
  {
    dir: 'alias',
    steps: (_text, file) => [{ name: 'analytics -> network_analytics', lines: false, apply: (current) => addAlias(current, { locations: LOCATIONS, short: 'analytics', name: 'network_analytics', file }) }],
    check: (result, original) => {
      const before = findAliasDict(original, LOCATIONS)!;
      const after = findAliasDict(result, LOCATIONS)!;
      assert.equal(after.name, before.name);
      assert.deepEqual(after.entries.map((e) => [e.key, e.value]), [...before.entries.map((e) => [e.key, e.value]), ['analytics', 'network_analytics']]);
      if (hasPython) {
        const dir = mkdtempSync(join(tmpdir(), 'alias-'));
        writeFileSync(join(dir, 'aliases.py'), result);
        const run = spawnSync('python3', ['-c', `import ast,sys; ast.parse(open(sys.argv[1], encoding="utf-8").read())`, join(dir, 'aliases.py')], { encoding: 'utf8' });
        assert.equal(run.status, 0, run.stderr);
      }
    },
  },
];

// ---------------------------------------------------------------- the suite

describe('robustness: messy files of every format, edited through the editors', () => {
  for (const format of FORMATS) {
    const fixtures = readdirSync(join(ROOT, format.dir)).sort();
    describe(format.dir, () => {
      it('has fixtures', () => assert.ok(fixtures.length >= 2));
      for (const fixture of fixtures) {
        for (const [variant, original] of variants(readFileSync(join(ROOT, format.dir, fixture), 'utf8'))) {
          it(`${fixture} (${variant})`, async () => {
            const file = `${format.dir}/${fixture}`;
            let text = original;
            for (const step of format.steps(original, file)) {
              const result = step.apply(text, file);
              assert.notEqual(result, text, `${step.name}: no change`);
              if (step.lines) {
                // Whole lines only; the block speaks of the new location (copied comment lines may not).
                const lines = insertedLines(text, result);
                assert.match(lines.join('\n'), MENTIONS, `${step.name}: ${lines.join('\n')}`);
              } else {
                onlyAdds(text, result, MENTIONS);
              }
              assert.equal(step.apply(result, file), result, `${step.name}: a second run changes nothing`);
              text = result;
            }
            await format.check(text, original, file);
            // The whole change is still only additions, and running every step again changes nothing.
            assert.ok(addedChunks(original, text), 'deleting the added text gives back the original');
            assert.equal(format.steps(original, file).reduce((current, step) => step.apply(current, file), text), text);
          });
        }
      }
    });
  }
});

describe('robustness: inputs that cannot be edited safely fail with the file and line, and nothing is produced', () => {
  const unsafe = (name: string) => readFileSync(join(ROOT, 'unsafe', name), 'utf8');

  it('pyproject.toml with a syntax error (a missing comma)', () => {
    throwsEditError(() => appendToArray(unsafe('pyproject-syntax-error.toml'), MEMBERS, 'src/network_analytics', 'pyproject.toml'), 'pyproject.toml', 6);
  });

  it('pyproject.toml with the sources written as an inline table (its workspace members, inline too, are fine)', () => {
    const text = unsafe('pyproject-inline-sources.toml');
    assert.match(appendToArray(text, MEMBERS, 'src/network_analytics', 'pyproject.toml'), /members = \["src\/shared", "src\/underwriting_ml", "src\/network_analytics"\] \}/);
    throwsEditError(() => addTableEntry(text, SOURCES, 'network-analytics', 'network-analytics = { workspace = true }', 'pyproject.toml'), 'pyproject.toml', 7);
  });

  it('compose.yml with the services as a flow mapping: the copy goes in, in flow style', () => {
    const result = cloneEntry(unsafe('compose-flow-services.yml'), { file: 'compose.yml', path: ['services'], source: 'underwriting_ml', newKey: 'network_analytics', transform: rename.apply });
    assert.match(result, /\n {2}dagster_webserver: \{image: dagster-platform\},\n {2}network_analytics: \{image: dagster-network-analytics, ports: \["4002:4002"\]\}\n\}\n$/);
  });

  it('compose.yml with a service defined twice', () => {
    throwsEditError(() => cloneEntry(unsafe('compose-duplicate-key.yml'), { file: 'compose.yml', path: ['services'], source: 'underwriting_ml', newKey: 'network_analytics', transform: rename.apply }), 'compose.yml', 6);
  });

  it('bitbucket-pipelines.yml that already defines the anchor the copy would get', () => {
    const text = unsafe('pipelines-anchor-taken.yml');
    const error = throwsEditError(() => cloneEntry(text, { file: 'bitbucket-pipelines.yml', path: ['definitions', 'steps'], source: 1, transform: rename.apply }), 'bitbucket-pipelines.yml', 3);
    assert.match(error.message, /&build-push-network_analytics a second time/);
  });

  it('workspace.yaml indented with a tab', () => {
    throwsEditError(() => cloneEntry(unsafe('workspace-tab-indent.yaml'), { file: 'workspace.yaml', path: ['load_from'], source: 0, transform: rename.apply }), 'workspace.yaml', 3);
  });

  it('docker-bake.hcl with an unclosed list', () => {
    throwsEditError(() => cloneBlock(unsafe('bake-unclosed.hcl'), { type: 'target', source: 'dagster-underwriting-ml', newLabel: 'dagster-network-analytics', transform: rename.apply }), 'docker-bake.hcl', 5);
  });

  it('an alias dict where the short name already means another location', () => {
    throwsEditError(() => addAlias(unsafe('alias-short-taken.py'), { locations: LOCATIONS, short: 'analytics', name: 'network_analytics', file: 'devtools/check_defs.py' }), 'devtools/check_defs.py', 1);
  });
});
