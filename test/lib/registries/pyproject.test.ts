import assert from 'node:assert/strict';
import { pyprojectRegistry } from '../../../lib/registries/pyproject.js';
import { EXAMPLE } from '../../helpers.js';
import { addInput, FIXTURES, NEW, registryProperties } from './helpers.js';

const add = (text: string) => pyprojectRegistry.add(text, 'pyproject.toml', addInput(EXAMPLE));

describe('registry: root pyproject.toml', () => {
  for (const [label, dir] of FIXTURES) {
    it(`on the ${label}: add/remove are inverses, audit says missing exactly when add would change the file`, () => {
      registryProperties(pyprojectRegistry, dir, 'pyproject.toml');
    });
  }

  it('extends every list and table that mentions the canonical, and nothing else', () => {
    const text = [
      '[project]',
      'name = "x"',
      'dependencies = ["shared", "vanguard-wholesale", "underwriting-ml"]',
      '',
      '[tool.uv.workspace]',
      'members = ["src/shared", "src/vanguard_wholesale", "src/underwriting_ml"]',
      '',
      '[tool.uv.sources]',
      'shared             = { workspace = true }',
      'vanguard-wholesale = { workspace = true }',
      'underwriting-ml    = { workspace = true }',
      '',
      '[tool.coverage.run]',
      'source_pkgs = ["shared", "vanguard_wholesale", "underwriting_ml"]',
      '',
      '[tool.ruff.lint.isort]',
      'known-first-party = [',
      '    "shared",',
      '    "vanguard_wholesale",  # :4000',
      '    "underwriting_ml",     # :4001',
      '    "tests",',
      ']',
      '',
      '[dependency-groups]',
      'docs = ["mkdocs", "docs-underwriting"]',
      '',
    ].join('\n');
    const result = add(text);
    assert.equal(
      result.text,
      text
        .replace('"underwriting-ml"]', '"underwriting-ml", "network-analytics"]')
        .replace('"src/underwriting_ml"]', '"src/underwriting_ml", "src/network_analytics"]')
        .replace('underwriting-ml    = { workspace = true }', 'underwriting-ml    = { workspace = true }\nnetwork-analytics  = { workspace = true }')
        .replace('"vanguard_wholesale", "underwriting_ml"]', '"vanguard_wholesale", "underwriting_ml", "network_analytics"]')
        .replace('    "underwriting_ml",     # :4001\n', '    "underwriting_ml",     # :4001\n    "network_analytics",   # :4002\n'),
    );
    assert.deepEqual(result.warnings, []);
  });

  it('keeps a sorted array sorted and leaves a glob of members alone', () => {
    const text = '[tool.uv.workspace]\nmembers = ["src/*"]\n\n[tool.coverage.run]\nsource_pkgs = ["shared", "underwriting_ml", "vanguard_wholesale"]\n';
    assert.equal(add(text).text, text.replace('["shared", "underwriting_ml"', '["network_analytics", "shared", "underwriting_ml"'));
  });

  it('reports a mention it does not copy, with file:line, and a comment of the canonical alone as left out', () => {
    const text = '# underwriting_ml is the canonical example\n[tool.uv.workspace]\nmembers = ["src/shared", "src/vanguard_wholesale", "src/underwriting_ml"]\n\n[tool.x]\nboth = "underwriting_ml and vanguard_wholesale"\n';
    const result = add(text);
    assert.deepEqual(result.leftOut.map((l) => [l.file, l.line]), [['pyproject.toml', 1]]);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0], /^pyproject\.toml:6: .*not replicated because it also names vanguard_wholesale/);
  });

  it('refuses a uv source the new location already has with another meaning, naming its line', () => {
    const text = '[tool.uv.workspace]\nmembers = ["src/shared", "src/vanguard_wholesale", "src/underwriting_ml"]\n\n[tool.uv.sources]\nunderwriting-ml = { workspace = true }\nnetwork-analytics = { path = "../elsewhere" }\n';
    assert.throws(() => add(text), /pyproject\.toml:6: .*network-analytics.*another value/);
  });

  it('keeps a uv source the new location already has with the same meaning', () => {
    const text = '[tool.uv.sources]\nunderwriting-ml = { workspace = true }\nnetwork-analytics = { workspace = true }\n';
    assert.equal(add(text).text, text);
    assert.deepEqual(pyprojectRegistry.footprint(text, 'pyproject.toml', NEW, addInput(EXAMPLE)).map((c) => c.line), [3]);
  });

  it('writes a uv source as a sub-table when the siblings are, and remove takes it out again byte for byte', () => {
    const text = '[tool.uv.workspace]\nmembers = ["src/shared", "src/vanguard_wholesale", "src/underwriting_ml"]\n\n[tool.uv.sources.shared]\nworkspace = true\n\n[tool.uv.sources.vanguard-wholesale]\nworkspace = true\n\n[tool.uv.sources.underwriting-ml]\nworkspace = true\n\n[tool.ruff]\nline-length = 100\n';
    const result = add(text);
    assert.equal(result.text, text.replace('[tool.uv.sources.underwriting-ml]\nworkspace = true\n', '[tool.uv.sources.underwriting-ml]\nworkspace = true\n\n[tool.uv.sources.network-analytics]\nworkspace = true\n').replace('"src/underwriting_ml"]', '"src/underwriting_ml", "src/network_analytics"]'));
    assert.equal(add(result.text).text, result.text);
    assert.equal(pyprojectRegistry.remove(result.text, 'pyproject.toml', NEW, addInput(EXAMPLE)), text);
  });
});
