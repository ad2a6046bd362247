import assert from 'node:assert/strict';
import { EditError } from '../../../lib/editors/text.js';
import { composeRegistry } from '../../../lib/registries/compose.js';
import { EXAMPLE, MESSY, REALWORLD } from '../../helpers.js';
import { addInput, assertAuditAgreesWithAdd, assertNoCanonicalVariant, fixtureInput, NEW, yamlJs } from './yaml-fixture.js';

const FILE = 'compose.yml';

/**
 * A compose file in the structures real ones use: `x-` anchors merged with `<<:`, an image
 * anchor reused for DAGSTER_CURRENT_IMAGE, `develop: watch:` paths, a long-form depends_on
 * defined once as an anchor and shared by the webserver and the daemon, a list-form one, and the
 * webserver's workspace embedded as a `configs:` block scalar.
 */
const COMPOSE = `
# Local stack: one code server per location, the webserver and the daemon.
name: rev-sci-dagster

x-dagster-env: &dagster-env
  DAGSTER_POSTGRES_HOST: postgres
  DAGSTER_POSTGRES_USER: dagster

x-code-location: &code-location
  restart: unless-stopped
  env_file: [.env]
  networks: [dagster]

x-location-deps: &location-deps
  postgres:
    condition: service_healthy
  vanguard_wholesale:
    condition: service_started
  underwriting_ml:
    condition: service_started

services:
  postgres:
    image: postgres:16
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U dagster"]

  vanguard_wholesale:
    <<: *code-location
    build:
      context: .
      dockerfile: Dockerfile.vanguard.wholesale
    image: &image-wholesale dagster-vanguard-wholesale
    container_name: vanguard_wholesale
    environment:
      <<: *dagster-env
      DAGSTER_CURRENT_IMAGE: *image-wholesale
    ports: ["4000:4000"]
    develop:
      watch:
        - action: sync+restart
          path: ./src/vanguard_wholesale
          target: /opt/dagster/app/src/vanguard_wholesale

  underwriting_ml:
    <<: *code-location
    build:
      context: .
      dockerfile: Dockerfile.underwriting.ml
    image: &image dagster-underwriting-ml
    container_name: underwriting_ml
    environment:
      <<: *dagster-env
      DAGSTER_CURRENT_IMAGE: *image
    ports: ["4001:4001"]
    develop:
      watch:
        - action: sync+restart
          path: ./src/underwriting_ml
          target: /opt/dagster/app/src/underwriting_ml
        - action: rebuild
          path: ./src/underwriting_ml/pyproject.toml

  dagster_webserver:
    image: registry.plan.com:5000/dagster-platform:1.12
    command: dagster-webserver -h 0.0.0.0 -p 3000 -w /opt/dagster/workspace.yaml
    configs:
      - source: workspace
        target: /opt/dagster/workspace.yaml
    depends_on: *location-deps

  dagster_daemon:
    image: registry.plan.com:5000/dagster-platform:1.12
    command: dagster-daemon run -w /opt/dagster/workspace.yaml
    configs:
      - source: workspace
        target: /opt/dagster/workspace.yaml
    depends_on: *location-deps

  smoke_tests:
    image: curlimages/curl
    depends_on:
      - dagster_webserver
      - vanguard_wholesale
      - underwriting_ml

configs:
  workspace:
    content: |
      load_from:
        # underwriting_ml -- underwriting risk models; has ClickHouse views
        - grpc_server:
            host: underwriting_ml
            port: 4001
            location_name: underwriting_ml
        - grpc_server:
            host: vanguard_wholesale
            port: 4000
            location_name: vanguard_wholesale

networks:
  dagster: {}
`.slice(1);

function add(text: string, dir = EXAMPLE) {
  return composeRegistry.add(text, FILE, addInput(dir, { [FILE]: text }));
}

describe('registry: compose.yml', () => {
  let result: ReturnType<typeof add>;
  let js: any;
  before(() => {
    result = add(COMPOSE);
    js = yamlJs(result.text);
  });

  it("copies the canonical's service after it, with its x- merges and its develop.watch paths renamed, not its own extra path", () => {
    const service = js.services.network_analytics;
    assert.deepEqual(Object.keys(js.services), ['postgres', 'vanguard_wholesale', 'underwriting_ml', 'network_analytics', 'dagster_webserver', 'dagster_daemon', 'smoke_tests']);
    assert.equal(service.restart, 'unless-stopped', 'the *code-location merge resolves');
    assert.equal(service.environment.DAGSTER_POSTGRES_HOST, 'postgres', 'the *dagster-env merge resolves');
    assert.equal(service.build.dockerfile, 'Dockerfile.network.analytics');
    assert.equal(service.container_name, 'network_analytics');
    assert.deepEqual(service.ports, ['4002:4002']);
    assert.deepEqual(service.develop.watch.map((w: any) => w.path), ['./src/network_analytics']);
    // The rebuild path only the canonical watches is its own: left out, and listed.
    assert.deepEqual(
      result.leftOut.map((l) => [l.line, l.what]),
      [[60, 'underwriting_ml.develop.watch[1]: action: rebuild, path: ./src/underwriting_ml/pyproject.toml']],
    );
    assert.match(result.text, /\n {2}network_analytics:\n {4}<<: \*code-location\n/);
    assertNoCanonicalVariant(COMPOSE, result.text);
  });

  it("gives the copy its own image anchor: DAGSTER_CURRENT_IMAGE is the new image, the canonical's stays its own", () => {
    assert.equal(js.services.network_analytics.environment.DAGSTER_CURRENT_IMAGE, 'dagster-network-analytics');
    assert.equal(js.services.underwriting_ml.environment.DAGSTER_CURRENT_IMAGE, 'dagster-underwriting-ml');
    assert.match(result.text, /image: &image-network-analytics dagster-network-analytics\n/);
    assert.match(result.text, /DAGSTER_CURRENT_IMAGE: \*image-network-analytics\n/);
    assert.equal(result.text.match(/&image\b(?!-)/g)?.length, 1, 'the canonical keeps &image alone');
  });

  it('adds the new service to every depends_on in the form it uses: the shared anchor once, the list form', () => {
    for (const name of ['dagster_webserver', 'dagster_daemon']) {
      assert.deepEqual(js.services[name].depends_on.network_analytics, { condition: 'service_started' }, name);
    }
    assert.equal(result.text.match(/^ {2}network_analytics:\n {4}condition: service_started$/gm)?.length, 1, 'edited once, at the anchor');
    assert.equal(result.text.match(/depends_on: \*location-deps/g)?.length, 2);
    assert.deepEqual(js.services.smoke_tests.depends_on, ['dagster_webserver', 'vanguard_wholesale', 'underwriting_ml', 'network_analytics']);
  });

  it("adds the grpc entry inside the embedded workspace, in its indentation, with the new location's own comment", () => {
    const embedded = yamlJs(js.configs.workspace.content);
    assert.deepEqual(embedded.load_from.map((e: any) => e.grpc_server.host), ['underwriting_ml', 'vanguard_wholesale', 'network_analytics']);
    assert.deepEqual(embedded.load_from[2].grpc_server, { host: 'network_analytics', port: 4002, location_name: 'network_analytics' });
    assert.match(result.text, /location_name: vanguard_wholesale\n {8}# network_analytics -- Network analytics\n {8}- grpc_server:\n {12}host: network_analytics\n/);
    assert.deepEqual(result.warnings, []);
  });

  it('touches nothing else: without the new lines the file is byte for byte what it was', () => {
    assert.equal(composeRegistry.remove(result.text, FILE, NEW, addInput(EXAMPLE, { [FILE]: result.text })), COMPOSE);
    assert.equal(add(result.text).text, result.text, 'a second add changes nothing');
  });

  it('refuses a container_name another service already uses, naming its line, before writing anything', () => {
    const taken = COMPOSE.replace('    image: curlimages/curl\n', '    image: curlimages/curl\n    container_name: network_analytics\n');
    assert.throws(() => add(taken), (error: EditError) => {
      assert.equal(error.name, 'EditError');
      assert.match(error.message, /^compose\.yml:81: container_name network_analytics, which network_analytics's service needs, is already the container of smoke_tests/);
      return true;
    });
  });

  it('on the three fixtures: the service, the webserver and daemon dependencies, the embedded workspace (real-world)', () => {
    for (const dir of [EXAMPLE, MESSY, REALWORLD]) {
      const input = addInput(dir);
      const before = input.read(FILE)!;
      const after = composeRegistry.add(before, FILE, input);
      const compose = yamlJs(after.text);
      assert.ok(compose.services.network_analytics, dir);
      for (const name of ['dagster_webserver', 'dagster_daemon']) {
        const deps = compose.services[name].depends_on;
        assert.ok(Array.isArray(deps) ? deps.includes('network_analytics') : deps.network_analytics, `${dir}: ${name}`);
      }
      if (dir === REALWORLD) {
        assert.ok(yamlJs(compose.configs.workspace.content).load_from.some((e: any) => e.grpc_server.host === 'network_analytics' && e.grpc_server.port === 4002));
        assert.equal(compose.services.network_analytics.environment.DAGSTER_CURRENT_IMAGE, 'dagster-network-analytics');
        assert.equal(compose.services.underwriting_ml.environment.DAGSTER_CURRENT_IMAGE, 'dagster-underwriting-ml');
      }
      assertNoCanonicalVariant(before, after.text);
      assert.equal(composeRegistry.remove(after.text, FILE, NEW, input), before, `${dir}: add then remove`);
    }
  });

  it('the footprint keys are the same for both locations; the embedded entry is on the file\'s own line', () => {
    const { model, read } = fixtureInput(EXAMPLE, { [FILE]: COMPOSE });
    const [wholesale, underwriting] = model.locations;
    const keys = (l: typeof wholesale) => composeRegistry.footprint(COMPOSE, FILE, l, { model, read }).map((c) => c.key);
    assert.deepEqual(keys(wholesale), keys(underwriting));
    const embedded = composeRegistry.footprint(COMPOSE, FILE, underwriting, { model, read }).find((c) => c.key.includes('⟫'))!;
    assert.equal(embedded.line, 90);
    assert.equal(COMPOSE.split('\n')[embedded.line - 1], '        # underwriting_ml -- underwriting risk models; has ClickHouse views');
  });

  it('audit says missing exactly when add would change the file (example, messy, real-world, in-test)', () => {
    let cases = 0;
    for (const dir of [EXAMPLE, MESSY, REALWORLD]) cases += assertAuditAgreesWithAdd(composeRegistry, dir, FILE);
    cases += assertAuditAgreesWithAdd(composeRegistry, EXAMPLE, FILE, { [FILE]: COMPOSE });
    assert.ok(cases >= 14, `${cases} cases`);
  });
});

/** Services whose settings differ by kind: named per location, merged from an anchor, or the canonical's own. */
const PATTERN = `
x-code-location: &code-location
  restart: unless-stopped

services:
  vanguard_wholesale:
    <<: *code-location
    image: dagster-vanguard-wholesale
    environment:
      VANGUARD_WHOLESALE_TOKEN: ""
      CACHE_DIR: /cache/vanguard_wholesale
    volumes:
      - ./src/vanguard_wholesale:/opt/dagster/app/src/vanguard_wholesale

  underwriting_ml:
    restart: unless-stopped
    image: dagster-underwriting-ml
    environment:
      UNDERWRITING_ML_TOKEN: ""
      CACHE_DIR: /cache/underwriting_ml
      RISK_MODEL_DIR: /models
    volumes:
      - ./src/underwriting_ml:/opt/dagster/app/src/underwriting_ml
      - ./models:/models
    mem_limit: 6g
    healthcheck:
      test: ["CMD", "true"]
      interval: 30s
      timeout: 10s
`.slice(1);

describe("registry: compose.yml, the canonical's pattern and its particulars", () => {
  it('shares what differs only by the location\'s names or comes from a merge; leaves out and lists the rest', () => {
    const result = add(PATTERN);
    const service = yamlJs(result.text).services.network_analytics;
    assert.deepEqual(service, {
      restart: 'unless-stopped',
      image: 'dagster-network-analytics',
      environment: { NETWORK_ANALYTICS_TOKEN: '', CACHE_DIR: '/cache/network_analytics' },
      volumes: ['./src/network_analytics:/opt/dagster/app/src/network_analytics'],
    });
    assert.deepEqual(
      result.leftOut.map((l) => [l.line, l.what, Boolean(l.copied)]),
      [
        [20, 'underwriting_ml.environment.RISK_MODEL_DIR: /models', false],
        [23, 'underwriting_ml.volumes[1]: ./models:/models', false],
        [24, 'underwriting_ml.mem_limit: 6g', false],
        [26, 'underwriting_ml.healthcheck.test: ["CMD", "true"]', false],
        [27, 'underwriting_ml.healthcheck.interval: 30s', false],
        [28, 'underwriting_ml.healthcheck.timeout: 10s', false],
      ],
    );
    const input = addInput(EXAMPLE, { [FILE]: PATTERN });
    assert.equal(composeRegistry.remove(result.text, FILE, NEW, input), PATTERN);
    assert.deepEqual(composeRegistry.audit(result.text, FILE, addInput(EXAMPLE, { [FILE]: result.text })), []);
  });

  it('copies the canonical whole where it is the only location, and lists the values that look particular as copied', () => {
    const alone = PATTERN.replace(/ {2}vanguard_wholesale:[^]*?\n\n/, '');
    const result = add(alone);
    const service = yamlJs(result.text).services.network_analytics;
    assert.equal(service.mem_limit, '6g');
    assert.equal(service.healthcheck.interval, '30s');
    assert.deepEqual(
      result.leftOut.map((l) => [l.what, Boolean(l.copied)]),
      [
        ['underwriting_ml.mem_limit: 6g', true],
        ['underwriting_ml.healthcheck.interval: 30s', true],
        ['underwriting_ml.healthcheck.timeout: 10s', true],
      ],
    );
  });
});
