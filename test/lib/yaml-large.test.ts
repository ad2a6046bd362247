/**
 * Large YAML files are parsed in runs of entries and their edits verified entry by entry (see
 * YAML_SIZES in lib/editors/yaml.ts). Here the sizes are made small, so that every fixture goes
 * those ways, and the results must be the ones of a whole parse: the same tree (node types,
 * values, anchors, tags and source ranges), the same edited bytes, the same refusals.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isAlias, isCollection, isDocument, isPair, isScalar, parseDocument } from 'yaml';
import { EditError } from '../../lib/editors/text.js';
import { parseYaml, YamlEdits, YAML_SIZES, type YamlPath } from '../../lib/editors/yaml.js';
import { locationNames, renamer } from '../../lib/naming.js';
import { EXAMPLE, MESSY, PROJECT, REALWORLD } from '../helpers.js';
import { composeRegistry } from '../../lib/registries/compose.js';
import { pipelinesRegistry } from '../../lib/registries/pipelines.js';
import { stackRegistry } from '../../lib/registries/stack.js';
import { workspaceRegistry } from '../../lib/registries/workspace.js';
import { addInput } from './registries/yaml-fixture.js';

const rename = renamer(locationNames('underwriting_ml', 'underwriting'), locationNames('network_analytics', 'analytics'), { from: 4001, to: 4002 });

/** Every YAML file of the fixture monorepos (the realworld one too, once it is there). */
function yamlFixtures(): string[] {
  const roots = [EXAMPLE, MESSY, join(PROJECT, 'test', 'fixtures', 'realworld'), join(PROJECT, 'test', 'fixtures', 'robustness')];
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry) && !full.includes(`${join('robustness', 'unsafe')}`)) found.push(full);
    }
  };
  for (const root of roots) if (existsSync(root)) walk(root);
  return found;
}

/** A pipelines file of `jobs` custom pipelines, each with three steps; every tenth refers to the location steps. */
export function largePipelines(jobs: number): string {
  const lines = [
    'definitions:',
    '  steps:',
    '    - step: &build-push-underwriting_ml',
    '        name: Build underwriting_ml',
    '        script:',
    '          - docker build -f Dockerfile.underwriting.ml .',
    'pipelines:',
    '  branches:',
    '    main:',
    '      - step: *build-push-underwriting_ml',
    '  custom:',
  ];
  for (let k = 1; k <= jobs; k++) {
    lines.push(`    job-${k}:`);
    if (k % 10 === 0) lines.push('      - parallel:', '          steps:', '            - step: *build-push-underwriting_ml');
    for (let s = 0; s < 3; s++) lines.push('      - step:', `          name: Job ${k} part ${s}`, '          script:', `            - pytest tests/job_${k}/part_${s} -q`);
  }
  return `${lines.join('\n')}\n`;
}

/** The two trees are the same node for node, source ranges included. */
function assertSameTree(a: unknown, b: unknown, at = ''): void {
  if (isPair(a) && isPair(b)) {
    assertSameTree(a.key, b.key, `${at}.key`);
    assertSameTree(a.value, b.value, `${at}.value`);
    return;
  }
  if (!a || !b) return assert.equal(a ?? null, b ?? null, at);
  const x = a as { constructor: unknown; anchor?: string; tag?: string; range?: number[]; flow?: boolean };
  const y = b as typeof x;
  assert.equal(x.constructor, y.constructor, at);
  assert.deepEqual([x.anchor, x.tag, x.flow], [y.anchor, y.tag, y.flow], at);
  assert.deepEqual(x.range?.slice(0, 2), y.range?.slice(0, 2), `${at} range`);
  if (isScalar(a) && isScalar(b)) assert.deepEqual(String(a.value), String(b.value), at);
  if (isAlias(a) && isAlias(b)) assert.equal(a.source, b.source, at);
  if (isCollection(a) && isCollection(b)) {
    assert.equal(a.items.length, b.items.length, `${at} items`);
    a.items.forEach((item, i) => assertSameTree(item, b.items[i], `${at}/${i}`));
  }
}

function withSizes<T>(sizes: Partial<typeof YAML_SIZES>, run: () => T): T {
  const saved = { ...YAML_SIZES };
  Object.assign(YAML_SIZES, sizes);
  try {
    return run();
  } finally {
    Object.assign(YAML_SIZES, saved);
  }
}

/** parseYaml remembers documents by text: a comment no other test writes makes the text new. */
let fresh = 0;
const unseen = (text: string) => `${text}${/\n$/.test(text) || text === '' ? '' : '\n'}# ${++fresh} large-test\n`;

const SMALL = { parseInPartsFrom: 0, verifyByEntriesFrom: 0 };

describe('YAML editor: large files', () => {
  describe('parsed in runs of entries, a text gives the tree of a whole parse', () => {
    const texts: Array<[string, string]> = [...yamlFixtures().map((file): [string, string] => [file.slice(PROJECT.length), readFileSync(file, 'utf8')]), ['1,000 custom pipelines', largePipelines(1000)]];
    for (const [name, text] of texts) {
      for (const part of [1, 400]) {
        it(`${name} (runs of ${part} characters)`, () => {
          const variant = unseen(text);
          const inParts = withSizes({ ...SMALL, part }, () => parseYaml(variant, 'x.yml'));
          const whole = parseDocument(variant, { merge: true, uniqueKeys: false });
          assert.deepEqual(whole.errors, []);
          assertSameTree(inParts.contents, whole.contents);
        });
      }
    }

    it('a text with directives is parsed whole, with the same result', () => {
      const text = unseen('%YAML 1.2\n---\na:\n  x: 1\nb: 3\n');
      const doc = withSizes({ ...SMALL, part: 1 }, () => parseYaml(text, 'x.yml'));
      assert.deepEqual(doc.toJS(), { a: { x: 1 }, b: 3 });
    });

    it('an error in one run is reported with the line of the whole file', () => {
      const text = unseen(`${largePipelines(30)}    job-broken:\n      - step: [unclosed\n`);
      const whole = (() => {
        try {
          parseYaml(text, 'p.yml');
        } catch (error) {
          return (error as EditError).message;
        }
      })();
      assert.match(String(whole), /^p\.yml:\d+: /);
      const inParts = unseen(`${largePipelines(30)}    job-broken:\n      - step: [unclosed\n`);
      assert.throws(() => withSizes({ ...SMALL, part: 64 }, () => parseYaml(inParts, 'p.yml')), (error: EditError) => error.message === whole);
    });

    it('strict reading sees the whole file: an alias in one run to an anchor defined in no run', () => {
      const text = unseen(`${largePipelines(30)}    job-x:\n      - step: *nowhere\n`);
      const lines = text.split('\n').length - 2;
      assert.throws(
        () => withSizes({ ...SMALL, part: 64 }, () => parseYaml(text, 'p.yml')),
        new RegExp(`p\\.yml:${lines}: the alias \\*nowhere refers to no anchor defined before it$`),
      );
    });
  });

  describe('edits of a large file are verified entry by entry, with the bytes and refusals of a whole verification', () => {
    type Plan = (edits: YamlEdits) => void;
    const cases: Array<{ name: string; text: string; plan: Plan }> = [
      {
        name: 'pipelines: a copied step and a reference next to every reference',
        text: largePipelines(40),
        plan: (edits) => {
          edits.clone({ path: ['definitions', 'steps'], source: 0, transform: rename.apply });
          edits.clone({ path: ['pipelines', 'branches', 'main'], source: 0, after: 0, transform: rename.apply });
          for (let k = 10; k <= 40; k += 10) edits.clone({ path: ['pipelines', 'custom', `job-${k}`, 0, 'parallel', 'steps'], source: 0, after: 0, transform: rename.apply });
        },
      },
      {
        name: 'pipelines: a path appended to a flow list inside a step',
        text: largePipelines(5).replace('        script:\n', '        condition:\n          changesets:\n            includePaths: ["src/underwriting_ml/**", "uv.lock"]\n        script:\n'),
        plan: (edits) => edits.append({ path: ['definitions', 'steps', 0, 'step', 'condition', 'changesets', 'includePaths'], value: 'src/network_analytics/**' }),
      },
      ...yamlFixtures()
        .filter((file) => /compose|stack/.test(file) && !file.includes('unsafe'))
        .map((file) => ({
          name: `${file.slice(PROJECT.length)}: a copied service`,
          text: readFileSync(file, 'utf8'),
          plan: (edits: YamlEdits) => {
            const services = (edits.doc.get('services', true) as { items: Array<{ key: { value: string } }> }).items.map((pair) => String(pair.key.value));
            const source = services.find((name) => name === 'underwriting_ml') ?? services[0];
            edits.clone({ path: ['services'], source, newKey: source === 'underwriting_ml' ? 'network_analytics' : `${source}_copy`, transform: (t) => (source === 'underwriting_ml' ? rename.apply(t) : t.replace(source, `${source}_copy`)) });
          },
        })),
    ];
    for (const { name, text, plan } of cases) {
      it(name, () => {
        const whole = new YamlEdits(text, 'f.yml');
        plan(whole);
        const expected = whole.apply();
        assert.equal(whole.verifiedBy, 'whole');
        assert.notEqual(expected, text);
        const byEntries = withSizes(SMALL, () => {
          const edits = new YamlEdits(text, 'f.yml');
          plan(edits);
          const result = edits.apply();
          assert.equal(edits.verifiedBy, 'entries');
          // The result's document is the original's, moved: the tree of a whole parse of the result.
          const moved = parseYaml(result, 'f.yml');
          assert.ok(isDocument(moved));
          assertSameTree(moved.contents, parseDocument(result, { merge: true, uniqueKeys: false }).contents);
          assert.throws(() => edits.doc.contents, /read after its tree became the result of an edit/);
          return result;
        });
        assert.equal(byEntries, expected);
      });
    }

    // A registry goes on with the result's document after its edits (verifying the copies, the
    // next round of edits): the document moved from the original must serve it as a parse would.
    for (const registry of [composeRegistry, stackRegistry, workspaceRegistry, pipelinesRegistry]) {
      for (const [fixture, dir] of [['example', EXAMPLE], ['messy', MESSY], ['realworld', REALWORLD]] as const) {
        it(`the ${registry.id} registry's add in the ${fixture} fixture`, () => {
          const input = addInput(dir);
          const file = registry.files(input, input.target)[0];
          const text = input.read(file);
          if (text === undefined) return;
          const add = (variant: string) => {
            try {
              return registry.add(variant, file, input);
            } catch (error) {
              return String(error);
            }
          };
          const variant = unseen(text);
          const whole = add(variant);
          const byEntries = withSizes(SMALL, () => add(variant));
          assert.deepEqual(byEntries, whole);
          if (typeof byEntries === 'string' || byEntries.text === variant) return;
          assertSameTree(parseYaml(byEntries.text, file).contents, parseDocument(byEntries.text, { merge: true, uniqueKeys: false }).contents);
        });
      }
    }

    // Refusals of the pipelines registry (an anchor the copy needs taken by another step or node): the same either way.
    const pipelinesFile = 'bitbucket-pipelines.yml';
    const pipelines = readFileSync(join(EXAMPLE, pipelinesFile), 'utf8');
    const taken: Array<[string, string]> = [
      ['an unrelated step owns the anchor', pipelines.replace('    - step: &deploy-vanguard_wholesale', '    - step: &build-push-network_analytics\n        name: Lint\n        script:\n          - ruff check .\n\n    - step: &deploy-vanguard_wholesale')],
      ['another node defines the anchor', pipelines.replace('\ndefinitions:\n', '\ndefinitions:\n  deploy-alias: &deploy-network_analytics {name: other}\n')],
    ];
    for (const [name, text] of taken) {
      it(`the pipelines registry refuses either way: ${name}`, () => {
        assert.notEqual(text, pipelines);
        const input = addInput(EXAMPLE, { [pipelinesFile]: text });
        const variant = unseen(text);
        const refusal = () => {
          try {
            pipelinesRegistry.add(variant, pipelinesFile, input);
          } catch (error) {
            return String(error);
          }
          assert.fail('the add was not refused');
        };
        const whole = refusal();
        assert.match(whole, /^EditError: bitbucket-pipelines\.yml:\d+: .*network_analytics/);
        assert.equal(withSizes(SMALL, refusal), whole);
      });
    }

    const clone = (path: YamlPath, source: string | number, transform: (t: string) => string) => (edits: YamlEdits) => edits.clone({ path, source, transform });
    const refusals: Array<{ name: string; text: string; plan: Plan; message: RegExp }> = [
      {
        name: 'a copy that breaks out of its entry (adds a sibling)',
        text: 'services:\n  underwriting_ml:\n    image: u\n  other:\n    image: o\n',
        plan: clone(['services'], 'underwriting_ml', (t) => `${rename.apply(t)}\n  extra:\n    image: x`),
        message: /f\.yml:\d+: edit produced invalid YAML \(Nested mappings/,
      },
      {
        name: 'a copy indented too deep, landing inside the entry before it',
        text: 'services:\n  underwriting_ml:\n    image: u\n  other:\n    image: o\n',
        plan: clone(['services'], 'underwriting_ml', (t) => rename.apply(t).replace(/^ {2}/gm, '      ')),
        message: /f\.yml:\d+: edit produced invalid YAML \(Nested mappings/,
      },
      {
        name: 'a copy that defines an anchor already defined later in the file',
        text: 'steps:\n  - step: &build-push-underwriting_ml\n      name: u\nlater:\n  x: &build-push-network_analytics {name: n}\n',
        plan: clone(['steps'], 0, rename.apply),
        message: /&build-push-network_analytics a second time \(lines 4 and 7\)/,
      },
      {
        name: 'a copy whose alias refers to no anchor before it',
        text: 'steps:\n  - step: &u {name: u}\nend:\n  - step: *u\n',
        plan: clone(['end'], 0, (t) => t.replace('*u', '*later')),
        message: /f\.yml:5: edit produced invalid YAML \(the alias \*later refers to no anchor defined before it\)$/,
      },
      {
        name: 'lines placed after another entry than the one planned (the entry they pass is skipped, another taken for it)',
        text: 'root:\n  services:\n    a:\n      image: u\n    b:\n      image: v\nother: 1\n',
        plan: (edits) => edits.insertLines({ path: ['root', 'services'], afterIndex: 0, at: 'root:\n  services:\n    a:\n      image: u\n    b:\n      image: v\n'.length, lines: ['    c:', '      image: w'], identity: 'key c' }),
        message: /f\.yml: edit changed the meaning of other entries/,
      },
      {
        name: 'lines that add the planned entry and a sibling of the entry around it',
        text: 'root:\n  services:\n    a:\n      image: u\n    b:\n      image: v\nother: 1\n',
        plan: (edits) => edits.insertLines({ path: ['root', 'services'], afterIndex: 1, at: 'root:\n  services:\n    a:\n      image: u\n    b:\n      image: v\n'.length, lines: ['    c: {image: w}', '  extra: 1'], identity: 'key c' }),
        message: /f\.yml: edit changed the meaning of other entries/,
      },
    ];
    for (const refusal of refusals) {
      it(`refused either way: ${refusal.name}`, () => {
        const attempt = () => {
          const edits = new YamlEdits(refusal.text, 'f.yml');
          refusal.plan(edits);
          return edits.apply();
        };
        assert.throws(attempt, refusal.message);
        assert.throws(() => withSizes(SMALL, attempt), refusal.message);
      });
    }
  });
});
