import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { instructions } from '../../lib/editors/dockerfile.js';
import { STDLIB_MODULES } from '../../lib/stdlib-modules.js';
import { scanAssets } from '../../generators/clickhouse/assets.js';
import { assertOnlyAdds, changes, copyFixture, EXAMPLE, exists, MESSY, read, REALWORLD, runBin, runGenerator, snapshot } from '../helpers.js';

const MODULES = ['__init__.py', 'asset_registry.py', 'summary_views.py'];
const CLICKHOUSE_KEYS = ['CLICKHOUSE_HOST', 'CLICKHOUSE_PORT', 'CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD'];

/** Top-level modules a Python file imports, read line by line (`.` for relative imports). */
function importedModules(source: string): string[] {
  const modules: string[] = [];
  // Docstrings and comments may say "import ..." too.
  source = source.replace(/("""|''')[\s\S]*?\1/g, '').replace(/#.*$/gm, '');
  for (const m of source.matchAll(/^[ \t]*from[ \t]+([.\w]+)[ \t]+import\b/gm)) modules.push(m[1].startsWith('.') ? '.' : m[1].split('.')[0]);
  for (const m of source.matchAll(/^[ \t]*import[ \t]+([^\n#]+)/gm)) {
    for (const part of m[1].split(',')) modules.push(part.trim().split(/[\s.]/)[0]);
  }
  return modules;
}

/** What the bootstrap image cannot import: anything but the stdlib, polars, shared and the package itself. */
function notBootstrapSafe(source: string, packageName: string): string[] {
  const allowed = (m: string) => m === '.' || STDLIB_MODULES.has(m) || ['polars', 'shared', packageName].includes(m);
  return importedModules(source).filter((m) => !allowed(m));
}

/** The string literals of each AssetRegistryEntry(...) call, in order: [asset_key, view_name, description?]. */
function registryEntries(source: string): string[][] {
  return [...source.matchAll(/AssetRegistryEntry\(([^)]*)\)/g)].map((m) => [...m[1].matchAll(/(["'])((?:\\.|(?!\1).)*)\1/g)].map((s) => s[2]));
}

function stepNamed(pipelines: any, name: string): any {
  return pipelines.definitions.steps.map((s: any) => s.step).find((s: any) => s.name === name);
}

function loadYaml(text: string): any {
  const doc = parseDocument(text, { merge: true });
  assert.deepEqual(doc.errors, []);
  return doc.toJS({ maxAliasCount: -1 });
}

const HAS_PYTHON = spawnSync('python3', ['-c', 'import sys; assert sys.version_info >= (3, 10)']).status === 0;

/**
 * What `bootstrap-clickhouse --dry-run --locations <name>` prints, run by the repo's own shared
 * code with a stand-in for polars (not needed for a dry run without Parquet files) and without
 * dagster installed; plus each generated module's imports as Python's own parser reads them.
 */
function bootstrapDryRun(dir: string, name: string): { locations: string[]; ddl: string[]; imports: Record<string, string[]> } {
  const script = `
import ast, json, pathlib, sys, types
polars = types.ModuleType("polars")
polars.__getattr__ = lambda attr: type(attr, (), {})
sys.modules["polars"] = polars
sys.path.insert(0, "src")
from shared.clickhouse.bootstrap import build_ddl, discover_locations, load_location
from shared.clickhouse.config import ClickHouseConfig
assert "dagster" not in sys.modules
config = ClickHouseConfig()
names = discover_locations()
loaded = {n: load_location(n, config) for n in names}
assert "dagster" not in sys.modules, "a clickhouse package imported dagster"
db_map = {loc.name: loc.db_name for loc in loaded.values()}
imports = {}
for path in sorted(pathlib.Path("src", sys.argv[1], "clickhouse").glob("*.py")):
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append("." if node.level else node.module.split(".")[0])
    imports[path.name] = found
print(json.dumps({"locations": names, "ddl": build_ddl([loaded[sys.argv[1]]], config, db_map), "imports": imports}))
`;
  const result = spawnSync('python3', ['-c', script, name], { cwd: dir, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

for (const [label, fixture] of [['tidy example', EXAMPLE], ['messy monorepo', MESSY]] as const) {
  describe(`on the ${label}`, () => {
    describe('dagster-location network_analytics analytics 4002 --clickhouse', () => {
      let dir: string;
      let original: Map<string, Buffer>;
      let afterFirst: Map<string, Buffer>;
      const pkg = 'src/network_analytics/clickhouse';
      before(async () => {
        dir = copyFixture(fixture);
        original = snapshot(dir);
        await runGenerator('app', dir, ['network_analytics', 'analytics', '4002'], { clickhouse: true });
        afterFirst = snapshot(dir);
      });

      it('creates the clickhouse package of phase 3, following the canonical one', () => {
        for (const file of MODULES) assert.ok(exists(dir, `${pkg}/${file}`), file);
        const init = read(dir, `${pkg}/__init__.py`);
        assert.match(init, /^def get_bootstrap_config\(config: ClickHouseConfig\) -> CodeLocationConfig:$/m);
        assert.match(init, /name="network_analytics"/);
        assert.match(init, /^from shared\.clickhouse\.bootstrap import CodeLocationConfig$/m);
        assert.doesNotMatch(init, /underwriting/);
        const registry = read(dir, `${pkg}/asset_registry.py`);
        assert.match(registry, /^DB_NAME = (["'])network_analytics\1$/m);
        assert.match(registry, /^ASSETS: list\[AssetRegistryEntry\] = \[\]$/m, 'a new location has no assets to list');
        const views = read(dir, `${pkg}/summary_views.py`);
        assert.match(views, /^def get_summary_views_ddl\(db_map: dict\[str, str\]\) -> list\[str\]:$/m);
        assert.match(views, /^ {4}return \[\]$/m);
        assert.doesNotMatch(views, /decision_bands|risk_score|dedent/, 'none of the canonical views, nor the import only they used');
      });

      it('keeps the package dagster-free: stdlib, polars, shared and itself only', () => {
        for (const file of MODULES) assert.deepEqual(notBootstrapSafe(read(dir, `${pkg}/${file}`), 'network_analytics'), [], file);
        // The check itself tells an asset module apart.
        assert.deepEqual(notBootstrapSafe(read(dir, 'src/vanguard_wholesale/assets/ingest.py'), 'vanguard_wholesale').sort(), ['dagster', 'httpx']);
      });

      it('is loaded by bootstrap-clickhouse without dagster: a database and no views yet', function () {
        if (!HAS_PYTHON) this.skip();
        const run = bootstrapDryRun(dir, 'network_analytics');
        assert.ok(run.locations.includes('network_analytics'));
        assert.deepEqual(run.ddl, ['CREATE DATABASE IF NOT EXISTS `network_analytics`']);
        for (const [file, modules] of Object.entries(run.imports)) {
          assert.ok(modules.every((m) => m === '.' || STDLIB_MODULES.has(m) || ['polars', 'shared', 'network_analytics'].includes(m)), `${file}: ${modules}`);
        }
      });

      it('adds the COPY lines to Dockerfile.bootstrap after the canonical ones, and the stub once', () => {
        const before = original.get('Dockerfile.bootstrap')!.toString('utf8');
        const text = read(dir, 'Dockerfile.bootstrap');
        assertOnlyAdds(before, text, /network_analytics/);
        const copies = instructions(text).filter((i) => i.keyword === 'COPY').map((i) => i.args);
        const at = copies.indexOf('src/underwriting_ml/clickhouse ./src/underwriting_ml/clickhouse');
        assert.deepEqual(copies.slice(at + 1, at + 3), [
          'src/network_analytics/__init__.py ./src/network_analytics/__init__.py',
          'src/network_analytics/clickhouse ./src/network_analytics/clickhouse',
        ]);
        assert.equal(copies.filter((c) => c === 'src/network_analytics/pyproject.toml ./src/network_analytics/pyproject.toml').length, 1);
      });

      it('adds the package to the paths that trigger the bootstrap image build', () => {
        const step = stepNamed(loadYaml(read(dir, 'bitbucket-pipelines.yml')), 'Build & push dagster-bootstrap');
        const paths: string[] = step.condition.changesets.includePaths;
        assert.equal(paths[paths.indexOf('src/underwriting_ml/clickhouse/**') + 1], 'src/network_analytics/clickhouse/**');
      });

      it('writes the ClickHouse variables into the new env template', () => {
        const keys = read(dir, 'environments/network_analytics.env.template').split(/\r?\n/).filter((l) => /^CLICKHOUSE_/.test(l));
        assert.deepEqual(keys, CLICKHOUSE_KEYS.map((k) => `${k}=`));
      });

      it('changes nothing of its own on a second run', async () => {
        await runGenerator('app', dir, ['network_analytics', 'analytics', '4002'], { clickhouse: true });
        const again = snapshot(dir);
        for (const file of ['Dockerfile.bootstrap', 'environments/network_analytics.env.template', ...MODULES.map((m) => `${pkg}/${m}`)]) {
          assert.ok(again.get(file)!.equals(afterFirst.get(file)!), file);
        }
        const paths: string[] = stepNamed(loadYaml(read(dir, 'bitbucket-pipelines.yml')), 'Build & push dagster-bootstrap').condition.changesets.includePaths;
        assert.equal(paths.filter((p) => p === 'src/network_analytics/clickhouse/**').length, 1);
      });
    });

    describe('dagster-location clickhouse vanguard_wholesale (added later to a location with assets)', () => {
      let dir: string;
      let original: Map<string, Buffer>;
      const pkg = 'src/vanguard_wholesale/clickhouse';
      const text = (file: string) => original.get(file)!.toString('utf8');
      before(async () => {
        dir = copyFixture(fixture);
        original = snapshot(dir);
        await runGenerator('clickhouse', dir, ['vanguard_wholesale']);
      });

      it('lists every asset function of the assets package, with its key and a view name', () => {
        const registry = read(dir, `${pkg}/asset_registry.py`);
        assert.match(registry, /^DB_NAME = (["'])vanguard_wholesale\1$/m);
        assert.deepEqual(registryEntries(registry), [
          ['vanguard/price_sheets', 'price_sheets', 'Currently active Vanguard wholesale price sheets, one row per SKU.'],
          ['vanguard/orders', 'orders', 'Wholesale orders placed through Vanguard in the last 90 days.'],
          ['wholesale_margins', 'wholesale_margins', 'Per-order wholesale margin against the active price sheet.'],
        ]);
      });

      it('writes the entries like the canonical registry does', () => {
        const registry = read(dir, `${pkg}/asset_registry.py`);
        if (fixture === EXAMPLE) {
          assert.match(registry, /^ {4}AssetRegistryEntry\(\n {8}asset_key="vanguard\/orders",\n {8}view_name="orders",\n/m);
        } else {
          assert.match(registry, /^ {4}AssetRegistryEntry\("vanguard\/orders", "orders", "Wholesale orders placed through Vanguard in the last 90 days\."\),$/m);
        }
      });

      it('names the location in get_bootstrap_config, importing only what the bootstrap image has', () => {
        assert.match(read(dir, `${pkg}/__init__.py`), /name="vanguard_wholesale"/);
        for (const file of MODULES) assert.deepEqual(notBootstrapSafe(read(dir, `${pkg}/${file}`), 'vanguard_wholesale'), [], file);
      });

      it('gives bootstrap-clickhouse a view per asset over its Parquet file', function () {
        if (!HAS_PYTHON) this.skip();
        const run = bootstrapDryRun(dir, 'vanguard_wholesale');
        assert.deepEqual(run.locations, ['underwriting_ml', 'vanguard_wholesale']);
        assert.equal(run.ddl[0], 'CREATE DATABASE IF NOT EXISTS `vanguard_wholesale`');
        assert.match(run.ddl[1], /^CREATE OR REPLACE VIEW `vanguard_wholesale`\.`price_sheets` AS SELECT \* FROM file\('\/var\/lib\/clickhouse\/user_files\/dagster\/vanguard_wholesale\/vanguard\/price_sheets\.parquet', 'Parquet'\)/);
        assert.equal(run.ddl.length, 4);
      });

      it('adds the COPY lines to Dockerfile.bootstrap and no second stub', () => {
        const after = read(dir, 'Dockerfile.bootstrap');
        assertOnlyAdds(text('Dockerfile.bootstrap'), after, /vanguard_wholesale/);
        const copies = instructions(after).filter((i) => i.keyword === 'COPY').map((i) => i.args);
        assert.ok(copies.includes('src/vanguard_wholesale/__init__.py ./src/vanguard_wholesale/__init__.py'));
        assert.ok(copies.includes('src/vanguard_wholesale/clickhouse ./src/vanguard_wholesale/clickhouse'));
        assert.equal(copies.filter((c) => c.startsWith('src/vanguard_wholesale/pyproject.toml')).length, 1);
      });

      it('adds its clickhouse path to the bootstrap build trigger, next to the canonical one', () => {
        const after = read(dir, 'bitbucket-pipelines.yml');
        assertOnlyAdds(text('bitbucket-pipelines.yml'), after, /src\/vanguard_wholesale\/clickhouse\/\*\*/);
        const paths: string[] = stepNamed(loadYaml(after), 'Build & push dagster-bootstrap').condition.changesets.includePaths;
        assert.equal(paths[paths.indexOf('src/underwriting_ml/clickhouse/**') + 1], 'src/vanguard_wholesale/clickhouse/**');
      });

      it("adds the canonical template's ClickHouse variables to the location's env template", () => {
        const after = read(dir, 'environments/vanguard_wholesale.env.template');
        assertOnlyAdds(text('environments/vanguard_wholesale.env.template'), after, /CLICKHOUSE_|[Cc]lick[Hh]ouse/);
        const keys = after.split(/\r?\n/).filter((l) => /^[A-Z_]+=/.test(l));
        assert.deepEqual(keys.slice(-4), CLICKHOUSE_KEYS.map((k) => `${k}=`));
        assert.ok(keys.includes('VANGUARD_API_KEY='));
      });

      it('touches no other file', () => {
        const diff = changes(original, snapshot(dir));
        assert.deepEqual(diff.changed, ['Dockerfile.bootstrap', 'bitbucket-pipelines.yml', 'environments/vanguard_wholesale.env.template']);
        assert.deepEqual(diff.added, MODULES.map((m) => `${pkg}/${m}`));
        assert.deepEqual(diff.removed, []);
      });

      it('says ClickHouse is there already on a second run, writes nothing and exits 0', () => {
        const before = snapshot(dir);
        const result = runBin(dir, ['clickhouse', 'vanguard_wholesale', '--force']);
        assert.equal(result.status, 0, result.output);
        assert.match(result.output, /vanguard_wholesale already has ClickHouse/);
        assert.deepEqual(changes(before, snapshot(dir)), { added: [], changed: [], removed: [] });
      });
    });

    describe('dagster-location clickhouse: refusals', () => {
      it('an unknown location: a clear error, exit 1, nothing written', () => {
        const dir = copyFixture(fixture);
        const before = snapshot(dir);
        const result = runBin(dir, ['clickhouse', 'network_analytics', '--force']);
        assert.equal(result.status, 1);
        assert.match(result.stderr, /There is no code location "network_analytics" in this monorepo \(locations: vanguard_wholesale, underwriting_ml\)/);
        assert.deepEqual(changes(before, snapshot(dir)), { added: [], changed: [], removed: [] });
      });

      it('a location that has ClickHouse: says so, exit 0, nothing written', async () => {
        const dir = copyFixture(fixture);
        const before = snapshot(dir);
        const result = runBin(dir, ['clickhouse', 'underwriting', '--force']);
        assert.equal(result.status, 0, result.output);
        assert.match(result.output, /underwriting_ml already has ClickHouse \(src\/underwriting_ml\/clickhouse\/__init__\.py exists\); nothing to do/);
        assert.deepEqual(changes(before, snapshot(dir)), { added: [], changed: [], removed: [] });
      });
    });
  });
}

describe('dagster-location clickhouse vanguard_wholesale when no location has a clickhouse/ package to follow', () => {
  const withoutCanonicalPackage = () => {
    const dir = copyFixture();
    rmSync(join(dir, 'src/underwriting_ml/clickhouse'), { recursive: true });
    return dir;
  };

  it("writes the package from templates over the repo's shared API, and says which lines to add by hand", async () => {
    const dir = withoutCanonicalPackage();
    const result = await runGenerator('clickhouse', dir, ['vanguard_wholesale']);
    const init = read(dir, 'src/vanguard_wholesale/clickhouse/__init__.py');
    assert.match(init, /^from shared\.clickhouse\.bootstrap import CodeLocationConfig$/m);
    assert.match(init, /name="vanguard_wholesale"/);
    assert.deepEqual(registryEntries(read(dir, 'src/vanguard_wholesale/clickhouse/asset_registry.py')).map((e) => e[0]), ['vanguard/price_sheets', 'vanguard/orders', 'wholesale_margins']);
    for (const file of MODULES) assert.deepEqual(notBootstrapSafe(read(dir, `src/vanguard_wholesale/clickhouse/${file}`), 'vanguard_wholesale'), [], file);
    const warnings: string[] = (result.generator as any).ctx.report.warnings;
    assert.ok(warnings.some((w) => w.startsWith('Dockerfile.bootstrap: found no ClickHouse COPY lines to follow')), warnings.join('\n'));
  });

  /** The shared API moved: its classes defined in config.py, bootstrap.py importing them, shared.clickhouse re-exporting all. */
  const apiInConfig = (dir: string) => {
    const shared = join(dir, 'src/shared/clickhouse');
    const bootstrap = read(dir, 'src/shared/clickhouse/bootstrap.py');
    const start = bootstrap.indexOf('@dataclass(frozen=True)\nclass AssetRegistryEntry');
    const end = bootstrap.indexOf('\n\n\ndef discover_locations');
    assert.ok(start > 0 && end > start, 'the example defines the API in bootstrap.py');
    const api = bootstrap.slice(start, end);
    writeFileSync(
      join(shared, 'bootstrap.py'),
      (bootstrap.slice(0, start) + bootstrap.slice(end + 3)).replace(
        'from shared.clickhouse.config import ClickHouseConfig',
        'from shared.clickhouse.config import AssetRegistryEntry, ClickHouseConfig, CodeLocationConfig',
      ),
    );
    const config = read(dir, 'src/shared/clickhouse/config.py').replace('import os\n', 'import os\nfrom collections.abc import Callable\n');
    writeFileSync(join(shared, 'config.py'), `${config}\n\n${api}\n`);
    writeFileSync(join(shared, '__init__.py'), '"""ClickHouse helpers."""\n\nfrom .config import *  # noqa: F403\n');
  };

  it('follows the shared API wherever shared/clickhouse defines it (here config.py, re-exported by the package)', function () {
    const dir = withoutCanonicalPackage();
    apiInConfig(dir);
    const result = runBin(dir, ['clickhouse', 'vanguard_wholesale', '--force']);
    assert.equal(result.status, 0, result.output);
    assert.doesNotMatch(result.output, /An error occured|dagster-location:clickhouse#/);
    const init = read(dir, 'src/vanguard_wholesale/clickhouse/__init__.py');
    assert.match(init, /^from shared\.clickhouse\.config import ClickHouseConfig, CodeLocationConfig$/m);
    assert.match(read(dir, 'src/vanguard_wholesale/clickhouse/asset_registry.py'), /^from shared\.clickhouse\.config import AssetRegistryEntry$/m);
    if (!HAS_PYTHON) return this.skip();
    const run = bootstrapDryRun(dir, 'vanguard_wholesale');
    assert.ok(run.locations.includes('vanguard_wholesale'), run.locations.join(', '));
    assert.match(run.ddl.join('\n'), /vanguard_wholesale/);
  });

  it('imports from shared.clickhouse itself what only its __init__.py provides', async () => {
    const dir = withoutCanonicalPackage();
    apiInConfig(dir);
    // The classes now live in a subpackage, which the package re-exports by name.
    const config = read(dir, 'src/shared/clickhouse/config.py');
    rmSync(join(dir, 'src/shared/clickhouse/config.py'));
    mkdirSync(join(dir, 'src/shared/clickhouse/api'));
    writeFileSync(join(dir, 'src/shared/clickhouse/api/__init__.py'), config);
    writeFileSync(join(dir, 'src/shared/clickhouse/__init__.py'), 'from shared.clickhouse.api import (\n    AssetRegistryEntry,\n    ClickHouseConfig,\n    CodeLocationConfig,\n)\n');
    await runGenerator('clickhouse', dir, ['vanguard_wholesale']);
    assert.match(read(dir, 'src/vanguard_wholesale/clickhouse/__init__.py'), /^from shared\.clickhouse import ClickHouseConfig, CodeLocationConfig$/m);
  });

  it('refuses, writing nothing, when the shared API is not the one the templates import', async () => {
    const dir = withoutCanonicalPackage();
    writeFileSync(join(dir, 'src/shared/clickhouse/bootstrap.py'), '"""Rewritten."""\n');
    const before = snapshot(dir);
    await assert.rejects(runGenerator('clickhouse', dir, ['vanguard_wholesale']), /src\/shared\/clickhouse\/__init__\.py: shared\.clickhouse does not export CodeLocationConfig, AssetRegistryEntry, and no module of src\/shared\/clickhouse\/ defines them\./);
    assert.deepEqual(changes(before, snapshot(dir)), { added: [], changed: [], removed: [] });
  });
});

describe('reading asset definitions from source', () => {
  const scan = (text: string) => scanAssets([{ path: 'src/x/assets/a.py', text }]);

  it('builds keys from key_prefix (string or list), name= and key=, and takes the description or docstring', () => {
    const result = scan(`
import dagster as dg
from dagster import AssetKey, asset

@dg.asset(key_prefix=["raw", "crm"], description="Accounts (as exported)")
def accounts(): ...

@asset(key_prefix='crm', name='contacts_v2')
def contacts():
    """Contacts, deduplicated.

    Longer text."""

@asset
def plain(): ...

@dg.asset(key=AssetKey(["ops", "tickets"]), ins={"a": dg.AssetIn(key=["x", "y"])})
def tickets(a): ...

@dg.asset(description="has (parens) and 'quotes'" " joined")
async def joined(): ...

def helper(): ...
`);
    assert.deepEqual(
      result.assets.map((a) => [a.key, a.view, a.description]),
      [
        ['raw/crm/accounts', 'accounts', 'Accounts (as exported)'],
        ['crm/contacts_v2', 'contacts_v2', 'Contacts, deduplicated.'],
        ['plain', 'plain', undefined],
        ['ops/tickets', 'tickets', undefined],
        ['joined', 'joined', "has (parens) and 'quotes' joined"],
      ],
    );
    assert.deepEqual(result.unread, []);
  });

  it('gives clashing view names the whole key, and reports keys it cannot read and multi-assets', () => {
    const result = scan(`
PREFIX = "p"

@dg.asset(key_prefix="a")
def orders(): ...

@dg.asset(key_prefix="b")
def orders_b(): ...

@dg.asset(key_prefix="b", name="orders")
def orders_c(): ...

@dg.asset(key_prefix=PREFIX)
def dynamic(): ...

@dg.multi_asset(specs=[])
def many(): ...
`);
    assert.deepEqual(result.assets.map((a) => [a.key, a.view]), [
      ['a/orders', 'a_orders'],
      ['b/orders_b', 'orders_b'],
      ['b/orders', 'b_orders'],
    ]);
    assert.deepEqual(result.unread, ['src/x/assets/a.py:13 dynamic (its key is not a literal)', 'src/x/assets/a.py:16 many (a multi-asset: list its assets by hand)']);
  });
});

describe('dagster-location clickhouse on an existing location, in the siblings\' layout', () => {
  /** A copy of the real-world fixture whose wholesale template has a location section, like underwriting's. */
  function withLocationSection(): string {
    const dir = copyFixture(REALWORLD);
    const path = 'environments/vanguard_wholesale.env.template';
    writeFileSync(join(dir, path), `${read(dir, path).trimEnd()}\n\n# --- Location settings ---\nWHOLESALE_FEED_URL=\n`);
    return dir;
  }

  it('puts the ClickHouse block where the sibling has it (before the location section), and the summary asks only for env values', () => {
    const dir = withLocationSection();
    const result = runBin(dir, ['clickhouse', 'vanguard_wholesale', '--force']);
    assert.equal(result.status, 0, result.output);
    const template = read(dir, 'environments/vanguard_wholesale.env.template');
    assert.match(template, /# --- ClickHouse \(also read by bootstrap-clickhouse\) ---\nCLICKHOUSE_HOST=\n[\s\S]*\n\n# --- Location settings ---\nWHOLESALE_FEED_URL=\n$/);
    // The location is deployed already: its Bitbucket variables exist; what the real env file now needs is said.
    assert.doesNotMatch(result.stdout, /SERVICE_IMAGE_NAME_WHOLESALE/);
    assert.match(result.stdout, /\[ \] Add values for CLICKHOUSE_HOST, CLICKHOUSE_PORT, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD to the real env file of vanguard_wholesale/);
  });
});

describe("the canonical's clickhouse/ comments, names vs prose (issue 14)", () => {
  it('renames a comment made of names, and leaves out one about the canonical in words', async () => {
    const dir = copyFixture(EXAMPLE);
    const file = 'src/underwriting_ml/clickhouse/asset_registry.py';
    writeFileSync(join(dir, file), read(dir, file).replace('DB_NAME = ', '# underwriting risk views live here\n# ---- underwriting_ml ----\nDB_NAME = '));
    await runGenerator('app', dir, ['network_analytics', 'analytics', '4002'], { clickhouse: true });
    const copy = read(dir, 'src/network_analytics/clickhouse/asset_registry.py');
    assert.match(copy, /^# ---- network_analytics ----\nDB_NAME = "network_analytics"$/m);
    assert.doesNotMatch(copy, /risk views/);
  });
});
