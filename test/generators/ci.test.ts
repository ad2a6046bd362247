import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { parseDocument } from 'yaml';
import { assertOnlyAdds, changes, copyFixture, EXAMPLE, exists, MESSY, read, runGenerator, snapshot } from '../helpers.js';

const ARGS = ['network_analytics', 'analytics', '4002'];
const NEW = /network[-_.]analytics|ANALYTICS|4002/;

type Json = any;

function yamlJs(text: string): Json {
  const doc = parseDocument(text, { merge: true });
  assert.deepEqual(doc.errors.map((e) => e.message), []);
  return doc.toJS({ maxAliasCount: -1 });
}

async function bake(text: string): Promise<Json> {
  return parseHcl('docker-bake.hcl', text);
}

/** Every `&anchor` defined in a YAML text, with how often. */
function anchorCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/(?<=^|[\s[{,])&([^\s,[\]{}]+)/gm)) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  return counts;
}

/** The list under a path of `step` items, as the anchors' step names. */
function stepNames(list: Json[]): string[] {
  return list.map((item) => item.step?.name);
}

async function runCi(dir: string) {
  return runGenerator('ci', dir, ARGS);
}

describe('dagster-location:ci network_analytics analytics 4002', () => {
  for (const [label, fixture] of [['tidy example', EXAMPLE], ['messy monorepo', MESSY]] as const) {
    describe(`on the ${label}`, () => {
      let dir: string;
      let original: Map<string, Buffer>;
      const originalText = (path: string) => original.get(path)!.toString('utf8');
      before(async () => {
        dir = copyFixture(fixture);
        original = snapshot(dir);
        await runCi(dir);
      });

      it('adds a grpc_server entry to workspace.yaml in the style of the canonical one', () => {
        const text = read(dir, 'workspace.yaml');
        const loadFrom = yamlJs(text).load_from;
        assert.deepEqual(loadFrom.at(-1), { grpc_server: { host: 'network_analytics', port: 4002, location_name: 'network_analytics' } });
        assert.deepEqual(loadFrom.slice(0, -1), yamlJs(originalText('workspace.yaml')).load_from);
        if (label === 'tidy example') {
          assert.ok(text.endsWith('  - grpc_server:\n      host: network_analytics\n      port: 4002\n      location_name: "network_analytics"\n'));
          assertOnlyAdds(originalText('workspace.yaml'), text, NEW);
        } else {
          // 4-space `-   grpc_server:`, the canonical's double quotes, its comment renamed without "(canonical example)".
          assert.match(
            text,
            /location_name: "underwriting_ml"\n\n {4}# :4002 {2}analytics\n {4}- {3}grpc_server:\n {12}host: network_analytics\n {12}port: 4002\n {12}location_name: "network_analytics"\n\n/,
          );
          assert.doesNotMatch(text.slice(text.indexOf(':4002')), /canonical/);
          // The "next free port" hint moves on instead of naming the port just taken; all else is added text.
          assert.ok(text.endsWith('    # next free port: 4003'));
          assertOnlyAdds(originalText('workspace.yaml'), text.replace('next free port: 4003', 'next free port: 4002'), NEW);
        }
      });

      it('adds a docker-bake.hcl target after the location targets and to the default group, proven by an HCL parser', async () => {
        const text = read(dir, 'docker-bake.hcl');
        const parsed = await bake(text);
        assert.deepEqual(parsed.target['dagster-network-analytics'], [
          {
            context: '.',
            dockerfile: 'Dockerfile.network.analytics',
            tags: ['registry.plan.com:5000/dagster-network-analytics:latest'],
            platforms: ['linux/amd64'],
            push: true,
          },
        ]);
        assert.deepEqual(parsed.group.default[0].targets, [
          'dagster-vanguard-wholesale',
          'dagster-underwriting-ml',
          'dagster-network-analytics',
          'dagster-bootstrap',
        ]);
        const order = [...text.matchAll(/^target "([^"]+)"/gm)].map((m) => m[1]);
        assert.deepEqual(order.slice(-3), ['dagster-underwriting-ml', 'dagster-network-analytics', 'dagster-bootstrap']);
        // Everything else means what it meant: variables (heredoc too), one-line blocks, other groups.
        delete parsed.target['dagster-network-analytics'];
        parsed.group.default[0].targets = parsed.group.default[0].targets.filter((t: string) => t !== 'dagster-network-analytics');
        assert.deepEqual(parsed, await bake(originalText('docker-bake.hcl')));
        assertOnlyAdds(originalText('docker-bake.hcl'), text, NEW);
        if (label === 'messy monorepo') {
          assert.match(text, /"dagster-underwriting-ml", {3}\/\/ canonical example\n {4}"dagster-network-analytics",\n {4}"dagster-bootstrap",\n {2}\]/);
          assert.match(text, /^group "ci" \{ targets = \["dagster-bootstrap"\] \}$/m);
          assert.match(text, /^target "docker-metadata-action" \{\}$/m);
        } else {
          assert.match(text, /targets = \["dagster-vanguard-wholesale", "dagster-underwriting-ml", "dagster-network-analytics", "dagster-bootstrap"\]/);
        }
      });

      it('adds the &build-push and &deploy steps to bitbucket-pipelines.yml, renamed in every variant', () => {
        const text = read(dir, 'bitbucket-pipelines.yml');
        const steps = yamlJs(text).definitions.steps.map((item: Json) => item.step);
        const build = steps.find((s: Json) => s.name === 'Build & push dagster-network-analytics');
        const deploy = steps.find((s: Json) => s.name === 'Deploy network_analytics');
        assert.ok(build && deploy);
        assert.deepEqual(build.condition.changesets.includePaths, [
          'src/network_analytics/**',
          'Dockerfile.network.analytics',
          'src/shared/**',
          'uv.lock',
        ]);
        const script = build.script.join('\n');
        assert.match(script, /docker build -f Dockerfile\.network\.analytics/);
        assert.match(script, /\$SERVICE_IMAGE_NAME_ANALYTICS:\$BITBUCKET_COMMIT/);
        assert.match(script, /export DAGSTER_BUILD_TAG_ANALYTICS=\$BITBUCKET_COMMIT" > build-tags\/network_analytics\.env/);
        assert.match(deploy.script.join('\n'), /\$SERVICE_IMAGE_NAME_ANALYTICS:\$BITBUCKET_COMMIT dagster_network_analytics"/);
        const added = text.slice(text.indexOf('&build-push-network_analytics'), text.indexOf('&build-push-bootstrap'));
        assert.doesNotMatch(added + JSON.stringify(deploy), /underwriting|UNDERWRITING|4001|canonical/);
        // Placed after the canonical's steps of the same kind.
        const anchors = [...text.matchAll(/^ *- step: &(\S+)/gm)].map((m) => m[1]);
        assert.deepEqual(anchors, [
          'build-push-vanguard_wholesale',
          'build-push-underwriting_ml',
          'build-push-network_analytics',
          'build-push-bootstrap',
          'deploy-vanguard_wholesale',
          'deploy-underwriting_ml',
          'deploy-network_analytics',
        ]);
        if (label === 'messy monorepo') {
          // Merge keys come along and resolve to the shared definitions.
          assert.deepEqual(build.services, ['docker']);
          assert.equal(build.size, '2x');
          assert.equal(build['max-time'], 25);
          // The canonical's own `size: *build-size` (its sibling's deploy step sets none) is its particular.
          assert.equal(deploy.size, undefined);
          // A blank line and the renamed comment, like the step it follows; no blank line between deploys, like theirs.
          assert.match(text, /build-tags\/\*\*\n\n {2}# ---- analytics \(4002\) ----\n {2}- step: &build-push-network_analytics\n {8}<<: \*docker-step\n/);
          assert.match(text, /dagster_underwriting_ml"\n {2}- step: &deploy-network_analytics\n/);
        }
      });

      it('references the new steps wherever the canonical steps are referenced', () => {
        const js = yamlJs(read(dir, 'bitbucket-pipelines.yml'));
        const main = js.pipelines.branches.main;
        const builds = ['Build & push dagster-vanguard-wholesale', 'Build & push dagster-underwriting-ml', 'Build & push dagster-network-analytics', 'Build & push dagster-bootstrap'];
        assert.deepEqual(stepNames(main[0].parallel.steps), builds);
        assert.equal(main[1].stage.name, 'deploy-code-location-stage');
        assert.deepEqual(stepNames(main[1].stage.steps), ['Deploy vanguard_wholesale', 'Deploy underwriting_ml', 'Deploy network_analytics']);
        const other = label === 'tidy example' ? js.pipelines.custom['rebuild-all-images'][0].parallel.steps : js.pipelines['pull-requests']['**'][0].parallel;
        assert.deepEqual(stepNames(other), builds);
      });

      it('keeps every other anchor and alias: nothing but the new entries is added', () => {
        const source = originalText('bitbucket-pipelines.yml');
        const text = read(dir, 'bitbucket-pipelines.yml');
        assertOnlyAdds(source, text, NEW);
        const counts = anchorCounts(text);
        for (const [anchor, count] of anchorCounts(source)) assert.equal(counts.get(anchor), count, `&${anchor}`);
        assert.equal(counts.get('build-push-network_analytics'), 1);
        assert.equal(counts.get('deploy-network_analytics'), 1);
        // Take the new steps and references out again: the rest means exactly what it meant.
        const isNew = (item: Json) => /network[-_]analytics/.test(item?.step?.name ?? '');
        const strip = (value: Json): Json =>
          Array.isArray(value)
            ? value.filter((item) => !isNew(item)).map(strip)
            : value && typeof value === 'object'
              ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v)]))
              : value;
        assert.deepEqual(strip(yamlJs(text)), yamlJs(source));
      });

      it('changes only workspace.yaml, docker-bake.hcl and bitbucket-pipelines.yml', () => {
        const diff = changes(original, snapshot(dir));
        assert.deepEqual(diff, { added: [], changed: ['bitbucket-pipelines.yml', 'docker-bake.hcl', 'workspace.yaml'], removed: [] });
      });

      it('changes nothing when run a second time', async () => {
        const first = snapshot(dir);
        await runCi(dir);
        assert.deepEqual(changes(first, snapshot(dir)), { added: [], changed: [], removed: [] });
      });
    });
  }

  it('documents the new repository variable next to its siblings in the pipelines header (tidy)', async () => {
    const dir = copyFixture(EXAMPLE);
    await runCi(dir);
    assert.match(
      read(dir, 'bitbucket-pipelines.yml'),
      /# {3}SERVICE_IMAGE_NAME_UNDERWRITING = dagster-underwriting-ml\n# {3}SERVICE_IMAGE_NAME_ANALYTICS {4}= dagster-network-analytics\nimage:/,
    );
  });

  it('does not copy anchors of the canonical step that the rename leaves alone', async () => {
    const dir = copyFixture(MESSY);
    const path = join(dir, 'bitbucket-pipelines.yml');
    const source = read(dir, 'bitbucket-pipelines.yml')
      .replace('        <<: *docker-step\n        name: "Build & push dagster-underwriting-ml"', '        <<: *docker-step\n        name: "Build & push dagster-underwriting-ml"\n        clone: &shallow-clone {depth: 5}')
      .replace('      max-time: *build-timeout\n', '      max-time: *build-timeout\n      clone: *shallow-clone\n')
      // The sibling's build step clones shallow too: `clone` is the pattern, not the canonical's own.
      .replace('      name: Build & push dagster-vanguard-wholesale\n', '      name: Build & push dagster-vanguard-wholesale\n      clone: {depth: 5}\n');
    assert.equal(anchorCounts(source).get('shallow-clone'), 1);
    writeFileSync(path, source);
    await runCi(dir);
    const text = read(dir, 'bitbucket-pipelines.yml');
    assert.equal(anchorCounts(text).get('shallow-clone'), 1);
    assert.match(text, /&build-push-network_analytics\n {8}<<: \*docker-step\n {8}name: "Build & push dagster-network-analytics"\n {8}clone: \{depth: 5\}\n/);
    const steps = yamlJs(text).definitions.steps.map((item: Json) => item.step);
    assert.deepEqual(steps.find((s: Json) => s.name === 'Build & push dagster-network-analytics').clone, { depth: 5 });
    assert.deepEqual(steps.find((s: Json) => s.name === 'Deploy vanguard_wholesale').clone, { depth: 5 });
    assertOnlyAdds(source, text, NEW);
  });

  it("adds the new location's paths to includePaths outside location steps, next to the canonical's, but not the /clickhouse ones", async () => {
    const dir = copyFixture(EXAMPLE);
    const extra = [
      '',
      '    - step: &run-tests',
      '        name: Tests',
      '        condition:',
      '          changesets:',
      '            includePaths:',
      '              - "src/underwriting_ml/**"',
      '              - "src/underwriting_ml/clickhouse/**"',
      '              - "Dockerfile.underwriting.ml"',
      '              - "src/shared/**"',
      '        script:',
      '          - uv run pytest',
    ].join('\n');
    const source = read(dir, 'bitbucket-pipelines.yml').replace('\npipelines:', `${extra}\n\npipelines:`);
    writeFileSync(join(dir, 'bitbucket-pipelines.yml'), source);
    await runCi(dir);
    const text = read(dir, 'bitbucket-pipelines.yml');
    const steps = yamlJs(text).definitions.steps.map((item: Json) => item.step);
    assert.deepEqual(steps.find((s: Json) => s.name === 'Tests').condition.changesets.includePaths, [
      'src/underwriting_ml/**',
      'src/underwriting_ml/clickhouse/**',
      'Dockerfile.underwriting.ml',
      'src/network_analytics/**',
      'Dockerfile.network.analytics',
      'src/shared/**',
    ]);
    // The bootstrap image's list names only the canonical's clickhouse/ paths: left alone.
    assert.deepEqual(steps.find((s: Json) => s.name === 'Build & push dagster-bootstrap').condition.changesets.includePaths, [
      'src/shared/**',
      'src/underwriting_ml/clickhouse/**',
      'Dockerfile.bootstrap',
      'uv.lock',
    ]);
    // Right after the canonical's own paths, which the list keeps together.
    assert.match(text, /- "Dockerfile\.underwriting\.ml"\n {14}- "src\/network_analytics\/\*\*"\n {14}- "Dockerfile\.network\.analytics"\n {14}- "src\/shared\/\*\*"\n {8}script:\n {10}- uv run pytest/);
    assertOnlyAdds(source, text, NEW);
  });

  it("copies another location's entries, and writes the guide's bake target, when the canonical has none", async () => {
    const dir = copyFixture(EXAMPLE);
    /** Cut a file from `from` up to `to` (or its end). */
    const drop = (path: string, from: string, to?: string) => {
      const text = read(dir, path);
      const start = text.indexOf(from);
      assert.notEqual(start, -1, from);
      writeFileSync(join(dir, path), text.slice(0, start) + (to === undefined ? '' : text.slice(text.indexOf(to, start))));
    };
    drop('workspace.yaml', '  - grpc_server:\n      host: underwriting_ml');
    drop('docker-bake.hcl', 'target "dagster-underwriting-ml"', '# ClickHouse');
    drop('bitbucket-pipelines.yml', '    - step: &build-push-underwriting_ml', '    - step: &build-push-bootstrap');
    drop('bitbucket-pipelines.yml', '    - step: &deploy-underwriting_ml', 'pipelines:');
    writeFileSync(
      join(dir, 'bitbucket-pipelines.yml'),
      read(dir, 'bitbucket-pipelines.yml').replace(/^.*\*(build-push|deploy)-underwriting_ml\n/gm, ''),
    );
    const workspace = read(dir, 'workspace.yaml');
    await runCi(dir);

    assert.deepEqual(yamlJs(read(dir, 'workspace.yaml')).load_from.at(-1), {
      grpc_server: { host: 'network_analytics', port: 4002, location_name: 'network_analytics' },
    });
    assertOnlyAdds(workspace, read(dir, 'workspace.yaml'), NEW);

    const text = read(dir, 'docker-bake.hcl');
    assert.ok(
      text.includes(
        [
          'target "dagster-network-analytics" {',
          '  context = "."',
          '  dockerfile = "Dockerfile.network.analytics"',
          '  tags = [',
          '    "registry.plan.com:5000/dagster-network-analytics:latest"',
          '  ]',
          '  platforms = ["linux/amd64"]',
          '  push = true',
          '}',
        ].join('\n'),
      ),
    );
    const parsed = await bake(text);
    assert.equal(parsed.target['dagster-network-analytics'][0].dockerfile, 'Dockerfile.network.analytics');
    assert.ok(parsed.group.default[0].targets.includes('dagster-network-analytics'));

    const js = yamlJs(read(dir, 'bitbucket-pipelines.yml'));
    const build = js.definitions.steps.map((item: Json) => item.step).find((s: Json) => s.name === 'Build & push dagster-network-analytics');
    assert.match(build.script.join('\n'), /\$SERVICE_IMAGE_NAME_ANALYTICS:latest/);
    assert.deepEqual(stepNames(js.pipelines.branches.main[1].stage.steps), ['Deploy vanguard_wholesale', 'Deploy network_analytics']);
  });

  it('skips a missing file with a warning and edits the others', async () => {
    const dir = copyFixture(EXAMPLE);
    rmSync(join(dir, 'docker-bake.hcl'));
    rmSync(join(dir, 'bitbucket-pipelines.yml'));
    const original = snapshot(dir);
    const result = await runCi(dir);
    const warnings = (result.generator as unknown as { ctx: { report: { warnings: string[] } } }).ctx.report.warnings;
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /^docker-bake\.hcl not found: no bake target dagster-network-analytics was added\.$/);
    assert.match(warnings[1], /^bitbucket-pipelines\.yml not found/);
    assert.ok(!exists(dir, 'docker-bake.hcl') && !exists(dir, 'bitbucket-pipelines.yml'));
    assert.deepEqual(changes(original, snapshot(dir)).changed, ['workspace.yaml']);
  });

  it('stops with the file and line when workspace.yaml is a template, writing nothing', async () => {
    const dir = copyFixture(EXAMPLE);
    writeFileSync(
      join(dir, 'workspace.yaml'),
      'load_from:\n{% for location in locations %}\n  - grpc_server:\n      host: {{ location.name }}\n{% endfor %}\n',
    );
    const original = snapshot(dir);
    await assert.rejects(runCi(dir), (error: Error) => {
      assert.equal(error.name, 'EditError');
      assert.match(error.message, /^workspace\.yaml:2: /);
      return true;
    });
    assert.deepEqual(changes(original, snapshot(dir)), { added: [], changed: [], removed: [] });
  });

  it('stops with the file and line when bitbucket-pipelines.yml is broken, writing nothing', async () => {
    const dir = copyFixture(MESSY);
    const broken = read(dir, 'bitbucket-pipelines.yml').replace('      artifacts: [build-tags/**]', '      artifacts: [build-tags/**');
    writeFileSync(join(dir, 'bitbucket-pipelines.yml'), broken);
    const original = snapshot(dir);
    await assert.rejects(runCi(dir), (error: Error) => {
      assert.equal(error.name, 'EditError');
      assert.match(error.message, /^bitbucket-pipelines\.yml:\d+: /);
      return true;
    });
    assert.deepEqual(changes(original, snapshot(dir)), { added: [], changed: [], removed: [] });
  });
});
