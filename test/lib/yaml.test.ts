import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, visit, type Alias, type Document, type Scalar } from 'yaml';
import { aliasesOf, appendScalar, cloneEntry, enclosingSeqItem, entryFields, entrySpan, findNodes, getCollection, isScalar, parseYaml, resolveAlias, type CloneOptions } from '../../lib/editors/yaml.js';
import { locationNames, renamer } from '../../lib/naming.js';
import { assertOnlyAdds } from '../helpers.js';
import { insertedLines, parsesAsYaml, throwsEditError } from './assertions.js';
import { FIXTURES } from './registries/helpers.js';

const rename = renamer(locationNames('underwriting_ml', 'underwriting'), locationNames('network_analytics', 'analytics'), { from: 4001, to: 4002 });

/** Clone a service (map entry) the way phase 5 does, and check the result only inserted lines and parses. */
function cloneService(text: string, options: Partial<CloneOptions> = {}): { result: string; lines: string[]; js: any } {
  const full: CloneOptions = { file: 'compose.yml', path: ['services'], source: 'underwriting_ml', newKey: 'network_analytics', transform: rename.apply, ...options };
  const result = cloneEntry(text, full);
  const lines = insertedLines(text, result);
  const js = parsesAsYaml(result);
  assert.equal(cloneEntry(result, full), result, 'second run changes nothing');
  return { result, lines, js };
}

describe('YAML editor', () => {
  describe('cloneEntry of a map entry (a compose service)', () => {
    it('copies the entry renamed after the last one, keeping its indentation and inner comments (2 spaces)', () => {
      const text = [
        'services:',
        '  underwriting_ml:',
        '    image: dagster-underwriting-ml   # the image',
        '    # built from the repo root',
        '    build: {context: ., dockerfile: ./Dockerfile.underwriting.ml}',
        '    ports:',
        '      - "4001:4001"',
        '',
      ].join('\n');
      const { lines, js } = cloneService(text);
      assert.deepEqual(lines, [
        '  network_analytics:',
        '    image: dagster-network-analytics   # the image',
        '    # built from the repo root',
        '    build: {context: ., dockerfile: ./Dockerfile.network.analytics}',
        '    ports:',
        '      - "4002:4002"',
      ]);
      assert.deepEqual(js.services.network_analytics.ports, ['4002:4002']);
    });

    it('4-space indentation, `---` marker, `<< :` and `<<:` merge keys and aliases that still resolve', () => {
      const text = [
        '---',
        'x-env: &env',
        '    HOST: postgres',
        'x-loc: &loc',
        '    restart: unless-stopped',
        'services:',
        '    underwriting_ml:',
        '        << : *loc',
        '        environment:',
        '            <<: *env',
        '            DAGSTER_CURRENT_IMAGE: dagster-underwriting-ml',
        '    webserver:',
        '        environment: *env',
        '',
      ].join('\n');
      const { result, lines, js } = cloneService(text, { after: 'underwriting_ml' });
      assert.deepEqual(lines, [
        '    network_analytics:',
        '        << : *loc',
        '        environment:',
        '            <<: *env',
        '            DAGSTER_CURRENT_IMAGE: dagster-network-analytics',
      ]);
      assert.ok(result.startsWith('---\n'));
      assert.deepEqual(js.services.network_analytics, { restart: 'unless-stopped', environment: { HOST: 'postgres', DAGSTER_CURRENT_IMAGE: 'dagster-network-analytics' } });
      assert.deepEqual(js.services.webserver.environment, { HOST: 'postgres' });
    });

    it('leading comments come along only when the rename changes them', () => {
      const text = [
        'services:',
        '  vanguard_wholesale:',
        '    image: a',
        '  # canonical example: underwriting_ml, keep the others in this shape',
        '  underwriting_ml:',
        '    image: dagster-underwriting-ml',
        '  # ---- platform ----',
        '  webserver:',
        '    image: w',
        '',
      ].join('\n');
      const mentioning = cloneService(text, { after: 'underwriting_ml' });
      assert.deepEqual(mentioning.lines, ['  # canonical example: network_analytics, keep the others in this shape', '  network_analytics:', '    image: dagster-network-analytics']);
      const neutral = cloneService(text.replace('canonical example: underwriting_ml,', 'canonical example,'), { after: 'underwriting_ml' });
      assert.deepEqual(neutral.lines, ['  network_analytics:', '    image: dagster-network-analytics']);
      // Inserted right after the entry, before the next entry's own comments.
      assert.ok(neutral.result.includes('    image: dagster-network-analytics\n  # ---- platform ----\n  webserver:'));
    });

    it('trailing comment lines indented under the entry belong to it; column-0 ones to what follows', () => {
      const text = ['services:', '    underwriting_ml:', '        image: u', '        # note about underwriting_ml', '# ---- next ----', '    webserver:', '        image: w', ''].join('\n');
      const { result } = cloneService(text, { after: 'underwriting_ml' });
      assert.ok(result.includes('        # note about underwriting_ml\n    network_analytics:\n        image: u\n        # note about network_analytics\n# ---- next ----\n'));
    });

    it('keeps the blank-line habit between siblings', () => {
      const text = 'services:\n  vanguard_wholesale:\n    image: v\n\n  underwriting_ml:\n    image: u\n\nvolumes: {}\n';
      const { result } = cloneService(text);
      assert.equal(result, 'services:\n  vanguard_wholesale:\n    image: v\n\n  underwriting_ml:\n    image: u\n\n  network_analytics:\n    image: u\n\nvolumes: {}\n');
      const tight = cloneService('services:\n  vanguard_wholesale:\n    image: v\n  underwriting_ml:\n    image: u\n');
      assert.deepEqual(tight.lines, ['  network_analytics:', '    image: u']);
    });

    it('sequences not indented under their key', () => {
      const text = 'services:\n  underwriting_ml:\n    networks:\n    - dagster\n    volumes:\n    - "data:/opt/dagster/shared-data"\n';
      const { lines, js } = cloneService(text);
      assert.deepEqual(lines, ['  network_analytics:', '    networks:', '    - dagster', '    volumes:', '    - "data:/opt/dagster/shared-data"']);
      assert.deepEqual(js.services.network_analytics.networks, ['dagster']);
    });

    it('CRLF, trailing spaces and no final newline are kept', () => {
      const text = 'services:\r\n  "underwriting_ml":   \r\n    image: dagster-underwriting-ml  \r\n  other:\r\n    image: o';
      const { result, lines } = cloneService(text, { after: 'other' });
      assert.deepEqual(lines, ['  "network_analytics":   ', '    image: dagster-network-analytics  ']);
      assert.ok(result.endsWith('\r\n  "network_analytics":   \r\n    image: dagster-network-analytics  '));
    });

    it('an anchor on the copied entry that the rename leaves alone is dropped; aliases keep pointing at the original', () => {
      const text = 'services:\n  underwriting_ml: &uw\n    image: u\n    labels: &labels {a: 1}\n  other:\n    <<: *uw\n    extra: *labels\n';
      const { lines, js } = cloneService(text, { after: 'underwriting_ml' });
      assert.deepEqual(lines, ['  network_analytics:', '    image: u', '    labels: {a: 1}']);
      assert.deepEqual(js.services.other, { image: 'u', labels: { a: 1 }, extra: { a: 1 } });
    });

    it('the new key is verified, and derived from the rename when not given', () => {
      const text = 'services:\n  underwriting_ml:\n    image: u\n';
      throwsEditError(() => cloneEntry(text, { file: 'compose.yml', path: ['services'], source: 'underwriting_ml', newKey: 'other', transform: rename.apply }), 'compose.yml', /key is not other/);
      const derived = cloneEntry(text, { file: 'compose.yml', path: ['services'], source: 'underwriting_ml', transform: rename.apply });
      assert.equal(cloneEntry(derived, { file: 'compose.yml', path: ['services'], source: 'underwriting_ml', transform: rename.apply }), derived);
    });
  });

  describe('cloneEntry of a sequence item', () => {
    it('a workspace.yaml grpc_server entry, 4-space `-   ` style, comments between entries, no final newline', () => {
      const text = [
        'load_from:',
        '    # :4000',
        '    -   grpc_server:',
        '            host: vanguard_wholesale',
        '            port: 4000',
        '',
        '    # :4001 underwriting (canonical)',
        '    -   grpc_server:',
        '            host: underwriting_ml',
        '            port: 4001',
        '            location_name: "underwriting_ml"',
        '',
        '    # next free port: 4002',
      ].join('\n');
      const options = { file: 'workspace.yaml', path: ['load_from'], source: 1, transform: rename.apply };
      const result = cloneEntry(text, options);
      assert.deepEqual(insertedLines(text, result), ['', '    # :4002 analytics (canonical)', '    -   grpc_server:', '            host: network_analytics', '            port: 4002', '            location_name: "network_analytics"']);
      assert.ok(result.endsWith('\n    # next free port: 4002'));
      assert.deepEqual((parsesAsYaml(result) as any).load_from[2], { grpc_server: { host: 'network_analytics', port: 4002, location_name: 'network_analytics' } });
      assert.equal(cloneEntry(result, options), result, 'the same entry is not added twice');
    });

    it('items with anchors (`- step: &build-push-x` and `- &x`) are copied with the anchor renamed or dropped', () => {
      const text = [
        'definitions:',
        '  steps:',
        '  - step: &build-push-underwriting_ml',
        '      name: Build underwriting_ml',
        '  - &plain',
        '    name: plain underwriting_ml',
        'pipelines:',
        '  default:',
        '    - step: *build-push-underwriting_ml',
        '    - *plain',
        '',
      ].join('\n');
      const step = cloneEntry(text, { file: 'bitbucket-pipelines.yml', path: ['definitions', 'steps'], source: 0, after: 0, transform: rename.apply });
      assert.deepEqual(insertedLines(text, step), ['  - step: &build-push-network_analytics', '      name: Build network_analytics']);
      const plain = cloneEntry(step, { file: 'bitbucket-pipelines.yml', path: ['definitions', 'steps'], source: 2, transform: rename.apply });
      assert.deepEqual(insertedLines(step, plain), ['  -', '    name: plain network_analytics']);
      const js = parsesAsYaml(plain) as any;
      assert.deepEqual(js.pipelines.default, [{ step: { name: 'Build underwriting_ml' } }, { name: 'plain underwriting_ml' }]);
    });

    it("a key of a map that starts on its item's `- ` line is copied as a key, not as a new item", () => {
      const text = 'load_from:\n  -   underwriting_ml:\n        port: 4001\n      other: 1\n';
      const result = cloneEntry(text, { file: 'workspace.yaml', path: ['load_from', 0], source: 'underwriting_ml', newKey: 'network_analytics', transform: rename.apply });
      assert.deepEqual(insertedLines(text, result), ['      network_analytics:', '        port: 4002']);
      assert.deepEqual((parsesAsYaml(result) as any).load_from, [{ underwriting_ml: { port: 4001 }, other: 1, network_analytics: { port: 4002 } }]);
    });

    it('a reference `- step: *anchor` copied next to its source resolves to the new step', () => {
      const text = 'steps:\n  - step: &build-push-underwriting_ml\n      name: u\n  - step: &build-push-network_analytics\n      name: n\nmain:\n  - step: *build-push-underwriting_ml\n  - step: *other\n'.replace('*other', '*build-push-underwriting_ml');
      const doc = parseYaml(text, 'p.yml');
      const [first] = aliasesOf(doc, 'build-push-underwriting_ml');
      assert.deepEqual(first.path, ['main', 0, 'step']);
      const item = enclosingSeqItem(first.path)!;
      const result = cloneEntry(text, { file: 'p.yml', path: item.seqPath, source: item.index, after: item.index, transform: rename.apply });
      assert.deepEqual(insertedLines(text, result), ['  - step: *build-push-network_analytics']);
      assert.deepEqual((parsesAsYaml(result) as any).main, [{ step: { name: 'u' } }, { step: { name: 'n' } }, { step: { name: 'u' } }]);
    });
  });

  describe('anchors stay unique and verification rejects meaning changes', () => {
    it('a copy that would define an existing anchor again is refused with the lines', () => {
      const text = 'early: &build-push-network_analytics {name: pre}\nsteps:\n  - step: &build-push-underwriting_ml\n      name: u\nlater:\n  - y: *build-push-network_analytics\n';
      const error = throwsEditError(() => cloneEntry(text, { file: 'p.yml', path: ['steps'], source: 0, transform: rename.apply }), 'p.yml', 1);
      assert.match(error.message, /&build-push-network_analytics a second time \(lines 1 and 5\)/);
    });

    it('a rename that breaks out of the entry (adds a sibling) is refused', () => {
      const text = 'services:\n  underwriting_ml:\n    image: u\n';
      const evil = (t: string) => `${rename.apply(t)}\n  extra:\n    image: x`;
      throwsEditError(() => cloneEntry(text, { file: 'compose.yml', path: ['services'], source: 'underwriting_ml', newKey: 'network_analytics', transform: evil }), 'compose.yml');
      // Indented one level too deep, the copy would land inside the previous entry.
      const deeper = (t: string) => rename.apply(t).replace(/^/gm, '  ');
      throwsEditError(() => cloneEntry('services:\n  underwriting_ml:\n    env:\n      A: 1\n', { file: 'compose.yml', path: ['services'], source: 'underwriting_ml', transform: deeper }), 'compose.yml');
    });

    it('an insertion that would change what another entry means is refused', () => {
      // The blank-line habit would add a line to the kept (`|+`) block scalar that ends the last entry.
      const text = 'services:\n  underwriting_ml:\n    command: |+\n      run underwriting_ml\n\n  other:\n    command: |+\n      run other\n';
      throwsEditError(() => cloneService(text), 'compose.yml', /changed the meaning of other entries/);
    });

    it('a copy that is not valid YAML is refused with the file and line', () => {
      const text = 'services:\n  underwriting_ml:\n    image: u\n';
      throwsEditError(() => cloneEntry(text, { file: 'compose.yml', path: ['services'], source: 'underwriting_ml', newKey: 'network_analytics', transform: (t) => rename.apply(t).replace('image: u', 'image: [u') }), 'compose.yml', /invalid YAML/);
    });

    it('a flow collection gets the copy in flow style', () => {
      const text = 'x: 1\nservices: {underwriting_ml: {image: u}}\n';
      assert.equal(cloneEntry(text, { file: 'compose.yml', path: ['services'], source: 'underwriting_ml', newKey: 'network_analytics', transform: rename.apply }), 'x: 1\nservices: {underwriting_ml: {image: u}, network_analytics: {image: u}}\n');
    });

    it('a syntax error is reported with the file and line', () => {
      throwsEditError(() => parseYaml('a: 1\nb: [1, 2\nc: 3\n', 'compose.yml'), 'compose.yml', /./);
      const error = throwsEditError(() => cloneService('services:\n  underwriting_ml:\n    image: u\n  bad: : x\n'), 'compose.yml');
      assert.equal(error.line, 4);
      throwsEditError(() => parseYaml('a: 1\na: 2\n', 'compose.yml'), 'compose.yml', 2);
    });
  });

  describe('appendScalar', () => {
    const add = (text: string, path: Array<string | number>, value = 'network_analytics') => {
      const result = appendScalar(text, { file: 'compose.yml', path, value });
      assertOnlyAdds(text, result, new RegExp(/[A-Za-z0-9]+/.exec(value)![0]));
      parsesAsYaml(result);
      assert.equal(appendScalar(result, { file: 'compose.yml', path, value }), result, 'second run changes nothing');
      return result;
    };

    it('block lists: a new `- x` line like the last item, indented or not, with its quotes', () => {
      assert.equal(add('depends_on:\n  - postgres\n  - underwriting_ml\nnext: 1\n', ['depends_on']), 'depends_on:\n  - postgres\n  - underwriting_ml\n  - network_analytics\nnext: 1\n');
      assert.equal(add('s:\n  depends_on:\n  - "underwriting_ml"   # why\n', ['s', 'depends_on']), 's:\n  depends_on:\n  - "underwriting_ml"   # why\n  - "network_analytics"\n');
      assert.equal(add("l:\n    -   'a'\n    -   'b'", ['l'], "it's"), "l:\n    -   'a'\n    -   'b'\n    -   'it''s'");
    });

    it('the last item anchor or tag is not copied', () => {
      const text = 'l:\n  - &y bar\n  - &z !!str baz\nu: *z\n';
      assert.equal(add(text, ['l'], 'qux'), 'l:\n  - &y bar\n  - &z !!str baz\n  - qux\nu: *z\n');
    });

    it('a value a plain scalar would misread is quoted', () => {
      assert.equal(add('l:\n  - a\n', ['l'], '4002'), 'l:\n  - a\n  - "4002"\n');
      assert.equal(add('l:\n  - a\n', ['l'], 'true'), 'l:\n  - a\n  - "true"\n');
      assert.equal(add('l:\n  - a\n', ['l'], 'a: b'), 'l:\n  - a\n  - "a: b"\n');
      assert.equal(add('l:\n  - a\n', ['l'], 'src/network_analytics/**'), 'l:\n  - a\n  - src/network_analytics/**\n');
    });

    it('one-line flow lists, with and without a trailing comma, and a comment holding brackets', () => {
      assert.equal(add('depends_on: [postgres, underwriting_ml]\n', ['depends_on']), 'depends_on: [postgres, underwriting_ml, network_analytics]\n');
      assert.equal(add('depends_on: ["postgres", "underwriting_ml", ]  # see [docs]\n', ['depends_on']), 'depends_on: ["postgres", "underwriting_ml", "network_analytics", ]  # see [docs]\n');
      assert.equal(add('depends_on: []\n', ['depends_on']), 'depends_on: [network_analytics]\n');
    });

    it('multi-line flow lists with a trailing comma, and a comment holding a comma after the last item', () => {
      const text = 'services:\n    web:\n        depends_on: [postgres,\n            vanguard_wholesale, underwriting_ml,\n        ]\n';
      assert.equal(add(text, ['services', 'web', 'depends_on']), 'services:\n    web:\n        depends_on: [postgres,\n            vanguard_wholesale, underwriting_ml,\n            network_analytics,\n        ]\n');
      const commented = 'd: [a,\n    b  # note, more\n]\n';
      assert.equal(add(commented, ['d']), 'd: [a,\n    b,  # note, more\n    network_analytics\n]\n');
    });

    it('CRLF and no final newline', () => {
      const text = 'includePaths:\r\n  - "src/shared/**"\r\n  - "uv.lock"';
      const result = add(text, ['includePaths'], 'src/network_analytics/**');
      assert.equal(result, 'includePaths:\r\n  - "src/shared/**"\r\n  - "uv.lock"\r\n  - "src/network_analytics/**"');
      assert.deepEqual(insertedLines(text, result), ['  - "src/network_analytics/**"']);
    });

    it('not a list, or an empty block value: an EditError with the file', () => {
      throwsEditError(() => appendScalar('a:\n  b: 1\n', { file: 'compose.yml', path: ['a'], value: 'x' }), 'compose.yml', /not a list/);
      throwsEditError(() => appendScalar('a: 1\n', { file: 'compose.yml', path: ['a'], value: 'x' }), 'compose.yml', /no collection/);
    });
  });

  describe('reading helpers', () => {
    it('entrySpan, findNodes and getCollection locate what the generators edit', () => {
      const text = 'a:\n  - x\n  - y  # c\n    # under y\nb: {k: 1}\n';
      const doc = parseYaml(text, 'f.yml');
      const seq = getCollection(doc, ['a'])!;
      const span = entrySpan(text, seq, seq.items[1]);
      assert.equal(text.slice(span.start, span.end), '  - y  # c\n    # under y');
      assert.deepEqual(findNodes(doc, (n, path) => path.at(-1) === 'k' && isScalar(n) && n.value === 1).map((f) => f.path), [['b', 'k']]);
    });

    it('entryFields reads some keys of each service as plain data, through merge keys and aliases, own keys first', () => {
      const text = [
        'x-base: &base',
        '  ports: ["4000:4000"]',
        '  image: base',
        'services:',
        '  own:',
        '    <<: *base',
        '    image: own',
        '    ports:',
        '      - "4001:4001"',
        '  merged:',
        '    << : *base',
        '  aliased: *base',
        '  bare:',
        '  plain: {image: p}',
        '',
      ].join('\n');
      const fields = entryFields(parseYaml(text, 'compose.yml'), ['services'], ['image', 'ports']);
      assert.deepEqual(Object.fromEntries(fields), {
        own: { image: 'own', ports: ['4001:4001'] },
        merged: { image: 'base', ports: ['4000:4000'] },
        aliased: { image: 'base', ports: ['4000:4000'] },
        bare: {},
        plain: { image: 'p' },
      });
      assert.deepEqual(entryFields(parseYaml('services: []\n', 'compose.yml'), ['services'], ['image']).size, 0);
    });
  });
});

describe('resolveAlias: the anchor index answers as alias.resolve does', () => {
  /** Every alias of a document, with what the library's own resolve finds for it. */
  function aliasesWithLibraryAnswer(doc: Document.Parsed): Array<[Alias, unknown]> {
    const found: Array<[Alias, unknown]> = [];
    visit(doc, { Alias: (_key, alias) => void found.push([alias, alias.resolve(doc)]) });
    return found;
  }

  it('on every alias of every YAML file of every fixture', () => {
    let asked = 0;
    for (const [label, dir] of FIXTURES) {
      for (const file of readdirSync(dir).filter((name) => /\.ya?ml$/.test(name))) {
        const doc = parseYaml(readFileSync(join(dir, file), 'utf8'), file);
        for (const [alias, expected] of aliasesWithLibraryAnswer(doc)) {
          assert.equal(resolveAlias(doc, alias), expected, `${label} ${file}: *${alias.source}`);
          asked++;
        }
      }
    }
    assert.ok(asked > 20, `${asked} aliases asked`);
  });

  it('takes the last definition before the alias, and none after it', () => {
    const doc = parseDocument('a: &x 1\nb: *x\nc: &x 2\nd: *x\ne: [*y]\nf: &y 3\n');
    const answers = aliasesWithLibraryAnswer(doc);
    assert.equal(answers.length, 3);
    for (const [alias, expected] of answers) assert.equal(resolveAlias(doc, alias), expected);
    assert.deepEqual(answers.map(([alias]) => (resolveAlias(doc, alias) as Scalar | undefined)?.value), [1, 2, undefined]);
  });
});
