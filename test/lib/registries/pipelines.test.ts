import assert from 'node:assert/strict';
import { EditError } from '../../../lib/editors/text.js';
import { pipelinesRegistry } from '../../../lib/registries/pipelines.js';
import type { AddInput } from '../../../lib/registries/registry.js';
import { EXAMPLE, MESSY, REALWORLD } from '../../helpers.js';
import { addInput, assertAuditAgreesWithAdd, assertNoCanonicalVariant, NEW, newLines, yamlJs } from './yaml-fixture.js';

const FILE = 'bitbucket-pipelines.yml';

/**
 * Pipelines in the structures real ones use: a header documenting each location's repository
 * variable, a shared step merged with `<<:`, a tests step whose includePaths name the locations
 * (and files that only contain the canonical's port or short name), build and deploy steps,
 * parallel groups, a stage, a second branch pipeline, per-location custom pipelines, and a
 * custom pipeline that names both locations in one step.
 */
const PIPELINES = `
# CI/CD: build the images whose files changed, then roll their Swarm services.
#
# Repository variables:
#   REGISTRY, REGISTRY_USER, REGISTRY_PASSWORD
#   SERVICE_IMAGE_NAME_WHOLESALE    = dagster-vanguard-wholesale
#   SERVICE_IMAGE_NAME_UNDERWRITING = dagster-underwriting-ml
#   SERVICE_IMAGE_NAME_BOOTSTRAP    = dagster-bootstrap
image: atlassian/default-image:4

definitions:
  docker-step: &docker-step
    services: [docker]
    caches: [docker]

  steps:
    - step: &run-tests
        name: Tests
        condition:
          changesets:
            includePaths:
              - "src/vanguard_wholesale/**"
              - "src/underwriting_ml/**"
              - "src/shared/**"
              - "docs/adr-4001-clickhouse.md"
              - "tests/test_underwriting_views.py"
        script:
          - uv run pytest

    - step: &build-push-vanguard_wholesale
        <<: *docker-step
        name: Build & push dagster-vanguard-wholesale
        condition:
          changesets:
            includePaths: ["src/vanguard_wholesale/**", "Dockerfile.vanguard.wholesale", "uv.lock"]
        script:
          - docker build -f Dockerfile.vanguard.wholesale -t "$REGISTRY/$SERVICE_IMAGE_NAME_WHOLESALE:$BITBUCKET_COMMIT" .
          - echo "export DAGSTER_BUILD_TAG_WHOLESALE=$BITBUCKET_COMMIT" > build-tags/vanguard_wholesale.env

    - step: &build-push-underwriting_ml
        <<: *docker-step
        name: Build & push dagster-underwriting-ml
        condition:
          changesets:
            includePaths: ["src/underwriting_ml/**", "Dockerfile.underwriting.ml", "uv.lock"]
        script:
          - docker build -f Dockerfile.underwriting.ml -t "$REGISTRY/$SERVICE_IMAGE_NAME_UNDERWRITING:$BITBUCKET_COMMIT" .
          - echo "export DAGSTER_BUILD_TAG_UNDERWRITING=$BITBUCKET_COMMIT" > build-tags/underwriting_ml.env

    - step: &deploy-vanguard_wholesale
        name: Deploy vanguard_wholesale
        script:
          - ssh "$SWARM_MANAGER_HOST" "docker service update --image $REGISTRY/$SERVICE_IMAGE_NAME_WHOLESALE:$BITBUCKET_COMMIT dagster_vanguard_wholesale"

    - step: &deploy-underwriting_ml
        name: Deploy underwriting_ml
        script:
          - ssh "$SWARM_MANAGER_HOST" "docker service update --image $REGISTRY/$SERVICE_IMAGE_NAME_UNDERWRITING:$BITBUCKET_COMMIT dagster_underwriting_ml"

pipelines:
  branches:
    main:
      - step: *run-tests
      - parallel:
          steps:
            - step: *build-push-vanguard_wholesale
            - step: *build-push-underwriting_ml
      - stage:
          name: deploy-code-location-stage
          deployment: production
          steps:
            - step: *deploy-vanguard_wholesale
            - step: *deploy-underwriting_ml
    release/*:
      - parallel:
          steps:
            - step: *build-push-vanguard_wholesale
            - step: *build-push-underwriting_ml

  custom:
    deploy-vanguard_wholesale:
      - step: *build-push-vanguard_wholesale
      - step: *deploy-vanguard_wholesale

    # Rolls underwriting_ml alone (its models are retrained weekly).
    deploy-underwriting_ml:
      - step: *build-push-underwriting_ml
      - step: *deploy-underwriting_ml

    nightly:
      - step:
          name: Smoke test underwriting_ml and vanguard_wholesale
          script:
            - ./smoke.sh underwriting_ml vanguard_wholesale
`.slice(1);

function add(text: string, onDisk?: string): ReturnType<typeof pipelinesRegistry.add> {
  const input: AddInput = { ...addInput(EXAMPLE, { [FILE]: text }), onDisk: onDisk === undefined ? undefined : (p) => (p === FILE ? onDisk : undefined) };
  return pipelinesRegistry.add(text, FILE, input);
}

const steps = (js: any) => js.definitions.steps.map((s: any) => s.step);
const names = (list: any[]) => list.map((s: any) => s.step.name);

describe('registry: bitbucket-pipelines.yml', () => {
  let result: ReturnType<typeof add>;
  let js: any;
  before(() => {
    result = add(PIPELINES);
    js = yamlJs(result.text);
  });

  it('copies the build and deploy steps, each after its siblings, renamed in every variant', () => {
    const anchors = [...result.text.matchAll(/^ *- step: &(\S+)/gm)].map((m) => m[1]);
    assert.deepEqual(anchors, ['run-tests', 'build-push-vanguard_wholesale', 'build-push-underwriting_ml', 'build-push-network_analytics', 'deploy-vanguard_wholesale', 'deploy-underwriting_ml', 'deploy-network_analytics']);
    const build = steps(js).find((s: any) => s.name === 'Build & push dagster-network-analytics');
    assert.deepEqual(build.services, ['docker'], 'the <<: *docker-step merge resolves');
    assert.deepEqual(build.condition.changesets.includePaths, ['src/network_analytics/**', 'Dockerfile.network.analytics', 'uv.lock']);
    assert.match(build.script.join('\n'), /SERVICE_IMAGE_NAME_ANALYTICS:\$BITBUCKET_COMMIT.*\n.*DAGSTER_BUILD_TAG_ANALYTICS=\$BITBUCKET_COMMIT" > build-tags\/network_analytics\.env/);
    assertNoCanonicalVariant(PIPELINES, result.text);
  });

  it('references the new steps wherever the canonical steps are: parallel groups, the stage, another branch', () => {
    const main = js.pipelines.branches.main;
    assert.deepEqual(names(main[1].parallel.steps), ['Build & push dagster-vanguard-wholesale', 'Build & push dagster-underwriting-ml', 'Build & push dagster-network-analytics']);
    assert.deepEqual(names(main[2].stage.steps), ['Deploy vanguard_wholesale', 'Deploy underwriting_ml', 'Deploy network_analytics']);
    assert.deepEqual(names(js.pipelines.branches['release/*'][0].parallel.steps).at(-1), 'Build & push dagster-network-analytics');
  });

  it("creates the new location's own custom pipeline and leaves the canonical's alone", () => {
    const { custom } = js.pipelines;
    assert.deepEqual(Object.keys(custom), ['deploy-vanguard_wholesale', 'deploy-underwriting_ml', 'deploy-network_analytics', 'nightly']);
    assert.deepEqual(names(custom['deploy-network_analytics']), ['Build & push dagster-network-analytics', 'Deploy network_analytics']);
    assert.deepEqual(names(custom['deploy-underwriting_ml']), ['Build & push dagster-underwriting-ml', 'Deploy underwriting_ml']);
    // The canonical's prose comment is its own: not renamed onto the copy.
    assert.doesNotMatch(result.text, /Rolls network_analytics|network_analytics alone/);
  });

  it("adds the new location's path to includePaths of other steps by the mention rule only", () => {
    const tests = steps(js).find((s: any) => s.name === 'Tests');
    assert.deepEqual(tests.condition.changesets.includePaths, [
      'src/vanguard_wholesale/**',
      'src/underwriting_ml/**',
      'src/network_analytics/**',
      'src/shared/**',
      'docs/adr-4001-clickhouse.md',
      'tests/test_underwriting_views.py',
    ]);
    assert.doesNotMatch(newLines(PIPELINES, result.text).join('\n'), /adr-4002|test_analytics_views/);
  });

  it('documents the new repository variable in the header, one line per location, `=` aligned', () => {
    assert.match(result.text, /^# {3}SERVICE_IMAGE_NAME_UNDERWRITING = dagster-underwriting-ml\n# {3}SERVICE_IMAGE_NAME_ANALYTICS {4}= dagster-network-analytics\n# {3}SERVICE_IMAGE_NAME_BOOTSTRAP/m);
  });

  it('names, with the line on disk, the mentions it could not replicate', () => {
    assert.deepEqual(result.warnings.map((w) => w.replace(/ because .*/, '')), [
      `${FILE}:91: pipelines.custom.nightly.0.step.name: Smoke test underwriting_ml and vanguard_wholesale names underwriting_ml; not replicated for network_analytics`,
      `${FILE}:93: the list item ./smoke.sh underwriting_ml vanguard_wholesale names underwriting_ml; not replicated for network_analytics`,
    ]);
    assert.match(result.warnings[0], /because that entry also names vanguard_wholesale\.$/);
    // An earlier phase of the run added lines above: the warnings still name the lines on disk.
    const staged = PIPELINES.replace('              - "src/shared/**"\n', '              - "src/shared/**"\n              - "src/network_analytics/clickhouse/**"\n              - "src/extra/**"\n');
    const again = add(staged, PIPELINES);
    assert.deepEqual(again.warnings.map((w) => w.split(': ')[0]), [`${FILE}:91`, `${FILE}:93`]);
  });

  it('refuses, naming the line, an unrelated step that already owns &build-push-network_analytics', () => {
    const taken = PIPELINES.replace(
      '    - step: &deploy-vanguard_wholesale',
      '    - step: &build-push-network_analytics\n        name: Lint notebooks\n        script:\n          - ruff check notebooks/\n\n    - step: &deploy-vanguard_wholesale',
    );
    assert.throws(() => add(taken), (error: EditError) => {
      assert.equal(error.name, 'EditError');
      assert.match(error.message, /^bitbucket-pipelines\.yml:49: .*build-push-network_analytics.* already exists for network_analytics with another meaning/);
      return true;
    });
    // Staged by an earlier phase with two more lines above it: the line on disk is named.
    const staged = taken.replace('              - "src/shared/**"\n', '              - "src/shared/**"\n              - "src/a/**"\n              - "src/b/**"\n');
    assert.throws(() => add(staged, taken), /^EditError: bitbucket-pipelines\.yml:49: /);
  });

  it('refuses an anchor the new step needs when another node defines it, naming that line', () => {
    const taken = PIPELINES.replace('  docker-step: &docker-step\n', '  deploy-alias: &deploy-network_analytics {name: other}\n  docker-step: &docker-step\n');
    assert.throws(() => add(taken), /bitbucket-pipelines\.yml:11: the anchor &deploy-network_analytics/);
  });

  it('on the three fixtures: steps, references, custom pipeline (real-world), no stray copies', () => {
    for (const dir of [EXAMPLE, MESSY, REALWORLD]) {
      const input = addInput(dir);
      const before = input.read(FILE)!;
      const after = pipelinesRegistry.add(before, FILE, input);
      const parsed = yamlJs(after.text);
      assert.ok(steps(parsed).some((s: any) => s.name === 'Deploy network_analytics'), dir);
      if (dir === REALWORLD) {
        assert.ok(parsed.pipelines.custom['deploy-network_analytics']);
        assert.deepEqual(parsed.pipelines.custom['deploy-underwriting_ml'], yamlJs(before).pipelines.custom['deploy-underwriting_ml']);
        assert.ok(after.leftOut.some((l) => /adr-4001/.test(l.what)), 'the ADR path is listed as left out');
      }
      assertNoCanonicalVariant(before, after.text);
      assert.equal(pipelinesRegistry.remove(after.text, FILE, NEW, input), before, `${dir}: add then remove`);
      assert.equal(pipelinesRegistry.add(after.text, FILE, input).text, after.text, `${dir}: a second add changes nothing`);
    }
  });

  it('audit says missing exactly when add would change the file (example, messy, real-world, in-test)', () => {
    let cases = 0;
    for (const dir of [EXAMPLE, MESSY, REALWORLD]) cases += assertAuditAgreesWithAdd(pipelinesRegistry, dir, FILE);
    cases += assertAuditAgreesWithAdd(pipelinesRegistry, EXAMPLE, FILE, { [FILE]: PIPELINES });
    assert.ok(cases >= 20, `${cases} cases`);
  });
});
