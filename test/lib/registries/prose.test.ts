import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bakeRegistry } from '../../../lib/registries/bake.js';
import { dockerfileRegistry } from '../../../lib/registries/dockerfile.js';
import { namesInProse } from '../../../lib/registries/prose.js';
import { EXAMPLE } from '../../helpers.js';
import { addInput, fixtureInput } from './helpers.js';

const canonical = () => fixtureInput(EXAMPLE).model.canonical!;
const original = (file: string) => readFileSync(join(EXAMPLE, file), 'utf8');

describe('names vs prose (issue 14)', () => {
  it('tells a name from the location spoken of in words', () => {
    const uw = canonical();
    for (const name of ['# the underwriting_ml code location (port 4001)', '# docker buildx bake dagster-underwriting-ml', '# DAGSTER_BUILD_TAG_UNDERWRITING=latest', '# no mention at all', '# tests/test_underwriting_views.py']) {
      assert.equal(namesInProse(name, uw), false, name);
    }
    for (const prose of ['# underwriting risk models', '# Underwriting ML builder', '# the underwriting ml team', '# UnderwritingMl', '# ---- underwriting (4001) ----']) {
      assert.equal(namesInProse(prose, uw), true, prose);
    }
  });

  describe("the Dockerfile copied from the canonical's", () => {
    const dockerfile = original('Dockerfile.underwriting.ml').replace(
      '# Build from the repo root',
      '# underwriting risk models need the big runner\n# underwriting -- risk models\n# Underwriting ML builder\n# ---- underwriting (4001) ----\n# Build from the repo root',
    );
    const result = dockerfileRegistry.add(undefined, 'Dockerfile.network.analytics', { ...addInput(EXAMPLE, { 'Dockerfile.underwriting.ml': dockerfile }), description: 'Traffic counts per cell' });

    it('leaves out a comment that speaks of the canonical in prose, and says so with its line', () => {
      assert.doesNotMatch(result.text, /risk models|big runner|ML builder/i);
      assert.deepEqual(
        result.leftOut.map((l) => [l.file, l.line, l.what]),
        [
          ['Dockerfile.underwriting.ml', 3, 'comment "# underwriting risk models need the big runner"'],
          ['Dockerfile.underwriting.ml', 5, 'comment "# Underwriting ML builder"'],
        ],
      );
    });

    it('gives a `name -- prose` comment the new description, and renames comments made of names', () => {
      assert.match(result.text, /^# analytics -- Traffic counts per cell$/m);
      assert.match(result.text, /^# ---- analytics \(4002\) ----$/m);
      assert.match(result.text, /^# gRPC code server for the network_analytics code location \(port 4002\)\.$/m);
    });
  });

  it("leaves out the prose comment of the canonical's bake target, even where the siblings have comments", () => {
    const bake = original('docker-bake.hcl')
      .replace('target "dagster-underwriting-ml" {', '# underwriting risk models\ntarget "dagster-underwriting-ml" {\n  // Underwriting: the big runner')
      .replace('target "dagster-vanguard-wholesale" {', '# wholesale pricing\ntarget "dagster-vanguard-wholesale" {');
    const result = bakeRegistry.add(bake, 'docker-bake.hcl', addInput(EXAMPLE, { 'docker-bake.hcl': bake }));
    const block = /target "dagster-network-analytics" \{[\s\S]*?\n\}/.exec(result.text)![0];
    assert.doesNotMatch(result.text.slice(result.text.indexOf('target "dagster-underwriting-ml"') + 10), /analytics risk|big runner[\s\S]*big runner/);
    assert.doesNotMatch(block, /big runner/);
    const line = (text: string) => bake.split('\n').indexOf(text) + 1;
    assert.deepEqual(
      result.leftOut.filter((l) => /risk|runner/.test(l.what)).map((l) => l.line),
      [line('# underwriting risk models'), line('  // Underwriting: the big runner')],
    );
  });
});
