import assert from 'node:assert/strict';
import { bakeProblems, bakeRegistry } from '../../../lib/registries/bake.js';
import { EXAMPLE } from '../../helpers.js';
import { addInput, FIXTURES, registryProperties } from './helpers.js';

const add = (text: string) => bakeRegistry.add(text, 'docker-bake.hcl', addInput(EXAMPLE));

const BAKE = `variable "REGISTRY" {
  default = "registry.plan.com:5000"
}

variable "DAGSTER_BUILD_TAG_WHOLESALE" {
  default = "latest"
}

variable "DAGSTER_BUILD_TAG_UNDERWRITING" {
  default = "latest"
}

function "tag" {
  params = [image, version]
  result = "\${REGISTRY}/\${image}:\${version}"
}

group "default" {
  targets = ["dagster-vanguard-wholesale", "dagster-underwriting-ml"]
}

group "all" {
  targets = [
    "dagster-vanguard-wholesale",
    "dagster-underwriting-ml",
    "dagster-bootstrap",
  ]
}

target "_common" {
  context = "."
}

target "dagster-vanguard-wholesale" {
  inherits   = ["_common"]
  dockerfile = "Dockerfile.vanguard.wholesale"
  tags       = [tag("dagster-vanguard-wholesale", DAGSTER_BUILD_TAG_WHOLESALE)]
  labels = {
    "org.opencontainers.image.description" = "Vanguard wholesale pricing"
  }
}

target "dagster-underwriting-ml" {
  inherits   = ["_common"]
  dockerfile = "Dockerfile.underwriting.ml"
  tags       = [tag("dagster-underwriting-ml", DAGSTER_BUILD_TAG_UNDERWRITING)]
  shm-size   = "2g"
  labels = {
    "org.opencontainers.image.description" = "Underwriting risk models"
  }
}

target "dagster-bootstrap" {
  inherits   = ["_common"]
  dockerfile = "Dockerfile.bootstrap"
}
`;

describe('registry: docker-bake.hcl', () => {
  for (const [label, dir] of FIXTURES) {
    it(`on the ${label}: add/remove are inverses, audit says missing exactly when add would change the file`, () => {
      registryProperties(bakeRegistry, dir, 'docker-bake.hcl');
    });
  }

  it('adds the target, its tag variable and its place in every group; the file still evaluates', () => {
    assert.deepEqual(bakeProblems(BAKE), []);
    const result = add(BAKE);
    assert.deepEqual(bakeProblems(result.text), []);
    assert.match(result.text, /variable "DAGSTER_BUILD_TAG_UNDERWRITING" \{\n {2}default = "latest"\n\}\n\nvariable "DAGSTER_BUILD_TAG_ANALYTICS" \{\n {2}default = "latest"\n\}\n/);
    assert.match(result.text, /targets = \["dagster-vanguard-wholesale", "dagster-underwriting-ml", "dagster-network-analytics"\]/);
    assert.match(result.text, / {4}"dagster-underwriting-ml",\n {4}"dagster-network-analytics",\n {4}"dagster-bootstrap",/);
    assert.match(result.text, /tags {7}= \[tag\("dagster-network-analytics", DAGSTER_BUILD_TAG_ANALYTICS\)\]/);
  });

  it("leaves out what only the canonical's target sets, and gives it the new location's description", () => {
    const result = add(BAKE);
    const block = /target "dagster-network-analytics" \{[\s\S]*?\n\}/.exec(result.text)![0];
    assert.doesNotMatch(block, /shm-size|nderwriting/);
    assert.match(block, /"org\.opencontainers\.image\.description" = "Network analytics"/);
    assert.deepEqual(result.leftOut.map((l) => l.what), ['shm-size of target "dagster-underwriting-ml"']);
  });

  it('writes the description as a literal string: a ${ or %{ in it is not a template to bake', () => {
    const result = bakeRegistry.add(BAKE, 'docker-bake.hcl', { ...addInput(EXAMPLE), description: 'Costs in ${EUR} and %{ if x }' });
    assert.match(result.text, /"org\.opencontainers\.image\.description" = "Costs in \$\$\{EUR\} and %%\{ if x \}"/);
    assert.deepEqual(bakeProblems(result.text), []);
  });

  it('reads what bake would refuse: undeclared variables, unknown functions, groups and inherits, a target twice', () => {
    const broken = BAKE.replace('variable "DAGSTER_BUILD_TAG_WHOLESALE" {\n  default = "latest"\n}\n\n', '')
      .replace('function "tag"', 'function "tagged"')
      .replace('"dagster-bootstrap",\n  ]', '"dagster-bootstrap",\n    "dagster-gone",\n  ]')
      .replace('inherits   = ["_common"]\n  dockerfile = "Dockerfile.bootstrap"', 'inherits   = ["_base"]\n  dockerfile = "Dockerfile.bootstrap"')
      .concat('\ntarget "dagster-bootstrap" {\n}\n');
    const messages = bakeProblems(broken).map((p) => p.message);
    assert.ok(messages.some((m) => /no variable "DAGSTER_BUILD_TAG_WHOLESALE"/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /calls tag\(\), which is not defined/.test(m)));
    assert.ok(messages.some((m) => /lists "dagster-gone", which is no target or group/.test(m)));
    assert.ok(messages.some((m) => /inherits "_base", which is no target/.test(m)));
    assert.ok(messages.some((m) => /target "dagster-bootstrap" is defined twice/.test(m)));
  });

  it('audits a missing variable block and a missing group membership at the canonical line', () => {
    const drifted = BAKE.replace('variable "DAGSTER_BUILD_TAG_WHOLESALE" {\n  default = "latest"\n}\n\n', '').replace('    "dagster-vanguard-wholesale",\n    "dagster-underwriting-ml",\n    "dagster-bootstrap"', '    "dagster-underwriting-ml",\n    "dagster-bootstrap"');
    const all = bakeRegistry.audit(drifted, 'docker-bake.hcl', addInput(EXAMPLE));
    const findings = all.filter((f) => f.location === 'vanguard_wholesale');
    assert.deepEqual(findings.map((f) => [f.line, f.fixable]), [[5, true], [20, true]]);
    // The evaluation sees the same drift: the target uses a variable no block declares.
    assert.ok(all.some((f) => !f.fixable && /no variable "DAGSTER_BUILD_TAG_WHOLESALE"/.test(f.problem)));
    assert.match(findings[0].problem, /variable "DAGSTER_BUILD_TAG_UNDERWRITING"/);
    assert.match(findings[1].problem, /group "all" targets/);
  });

  it('refuses a target of the new name that builds another Dockerfile, and keeps one that builds its own', () => {
    const clash = `${BAKE}\ntarget "dagster-network-analytics" {\n  dockerfile = "Dockerfile.other"\n}\n`;
    assert.throws(() => add(clash), /docker-bake\.hcl:\d+: target "dagster-network-analytics" exists already with dockerfile = "Dockerfile\.other"/);
    const same = add(add(BAKE).text);
    assert.equal(same.text, add(BAKE).text);
  });
});
