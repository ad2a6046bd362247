import assert from 'node:assert/strict';
import { appendScalar, cloneEntry, YamlEdits } from '../../lib/editors/yaml.js';
import { locationNames, renamer } from '../../lib/naming.js';
import { insertedLines, parsesAsYaml, throwsEditError } from './assertions.js';

const rename = renamer(locationNames('underwriting_ml', 'underwriting'), locationNames('network_analytics', 'analytics'), { from: 4001, to: 4002 });
const FILE = 'bitbucket-pipelines.yml';

/** A pipelines file where each edit lands in a different list, some nested in items of others. */
const PIPELINES = [
  'definitions:',
  '  steps:',
  '    - step: &build-push-underwriting_ml',
  '        name: Build underwriting_ml',
  '        condition:',
  '          changesets:',
  '            includePaths: ["src/underwriting_ml/**"]',
  '    - step: &deploy-underwriting_ml',
  '        name: Deploy underwriting_ml',
  'pipelines:',
  '  branches:',
  '    main:',
  '      - step: *deploy-underwriting_ml',
  '      - parallel:',
  '          steps:',
  '            - step: *build-push-underwriting_ml',
  '      - stage:',
  '          steps:',
  '            - step: *deploy-underwriting_ml',
  '  custom:',
  '    all:',
  '      - step:',
  '          condition:',
  '            changesets:',
  '              includePaths: ["src/underwriting_ml/**", "Dockerfile.underwriting.ml"]',
  '',
].join('\n');

type Edit = { kind: 'clone'; path: Array<string | number>; source: number; after?: number } | { kind: 'append'; path: Array<string | number>; value: string };

const EDITS: Edit[] = [
  { kind: 'clone', path: ['definitions', 'steps'], source: 0, after: 0 },
  { kind: 'clone', path: ['definitions', 'steps'], source: 1, after: 1 },
  // Index 0 of main gains a neighbour, so the lists inside main[1] and main[2] move to main[2] and main[3].
  { kind: 'clone', path: ['pipelines', 'branches', 'main'], source: 0, after: 0 },
  { kind: 'clone', path: ['pipelines', 'branches', 'main', 1, 'parallel', 'steps'], source: 0, after: 0 },
  { kind: 'clone', path: ['pipelines', 'branches', 'main', 2, 'stage', 'steps'], source: 0, after: 0 },
  { kind: 'append', path: ['pipelines', 'custom', 'all', 0, 'step', 'condition', 'changesets', 'includePaths'], value: 'src/network_analytics/**' },
];

/**
 * The same edits one after another, each on the previous result. They are listed in file order,
 * so made from the last one up, every path still points where it did; the new anchored steps
 * come first (their own subtree), so that no step is referred to before it is defined.
 */
function oneByOne(text: string): string {
  const steps = EDITS.filter((edit) => edit.path[0] === 'definitions');
  return [...steps.reverse(), ...EDITS.filter((edit) => !steps.includes(edit)).reverse()].reduce(
    (result, edit) =>
      edit.kind === 'clone'
        ? cloneEntry(result, { file: FILE, path: edit.path, source: edit.source, after: edit.after, transform: rename.apply })
        : appendScalar(result, { file: FILE, path: edit.path, value: edit.value }),
    text,
  );
}

function batched(text: string, edits: Edit[] = EDITS): string {
  const batch = new YamlEdits(text, FILE);
  for (const edit of edits) {
    if (edit.kind === 'clone') batch.clone({ path: edit.path, source: edit.source, after: edit.after, transform: rename.apply });
    else batch.append({ path: edit.path, value: edit.value });
  }
  return batch.apply();
}

describe('YAML editor: several insertions located on one parse and checked with one', () => {
  it('gives the same bytes as the edits made one after another, with list indices moving past new entries', () => {
    const result = batched(PIPELINES);
    assert.equal(result, oneByOne(PIPELINES));
    const js = parsesAsYaml(result) as any;
    assert.equal(js.definitions.steps.length, 4);
    assert.deepEqual(js.pipelines.branches.main.slice(0, 2), [{ step: { name: 'Deploy underwriting_ml' } }, { step: { name: 'Deploy network_analytics' } }]);
    assert.deepEqual(js.pipelines.branches.main[2].parallel.steps.map((s: any) => s.step.name), ['Build underwriting_ml', 'Build network_analytics']);
    assert.deepEqual(js.pipelines.branches.main[3].stage.steps.map((s: any) => s.step.name), ['Deploy underwriting_ml', 'Deploy network_analytics']);
    assert.deepEqual(js.pipelines.custom.all[0].step.condition.changesets.includePaths, ['src/underwriting_ml/**', 'Dockerfile.underwriting.ml', 'src/network_analytics/**']);
  });

  it('the same, in CRLF and without a final newline', () => {
    const crlf = PIPELINES.replace(/\n/g, '\r\n').replace(/\r\n$/, '');
    const result = batched(crlf);
    assert.equal(result, oneByOne(crlf));
    assert.ok(!result.endsWith('\n') && !/[^\r]\n/.test(result));
  });

  it('two elements for one flow list: the second is placed on the result, in a second round', () => {
    const path = ['pipelines', 'custom', 'all', 0, 'step', 'condition', 'changesets', 'includePaths'];
    const result = batched(PIPELINES, [
      { kind: 'append', path, value: 'src/network_analytics/**' },
      { kind: 'append', path, value: 'Dockerfile.network.analytics' },
    ]);
    assert.deepEqual(insertedLines(PIPELINES, result.replace('["src/underwriting_ml/**", "Dockerfile.underwriting.ml", "src/network_analytics/**", "Dockerfile.network.analytics"]', '["src/underwriting_ml/**", "Dockerfile.underwriting.ml"]')), []);
    assert.ok(result.includes('includePaths: ["src/underwriting_ml/**", "Dockerfile.underwriting.ml", "src/network_analytics/**", "Dockerfile.network.analytics"]'));
  });

  it('entries after the same one come in the order planned; the same entry planned twice is added once', () => {
    const text = 'services:\n  underwriting_ml:\n    image: u\n  webserver:\n    depends_on:\n      - underwriting_ml\n';
    const batch = new YamlEdits(text, 'compose.yml');
    const other = renamer(locationNames('underwriting_ml', 'underwriting'), locationNames('billing_core', 'billing'));
    assert.equal(batch.clone({ path: ['services'], source: 'underwriting_ml', after: 'underwriting_ml', newKey: 'network_analytics', transform: rename.apply }), true);
    assert.equal(batch.clone({ path: ['services'], source: 'underwriting_ml', after: 'underwriting_ml', newKey: 'billing_core', transform: other.apply }), true);
    assert.equal(batch.clone({ path: ['services'], source: 'underwriting_ml', after: 'underwriting_ml', newKey: 'network_analytics', transform: rename.apply }), false);
    assert.equal(batch.append({ path: ['services', 'webserver', 'depends_on'], value: 'network_analytics' }), true);
    assert.equal(batch.append({ path: ['services', 'webserver', 'depends_on'], value: 'network_analytics' }), false);
    const result = batch.apply();
    assert.equal(result, text.replace('  webserver:', '  network_analytics:\n    image: u\n  billing_core:\n    image: u\n  webserver:') + '      - network_analytics\n');
    assert.deepEqual(Object.keys((parsesAsYaml(result) as any).services), ['underwriting_ml', 'network_analytics', 'billing_core', 'webserver']);
  });

  it('nothing planned: the text itself, unparsed again; a second run plans nothing', () => {
    const batch = new YamlEdits(PIPELINES, FILE);
    assert.equal(batch.changed, false);
    assert.equal(batch.apply(), PIPELINES);
    const once = batched(PIPELINES);
    const again = new YamlEdits(once, FILE);
    for (const edit of EDITS.filter((e) => e.kind === 'append')) assert.equal(again.append({ path: edit.path, value: (edit as { value: string }).value }), false);
    assert.equal(batched(once, []), once);
  });

  it('one bad entry among good ones refuses the whole batch, with the file', () => {
    const batch = new YamlEdits(PIPELINES, FILE);
    batch.clone({ path: ['definitions', 'steps'], source: 0, after: 0, transform: rename.apply });
    // A rename that breaks out of its entry: the list gains a second item.
    batch.clone({ path: ['definitions', 'steps'], source: 1, after: 1, transform: (t) => (t ? `${rename.apply(t)}\n    - step: *deploy-underwriting_ml` : t) });
    throwsEditError(() => batch.apply(), FILE, /did not add exactly 2 entries/);
  });

  it('a splice that changes what a sibling means is refused even when every entry reads as meant', () => {
    const text = 'services:\n  underwriting_ml:\n    image: u\n  webserver:\n    image: w\n';
    const batch = new YamlEdits(text, 'compose.yml');
    // The new service is right, but the line after it is a new top-level key.
    batch.insertLines({ path: ['services'], afterIndex: 1, at: text.length, lines: ['  network_analytics:', '    image: n', 'extra: 1'], identity: 'key network_analytics' });
    throwsEditError(() => batch.apply(), 'compose.yml', /changed the meaning of other entries/);
  });
});
