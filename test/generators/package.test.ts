import assert from 'node:assert/strict';
import { copyFixture, EXAMPLE, MESSY, REALWORLD, read, exists, runGenerator, assertOnlyAdds, snapshot, changes } from '../helpers.js';
import { parse } from 'smol-toml';

describe('dagster-location:package network_analytics analytics 4002', () => {
  for (const [label, fixture] of [['tidy example', EXAMPLE], ['messy monorepo', MESSY]] as const) {
    describe(`on the ${label}`, () => {
      let dir: string;
      let original: Map<string, Buffer>;
      before(async () => {
        dir = copyFixture(fixture);
        original = snapshot(dir);
        await runGenerator('package', dir, ['network_analytics', 'analytics', '4002']);
      });

      it('creates the package files of phase 1', () => {
        for (const file of ['__init__.py', 'pyproject.toml', 'definitions.py', 'assets/__init__.py']) {
          assert.ok(exists(dir, `src/network_analytics/${file}`), file);
        }
        const pyproject = parse(read(dir, 'src/network_analytics/pyproject.toml')) as any;
        assert.equal(pyproject.project.name, 'network-analytics');
        assert.equal(pyproject.project.description, 'Network analytics', 'no --description, no terminal: the package name in words');
        assert.deepEqual(pyproject.project.dependencies, ['dagster>=1.12,<1.13', 'dagster-polars>=0.27.6', 'shared']);
        assert.equal(pyproject.project['requires-python'], '>=3.13,<3.14');
        assert.deepEqual({ ...pyproject.tool.uv.sources.shared }, { workspace: true });
        assert.deepEqual(pyproject.tool.hatch.build.targets.wheel.packages, ['.']);
        const definitions = read(dir, 'src/network_analytics/definitions.py');
        assert.match(definitions, /^import network_analytics\.assets$/m);
        assert.match(definitions, /base_dir=f"\{data_dir\}\/network_analytics"/);
      });

      it('registers the member in the four places of phase 2, inserting lines only', () => {
        const source = original.get("pyproject.toml")!.toString("utf8");
        const text = read(dir, 'pyproject.toml');
        const root = parse(text) as any;
        assert.ok(root.tool.uv.workspace.members.includes('src/network_analytics'));
        assert.ok(root.project.dependencies.includes('network-analytics'));
        assert.deepEqual({ ...root.tool.uv.sources["network-analytics"] }, { workspace: true });
        assert.ok(root.tool.hatch.build.targets.wheel.packages.includes('src/network_analytics'));
        assertOnlyAdds(source, text, /network[-_]analytics/);
      });

      it('touches no other file', () => {
        const diff = changes(original, snapshot(dir));
        assert.deepEqual(diff.changed, ['pyproject.toml']);
        assert.deepEqual(diff.removed, []);
        assert.ok(diff.added.every((f) => f.startsWith('src/network_analytics/')));
      });
    });
  }
});

describe('the description', () => {
  it('given to the package, the phases run later use it, not the canonical\'s prose', async () => {
    const dir = copyFixture(REALWORLD);
    await runGenerator('package', dir, ['network_analytics', 'analytics', '4002'], { description: 'Traffic counts per cell' });
    await runGenerator('ci', dir, ['network_analytics']);
    assert.match(read(dir, 'workspace.yaml'), /^ {2}# network_analytics -- Traffic counts per cell$/m);
    assert.match(read(dir, 'docker-bake.hcl'), /"org\.opencontainers\.image\.description" = "Traffic counts per cell"/);
  });

  it('is one line: a line break is refused before anything is written', async () => {
    const dir = copyFixture();
    const before = snapshot(dir);
    await assert.rejects(runGenerator('package', dir, ['network_analytics'], { description: 'Traffic\ncounts' }), /one line of text/);
    assert.deepEqual(changes(before, snapshot(dir)), { added: [], changed: [], removed: [] });
  });
});
