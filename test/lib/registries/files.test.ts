/**
 * The registries of the Dockerfile.bootstrap ClickHouse lines, the alias dicts, and the files a
 * location owns whole (its Dockerfile, env template, package), plus .gitignore.
 */
import assert from 'node:assert/strict';
import { aliasesRegistry } from '../../../lib/registries/aliases.js';
import { bootstrapRegistry } from '../../../lib/registries/bootstrap.js';
import { dockerfileRegistry } from '../../../lib/registries/dockerfile.js';
import { envTemplateRegistry } from '../../../lib/registries/env-template.js';
import { gitignoreRegistry } from '../../../lib/registries/gitignore.js';
import { packageRegistry } from '../../../lib/registries/package.js';
import { EXAMPLE, MESSY, REALWORLD } from '../../helpers.js';
import { addInput, FIXTURES, NEW, registryProperties } from './helpers.js';

const WITH_CLICKHOUSE = { ...NEW, hasClickhouse: true };

describe('registry: Dockerfile.bootstrap ClickHouse lines', () => {
  for (const [label, dir] of FIXTURES) {
    it(`on the ${label}: the canonical's lines for a new ClickHouse location, add/remove inverses, audit iff add`, () => {
      const input = { ...addInput(dir, {}, WITH_CLICKHOUSE), clickhouse: true };
      const text = input.read('Dockerfile.bootstrap')!;
      const added = bootstrapRegistry.add(text, 'Dockerfile.bootstrap', input).text;
      assert.match(added, /^COPY src\/underwriting_ml\/clickhouse .*\nCOPY src\/network_analytics\/__init__\.py .*\nCOPY src\/network_analytics\/clickhouse /m);
      const lines = bootstrapRegistry.footprint(added, 'Dockerfile.bootstrap', WITH_CLICKHOUSE, input);
      assert.equal(lines.length, 2);
      const audited = { ...input, locations: [WITH_CLICKHOUSE] };
      for (const line of lines) {
        const cut = added.slice(0, line.start) + added.slice(line.end);
        assert.equal(bootstrapRegistry.audit(cut, 'Dockerfile.bootstrap', audited).filter((f) => f.location === NEW.names.snake).length, 1);
        // The stub stays; the stubs registry's remove takes it.
        assert.equal(bootstrapRegistry.add(cut, 'Dockerfile.bootstrap', audited).text, added);
      }
      assert.deepEqual(bootstrapRegistry.audit(added, 'Dockerfile.bootstrap', audited), []);
    });

    it(`on the ${label}: no warning about the canonical's stub, which the add copies too`, () => {
      const input = { ...addInput(dir, {}, WITH_CLICKHOUSE), clickhouse: true };
      const { warnings } = bootstrapRegistry.add(input.read('Dockerfile.bootstrap')!, 'Dockerfile.bootstrap', input);
      assert.deepEqual(warnings.filter((w) => /pyproject\.toml/.test(w)), []);
    });
  }

  it('changes nothing for a location without ClickHouse', () => {
    const input = addInput(EXAMPLE);
    const text = input.read('Dockerfile.bootstrap')!;
    assert.equal(bootstrapRegistry.add(text, 'Dockerfile.bootstrap', input).text, text);
  });
});

describe('registry: devtools alias dicts', () => {
  for (const [label, dir] of FIXTURES) {
    for (const file of ['devtools/check_defs.py', 'devtools/dev_local.py']) {
      it(`on the ${label}, ${file}: add/remove are inverses, audit says missing exactly when add would change it`, function () {
        const text = addInput(dir).read(file)!;
        const added = aliasesRegistry.add(text, file, addInput(dir)).text;
        // A dict wrapped for the line limit does not go back on one line by itself.
        if (added.split('\n').length - text.split('\n').length > 1) this.skip();
        registryProperties(aliasesRegistry, dir, file);
      });
    }
  }

  it("wraps a one-line dict that would pass the repo's ruff line-length, and says so", () => {
    const input = addInput(REALWORLD);
    const result = aliasesRegistry.add(input.read('devtools/dev_local.py')!, 'devtools/dev_local.py', input);
    assert.ok(result.text.split('\n').every((line) => line.length <= 100));
    assert.match(result.warnings.join('\n'), /devtools\/dev_local\.py:\d+: the alias dict now takes one entry a line \(on one line it would be \d+ columns, over \[tool\.ruff\] line-length = 100\)/);
  });

  it('refuses a short name another location already has', () => {
    const input = addInput(EXAMPLE, {}, { ...NEW, names: { ...NEW.names, short: 'underwriting' } });
    assert.throws(() => aliasesRegistry.add(input.read('devtools/check_defs.py')!, 'devtools/check_defs.py', input), /short name "underwriting" already maps to underwriting_ml/);
  });
});

describe('registries of the files a location owns whole', () => {
  for (const [label, dir] of FIXTURES) {
    it(`on the ${label}: created when missing, found missing by the audit, kept when present, deleted by remove`, () => {
      const input = addInput(dir);
      const audited = { ...input, locations: [NEW] };
      for (const registry of [dockerfileRegistry, envTemplateRegistry, packageRegistry]) {
        for (const file of registry.files(input, NEW)) {
          assert.ok(registry.audit(undefined, file, audited).length <= 1, `${registry.id} ${file}`);
          const created = registry.add(undefined, file, input);
          assert.ok(!created.noFile, `${registry.id} creates ${file}`);
          assert.equal(registry.add(created.text, file, input).text, created.text);
          assert.deepEqual(registry.audit(created.text, file, audited), []);
          assert.equal(registry.remove(created.text, file, NEW, input), undefined);
        }
      }
      assert.equal(dockerfileRegistry.audit(undefined, NEW.names.dockerfile, audited)[0].location, NEW.names.snake);
    });
  }

  it("writes the env template's header in its siblings' form", () => {
    const input = addInput(REALWORLD);
    const text = envTemplateRegistry.add(undefined, 'environments/network_analytics.env.template', input).text;
    assert.ok(text.startsWith('# network_analytics -- environment for the network_analytics code location\n'), text);
  });

  it("lists as copied only what the canonical's Dockerfile says that no sibling says, however each spells it", () => {
    // The messy Dockerfiles say the same things differently: `EXPOSE 4001/tcp` and `EXPOSE 4000`,
    // one ENV of three variables and three ENVs, `CMD [...]` with and without inner spaces, one COPY
    // of two files and two COPYs. What really differs is the entrypoint: COPY + RUN chmod against
    // COPY --chmod.
    const copied = (dir: string) => dockerfileRegistry.add(undefined, NEW.names.dockerfile, addInput(dir)).leftOut.filter((l) => l.copied).map((l) => l.what.split(' ').slice(0, 2).join(' '));
    assert.deepEqual(copied(MESSY), ['COPY entrypoint.code-location.sh', 'RUN chmod']);
    assert.deepEqual(copied(EXAMPLE), []);
  });

  it('refuses an existing Dockerfile of the new name that serves another port', () => {
    const input = addInput(EXAMPLE);
    const text = input.read('Dockerfile.underwriting.ml')!.replaceAll('underwriting_ml', 'network_analytics').replaceAll('4001', '4999');
    assert.throws(() => dockerfileRegistry.add(text, NEW.names.dockerfile, input), /Dockerfile\.network\.analytics:\d+: exists already and EXPOSEs 4999/);
  });

  it('.gitignore: the shared rule is added once and stays when a location goes', () => {
    const input = addInput(EXAMPLE);
    const text = input.read('.gitignore')!;
    assert.equal(gitignoreRegistry.add(text, '.gitignore', input).text, text);
    assert.match(gitignoreRegistry.add('node_modules/\n', '.gitignore', input).text, /^environments\/\*\.env$/m);
    assert.equal(gitignoreRegistry.remove(text, '.gitignore', NEW, input), text);
  });
});
