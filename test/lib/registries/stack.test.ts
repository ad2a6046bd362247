import assert from 'node:assert/strict';
import { stackRegistry } from '../../../lib/registries/stack.js';
import { EXAMPLE, MESSY, REALWORLD } from '../../helpers.js';
import { addInput, assertAuditAgreesWithAdd, assertNoCanonicalVariant, NEW, yamlJs } from './yaml-fixture.js';

const FILE = 'docker-stack.yml';
const IMAGE = '${DAGSTER_PLAN_REGISTRY:-registry.plan.com:5000}/dagster-network-analytics:${DAGSTER_BUILD_TAG_ANALYTICS:-latest}';

/** A Swarm stack whose siblings share `deploy: *deploy` while the canonical sizes its own. */
const STACK = `
version: "3.8"

x-deploy: &deploy
  replicas: 1
  restart_policy:
    condition: on-failure
    delay: 10s

x-location: &location
  volumes:
    - dagster_mount_storage:/opt/dagster/shared-data
  networks: [dagster]

services:
  vanguard_wholesale:
    <<: *location
    image: \${DAGSTER_PLAN_REGISTRY:-registry.plan.com:5000}/dagster-vanguard-wholesale:\${DAGSTER_BUILD_TAG_WHOLESALE:-latest}
    environment:
      DAGSTER_CURRENT_IMAGE: \${DAGSTER_PLAN_REGISTRY:-registry.plan.com:5000}/dagster-vanguard-wholesale:\${DAGSTER_BUILD_TAG_WHOLESALE:-latest}
    deploy: *deploy

  underwriting_ml:
    <<: *location
    image: \${DAGSTER_PLAN_REGISTRY:-registry.plan.com:5000}/dagster-underwriting-ml:\${DAGSTER_BUILD_TAG_UNDERWRITING:-latest}
    environment:
      DAGSTER_CURRENT_IMAGE: \${DAGSTER_PLAN_REGISTRY:-registry.plan.com:5000}/dagster-underwriting-ml:\${DAGSTER_BUILD_TAG_UNDERWRITING:-latest}
      RISK_MODEL_CACHE: /opt/dagster/shared-data/underwriting_ml/models
    stop_grace_period: 2m
    deploy:
      <<: *deploy
      resources:
        limits:
          memory: 6G  # the code server loads the risk models at import time

  dagster_webserver:
    image: \${DAGSTER_PLAN_REGISTRY:-registry.plan.com:5000}/dagster-platform:1.12
    deploy: *deploy

volumes:
  dagster_mount_storage: {}

networks:
  dagster:
    external: true
`.slice(1);

/** The same stack with the canonical as the only location. */
const ALONE = STACK.replace(/ {2}vanguard_wholesale:[^]*?\n\n/, '');

function add(text: string) {
  return stackRegistry.add(text, FILE, addInput(EXAMPLE, { [FILE]: text }));
}

describe('registry: docker-stack.yml', () => {
  it("follows the siblings' shared pattern, not the canonical's particulars, and lists what it left out", () => {
    const result = add(STACK);
    const service = yamlJs(result.text).services.network_analytics;
    assert.equal(service.image, IMAGE);
    assert.deepEqual(service.environment, { DAGSTER_CURRENT_IMAGE: IMAGE });
    assert.deepEqual(service.deploy, { replicas: 1, restart_policy: { condition: 'on-failure', delay: '10s' } });
    assert.equal(service.stop_grace_period, undefined);
    assert.match(result.text, /\n {2}network_analytics:\n {4}<<: \*location\n {4}image: .*\n {4}environment:\n {6}DAGSTER_CURRENT_IMAGE: .*\n {4}deploy: \*deploy\n\n {2}dagster_webserver:/);
    assert.deepEqual(
      result.leftOut.map((l) => [l.line, l.what]),
      [
        [27, 'underwriting_ml.environment.RISK_MODEL_CACHE: /opt/dagster/shared-data/underwriting_ml/models'],
        [28, 'underwriting_ml.stop_grace_period: 2m'],
        [33, 'underwriting_ml.deploy.resources.limits.memory: 6G'],
      ],
    );
    assert.match(result.leftOut[2].why, /share deploy: \*deploy/);
    assert.ok(result.leftOut.every((l) => l.file === FILE));
    assertNoCanonicalVariant(STACK, result.text);
  });

  it('copies the canonical whole where it is the only location, and lists the values that look particular', () => {
    const result = add(ALONE);
    const service = yamlJs(result.text).services.network_analytics;
    assert.equal(service.deploy.resources.limits.memory, '6G');
    assert.equal(service.environment.RISK_MODEL_CACHE, '/opt/dagster/shared-data/network_analytics/models');
    assert.deepEqual(result.leftOut.map((l) => l.what), ['underwriting_ml.deploy.resources.limits.memory: 6G']);
    assert.match(result.leftOut[0].why, /only location/);
    assertNoCanonicalVariant(ALONE, result.text);
  });

  it("writes the guide's service in the siblings' indentation when the canonical has none", () => {
    const without = STACK.replace(/ {2}underwriting_ml:[^]*?\n\n/, '');
    const result = add(without);
    const service = yamlJs(result.text).services.network_analytics;
    assert.equal(service.image, IMAGE);
    assert.deepEqual(service.networks, ['dagster']);
    assert.match(result.text, /deploy: \*deploy\n\n {2}network_analytics:\n {4}image: /);
  });

  it('on the three fixtures: the new service; on the real-world one without the memory limit', () => {
    for (const dir of [EXAMPLE, MESSY, REALWORLD]) {
      const input = addInput(dir);
      const before = input.read(FILE)!;
      const result = stackRegistry.add(before, FILE, input);
      const service = yamlJs(result.text).services.network_analytics;
      assert.equal(service.image, IMAGE, dir);
      if (dir === REALWORLD) {
        assert.equal(service.deploy.resources, undefined);
        assert.ok(result.leftOut.some((l) => /memory: 6G/.test(l.what)));
      } else assert.deepEqual(result.leftOut, []);
      assertNoCanonicalVariant(before, result.text);
      assert.equal(stackRegistry.remove(result.text, FILE, NEW, input), before, `${dir}: add then remove`);
      assert.equal(stackRegistry.add(result.text, FILE, input).text, result.text, `${dir}: a second add changes nothing`);
    }
  });

  it('audit says missing exactly when add would change the file (example, messy, real-world, in-test)', () => {
    let cases = 0;
    for (const dir of [EXAMPLE, MESSY, REALWORLD]) cases += assertAuditAgreesWithAdd(stackRegistry, dir, FILE);
    cases += assertAuditAgreesWithAdd(stackRegistry, EXAMPLE, FILE, { [FILE]: STACK });
    assert.ok(cases >= 8, `${cases} cases`);
  });
});
