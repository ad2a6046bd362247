import assert from 'node:assert/strict';
import { addStub, escapeCharacter, instructions, runsFrozenSync, stubCopies } from '../../../lib/editors/dockerfile.js';
import { stubsRegistry } from '../../../lib/registries/stubs.js';
import { EXAMPLE } from '../../helpers.js';
import { addInput, FIXTURES, NEW, registryProperties } from './helpers.js';

const ESCAPED = [
  '# escape=`',
  'FROM ghcr.io/astral-sh/uv:python3.13-bookworm-slim AS builder',
  'COPY src/shared/pyproject.toml `',
  '     src/shared/pyproject.toml',
  'COPY src/underwriting_ml/pyproject.toml `',
  '     src/underwriting_ml/pyproject.toml',
  'RUN --mount=type=cache,target=/root/.cache/uv `',
  '    uv sync --frozen --no-install-workspace --package underwriting-ml',
  '',
].join('\r\n');

describe('registry: member stubs of every Dockerfile that runs uv sync --frozen', () => {
  for (const [label, dir] of FIXTURES) {
    for (const file of ['Dockerfile.vanguard.wholesale', 'Dockerfile.underwriting.ml', 'Dockerfile.bootstrap']) {
      it(`on the ${label}, ${file}: add/remove are inverses, audit says missing exactly when add would change it`, () => {
        registryProperties(stubsRegistry, dir, file);
      });
    }
  }

  it('reads a Dockerfile with `# escape=`` as BuildKit does', () => {
    assert.equal(escapeCharacter(ESCAPED), '`');
    assert.ok(runsFrozenSync(ESCAPED));
    assert.deepEqual(stubCopies(ESCAPED).map((s) => s.member), ['shared', 'underwriting_ml']);
    assert.equal(instructions(ESCAPED).length, 4);
    // Without the directive the backtick continues nothing.
    assert.ok(!runsFrozenSync(ESCAPED.replace('# escape=`\r\n', '')));
  });

  it('adds the stub to a backtick file in its own continuation style and line endings', () => {
    const result = addStub(ESCAPED, 'network_analytics', 'Dockerfile.x');
    assert.equal(
      result,
      ESCAPED.replace('     src/underwriting_ml/pyproject.toml\r\n', '     src/underwriting_ml/pyproject.toml\r\nCOPY src/network_analytics/pyproject.toml `\r\n     src/network_analytics/pyproject.toml\r\n'),
    );
  });

  it('adds a stub to every stage that copies stubs', () => {
    const text = 'FROM a AS one\nCOPY src/shared/pyproject.toml ./src/shared/pyproject.toml\nRUN uv sync --frozen\nFROM b AS two\nCOPY src/shared/pyproject.toml ./src/shared/pyproject.toml\nRUN uv sync --frozen\n';
    const result = stubsRegistry.add(text, 'Dockerfile.x', addInput(EXAMPLE)).text;
    assert.equal(stubCopies(result).filter((s) => s.member === NEW.names.snake).map((s) => s.stage).join(), '0,1');
  });

  it('refuses a file that runs uv sync --frozen without a stub to follow', () => {
    assert.throws(() => addStub('FROM a\nRUN uv sync --frozen\n', 'x', 'Dockerfile.x'), /Dockerfile\.x: runs `uv sync --frozen` but copies no member/);
  });
});
