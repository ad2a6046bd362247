import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { instructions } from '../../lib/editors/dockerfile.js';
import { assertOnlyAdds, changes, copyFixture, EXAMPLE, exists, MESSY, read, runGenerator, snapshot } from '../helpers.js';

const ARGS = ['network_analytics', 'analytics', '4002'];
const MEMBERS = ['shared', 'vanguard_wholesale', 'underwriting_ml', 'network_analytics'];
const DOCKERFILES = ['Dockerfile.bootstrap', 'Dockerfile.underwriting.ml', 'Dockerfile.vanguard.wholesale'];
const IMAGE = '${DAGSTER_PLAN_REGISTRY:-registry.plan.com:5000}/dagster-network-analytics:${DAGSTER_BUILD_TAG_ANALYTICS:-latest}';
const MENTIONS = /network[-_.]analytics|4002/;

/** Parse YAML the way Compose does (merge keys), failing on any error; aliases are resolved. */
function loadYaml(text: string): any {
  const doc = parseDocument(text, { merge: true });
  assert.deepEqual(doc.errors, [], 'the result parses');
  return doc.toJS({ maxAliasCount: -1 });
}

/** The canonical location's text renamed to the new one, the way a person would do it by hand. */
function renamedBack(text: string): string {
  return text
    .replaceAll('network_analytics', 'underwriting_ml')
    .replaceAll('network-analytics', 'underwriting-ml')
    .replaceAll('network.analytics', 'underwriting.ml')
    .replaceAll('4002', '4001');
}

function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

function hasDockerCompose(): boolean {
  const probe = spawnSync('docker-compose', ['version'], { stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}

/** `docker-compose -f <file> config -q` in the monorepo: accepted, or the lines it complains with. */
function composeConfig(dir: string, file: string): { ok: boolean; complaints: string[] } {
  const result = spawnSync('docker-compose', ['-f', file, 'config', '-q'], { cwd: dir, encoding: 'utf8' });
  const complaints = result.stderr.split('\n').filter((line) => line.trim() && !/variable is not set|use the 'configs' key/.test(line));
  return { ok: result.status === 0, complaints };
}

describe('dagster-location:docker network_analytics analytics 4002', () => {
  for (const [label, fixture] of [['tidy example', EXAMPLE], ['messy monorepo', MESSY]] as const) {
    describe(`on the ${label}`, () => {
      let dir: string;
      let original: Map<string, Buffer>;
      const text = (file: string) => original.get(file)!.toString('utf8');
      const composeBefore: Record<string, { ok: boolean; complaints: string[] }> = {};
      before(async () => {
        dir = copyFixture(fixture);
        // The developer's local env file that compose.yml reads (gitignored, so not in the fixture).
        writeFileSync(join(dir, '.env'), '');
        if (hasDockerCompose()) for (const file of ['compose.yml', 'docker-stack.yml']) composeBefore[file] = composeConfig(dir, file);
        original = snapshot(dir);
        await runGenerator('docker', dir, ARGS);
      });

      it('creates Dockerfile.network.analytics with the package, name, port and definitions of phase 4', () => {
        const dockerfile = read(dir, 'Dockerfile.network.analytics');
        const all = instructions(dockerfile);
        const syncs = all.filter((ins) => ins.keyword === 'RUN' && /\buv sync\b/.test(ins.args));
        assert.equal(syncs.length, 2);
        for (const sync of syncs) assert.match(sync.args, /--package[= ]network-analytics( |$)/);
        assert.ok(all.some((ins) => ins.keyword === 'COPY' && ins.args === 'src/network_analytics ./src/network_analytics'));
        assert.ok(all.some((ins) => ins.keyword === 'ENV' && /(^| )CODE_LOCATION_NAME=network_analytics( |$)/.test(ins.args)));
        assert.ok(all.some((ins) => ins.keyword === 'EXPOSE' && /^4002(\/tcp)?$/.test(ins.args)));
        const cmd = all.find((ins) => ins.keyword === 'CMD')!;
        assert.match(cmd.args, /"-p", "4002"/);
        assert.match(cmd.args, /"-f", "src\/network_analytics\/definitions\.py"/);
        assert.doesNotMatch(dockerfile, /4001|underwriting-ml|underwriting\.ml/);
      });

      it('copies every workspace member\'s pyproject.toml stub into it, the new member\'s too', () => {
        const dockerfile = read(dir, 'Dockerfile.network.analytics');
        for (const member of MEMBERS) {
          assert.match(dockerfile, new RegExp(`^COPY src/${member}/pyproject\\.toml +\\./src/${member}/pyproject\\.toml\\r?$`, 'm'), member);
        }
        const firstSync = lines(dockerfile).findIndex((line) => /^[^#]*uv sync/.test(line));
        const stubLines = lines(dockerfile).flatMap((line, i) => (/pyproject\.toml +\.\/src/.test(line) ? [i] : []));
        assert.equal(stubLines.length, MEMBERS.length);
        assert.ok(stubLines.every((i) => i < firstSync), 'stubs come before the first uv sync');
      });

      it('follows the canonical Dockerfile line for line: renamed, plus the new member\'s stub', () => {
        const dockerfile = read(dir, 'Dockerfile.network.analytics');
        const withoutNewStub = dockerfile.replace(/^COPY src\/network_analytics\/pyproject\.toml .*\r?\n/m, '');
        assert.equal(renamedBack(withoutNewStub), text('Dockerfile.underwriting.ml'));
        const crlf = text('Dockerfile.underwriting.ml').includes('\r\n');
        assert.equal(/(^|[^\r])\n/.test(dockerfile), !crlf, crlf ? 'CRLF kept' : 'LF kept');
      });

      it('adds the new member\'s stub to every Dockerfile that runs uv sync --frozen, after its siblings', () => {
        for (const file of DOCKERFILES) {
          const after = read(dir, file);
          const [chunk, ...rest] = assertOnlyAdds(text(file), after, /network_analytics/).filter((c) => !/^\s*$/.test(c));
          assert.equal(rest.length, 0, file);
          assert.match(chunk, /COPY src\/network_analytics\/pyproject\.toml +\.\/src\/network_analytics\/pyproject\.toml/, file);
          const all = lines(after);
          const added = all.findIndex((line) => line.startsWith('COPY src/network_analytics/pyproject.toml'));
          assert.match(all[added - 1], /^COPY src\/\w+\/pyproject\.toml/, `${file}: right after a sibling stub`);
          assert.ok(added < all.findIndex((line) => /^[^#]*uv sync/.test(line)), `${file}: before the sync that needs it`);
        }
      });

      it('adds the compose.yml service: the canonical one renamed, with its anchors and merge keys', () => {
        const after = read(dir, 'compose.yml');
        assertOnlyAdds(text('compose.yml'), after, MENTIONS);
        const services = loadYaml(after).services;
        assert.deepEqual(Object.keys(services).slice(1, 4), ['vanguard_wholesale', 'underwriting_ml', 'network_analytics']);
        const service = services.network_analytics;
        assert.deepEqual(service, JSON.parse(JSON.stringify(services.underwriting_ml).replace(/underwriting([-_.])ml/g, 'network$1analytics').replaceAll('4001', '4002')));
        assert.equal(service.build.dockerfile, './Dockerfile.network.analytics');
        assert.equal(service.container_name, 'network_analytics');
        assert.equal(service.image, 'dagster-network-analytics');
        assert.equal(service.environment.DAGSTER_CURRENT_IMAGE, 'dagster-network-analytics');
        assert.equal(service.environment.DAGSTER_POSTGRES_HOST, 'postgres', 'the *dagster-env merge resolves');
        assert.equal(service.restart, 'unless-stopped', 'the *code-location merge resolves');
        assert.deepEqual(service.networks, ['dagster']);
        assert.deepEqual(service.volumes, ['./tmp/dagster_data:/opt/dagster/shared-data']);
        assert.deepEqual(service.ports, ['4002:4002']);
        const merge = fixture === MESSY ? '<< : ' : '<<: ';
        assert.ok(after.includes(`network_analytics:\n${fixture === MESSY ? '        ' : '    '}${merge}*code-location\n`), 'merge key written like the canonical');
      });

      it('adds network_analytics to depends_on of the webserver and the daemon, in the form each uses', () => {
        const after = read(dir, 'compose.yml');
        const services = loadYaml(after).services;
        if (fixture === MESSY) {
          assert.deepEqual(services.dagster_webserver.depends_on, ['postgres', 'vanguard_wholesale', 'underwriting_ml', 'network_analytics']);
          assert.ok(after.includes('            vanguard_wholesale, underwriting_ml,\n            network_analytics,\n        ]\n'), 'flow list: a new line, trailing comma kept');
          assert.deepEqual(services.dagster_daemon.depends_on.network_analytics, { condition: 'service_started' });
          assert.deepEqual(Object.keys(services.dagster_daemon.depends_on).at(-1), 'network_analytics');
          assert.ok(after.includes('            network_analytics:\n                condition: service_started\n'), 'long form like its siblings');
        } else {
          for (const name of ['dagster_webserver', 'dagster_daemon']) {
            assert.deepEqual(services[name].depends_on, ['postgres', 'vanguard_wholesale', 'underwriting_ml', 'network_analytics'], name);
          }
          assert.equal(after.split('      - underwriting_ml\n      - network_analytics\n').length, 3, 'block lists, one new line each');
        }
      });

      it('adds the docker-stack.yml service: image, DAGSTER_CURRENT_IMAGE, storage volume, dagster network', () => {
        const after = read(dir, 'docker-stack.yml');
        assertOnlyAdds(text('docker-stack.yml'), after, MENTIONS);
        const services = loadYaml(after).services;
        assert.deepEqual(Object.keys(services).slice(0, 3), ['vanguard_wholesale', 'underwriting_ml', 'network_analytics']);
        const service = services.network_analytics;
        assert.equal(service.image, IMAGE);
        assert.deepEqual(service.environment, { DAGSTER_CURRENT_IMAGE: IMAGE });
        assert.deepEqual(service.volumes, ['dagster_mount_storage:/opt/dagster/shared-data']);
        assert.deepEqual(service.networks, ['dagster']);
        assert.deepEqual(service.deploy, services.underwriting_ml.deploy);
        if (fixture === MESSY) assert.ok(!/(^|[^\r])\n/.test(after), 'CRLF kept');
      });

      it('leaves files that docker-compose config accepts', function () {
        if (!hasDockerCompose()) this.skip();
        for (const file of ['compose.yml', 'docker-stack.yml']) {
          assert.ok(composeBefore[file].ok, `the fixture's ${file} is accepted before the edit: ${composeBefore[file].complaints.join('\n')}`);
          const after = composeConfig(dir, file);
          assert.ok(after.ok, `${file}: ${after.complaints.join('\n')}`);
        }
      });

      it('touches no other file', () => {
        const diff = changes(original, snapshot(dir));
        assert.deepEqual(diff.added, ['Dockerfile.network.analytics']);
        assert.deepEqual(diff.changed, [...DOCKERFILES, 'compose.yml', 'docker-stack.yml'].sort());
        assert.deepEqual(diff.removed, []);
      });

      it('changes nothing on a second run', async () => {
        const first = snapshot(dir);
        await runGenerator('docker', dir, ARGS);
        const diff = changes(first, snapshot(dir));
        assert.deepEqual(diff, { added: [], changed: [], removed: [] });
      });
    });
  }

  for (const [label, fixture] of [['tidy example', EXAMPLE], ['messy monorepo', MESSY]] as const) {
    describe(`on the ${label} without the canonical Dockerfile and Swarm service`, () => {
      let dir: string;
      let stackBefore: string;
      before(async () => {
        dir = copyFixture(fixture);
        rmSync(join(dir, 'Dockerfile.underwriting.ml'));
        const stack = read(dir, 'docker-stack.yml');
        const start = stack.search(/^ {2}underwriting_ml:/m);
        const end = stack.search(/^ {2}(# ---|dagster_webserver:)/m);
        stackBefore = stack.slice(0, start) + stack.slice(end);
        writeFileSync(join(dir, 'docker-stack.yml'), stackBefore);
        await runGenerator('docker', dir, ARGS);
      });

      it('writes the Dockerfile from the template, with everything phase 4 asks for', async () => {
        const dockerfile = read(dir, 'Dockerfile.network.analytics');
        const all = instructions(dockerfile);
        for (const sync of all.filter((ins) => ins.keyword === 'RUN' && /uv sync/.test(ins.args))) assert.match(sync.args, /--package network-analytics$/);
        for (const member of MEMBERS) assert.ok(dockerfile.includes(`COPY src/${member}/pyproject.toml ./src/${member}/pyproject.toml\n`), member);
        assert.ok(dockerfile.includes('COPY src/shared ./src/shared\nCOPY src/network_analytics ./src/network_analytics\n'));
        assert.match(dockerfile, /^ENV CODE_LOCATION_NAME=network_analytics$/m);
        assert.match(dockerfile, /^EXPOSE 4002$/m);
        assert.match(dockerfile, /^ENTRYPOINT \["\/usr\/local\/bin\/entrypoint\.code-location\.sh"\]$/m);
        assert.match(dockerfile, /^CMD \["dagster", "code-server", "start", "-h", "0\.0\.0\.0", "-p", "4002", "-f", "src\/network_analytics\/definitions\.py"\]$/m);
        if (fixture === EXAMPLE) {
          // The template is the example's location Dockerfile: what a copy of the canonical one would give.
          const canonical = copyFixture(EXAMPLE);
          await runGenerator('docker', canonical, ARGS);
          assert.equal(read(canonical, 'Dockerfile.network.analytics'), dockerfile);
        }
      });

      it('generates the Swarm service from the guide in the siblings\' indentation', () => {
        const after = read(dir, 'docker-stack.yml');
        assertOnlyAdds(stackBefore, after, MENTIONS);
        const eol = fixture === MESSY ? '\r\n' : '\n';
        const seq = fixture === MESSY ? '    ' : '      ';
        const block = [
          '  network_analytics:',
          `    image: ${IMAGE}`,
          '    environment:',
          `      DAGSTER_CURRENT_IMAGE: ${IMAGE}`,
          '    volumes:',
          `${seq}- dagster_mount_storage:/opt/dagster/shared-data`,
          '    networks:',
          `${seq}- dagster`,
          '    deploy:',
          '      replicas: 1',
          '      restart_policy:',
          '        condition: on-failure',
        ].join(eol);
        assert.ok(after.includes(`${eol}${eol}${block}${eol}`), after);
        const service = loadYaml(after).services.network_analytics;
        assert.equal(service.image, IMAGE);
        assert.equal(service.environment.DAGSTER_CURRENT_IMAGE, IMAGE);
        assert.deepEqual(service.volumes, ['dagster_mount_storage:/opt/dagster/shared-data']);
        assert.deepEqual(service.networks, ['dagster']);
      });
    });
  }

  describe('with a registry configured in .yo-rc.json and no canonical Swarm service', () => {
    it('uses the configured registry and variable in the image', async () => {
      const dir = copyFixture(EXAMPLE);
      writeFileSync(
        join(dir, '.yo-rc.json'),
        JSON.stringify({ 'generator-dagster-location': { registry: 'registry.example.org', registryVariable: 'REGISTRY' } }),
      );
      const stack = read(dir, 'docker-stack.yml');
      writeFileSync(join(dir, 'docker-stack.yml'), stack.slice(0, stack.indexOf('  underwriting_ml:\n')) + stack.slice(stack.indexOf('  # --- Dagster')));
      await runGenerator('docker', dir, ARGS);
      const service = loadYaml(read(dir, 'docker-stack.yml')).services.network_analytics;
      assert.equal(service.image, '${REGISTRY:-registry.example.org}/dagster-network-analytics:${DAGSTER_BUILD_TAG_ANALYTICS:-latest}');
    });
  });

  describe('in a monorepo without compose.yml and docker-stack.yml', () => {
    it('skips them with a warning and still writes the Dockerfiles', async () => {
      const dir = copyFixture(EXAMPLE);
      rmSync(join(dir, 'compose.yml'));
      rmSync(join(dir, 'docker-stack.yml'));
      const original = snapshot(dir);
      const result = await runGenerator('docker', dir, ARGS);
      const warnings: string[] = (result.generator as any).ctx.report.warnings;
      assert.ok(warnings.some((w) => w.startsWith('compose.yml not found')), warnings.join('\n'));
      assert.ok(warnings.some((w) => w.startsWith('docker-stack.yml not found')), warnings.join('\n'));
      assert.ok(!exists(dir, 'compose.yml') && !exists(dir, 'docker-stack.yml'));
      const diff = changes(original, snapshot(dir));
      assert.deepEqual(diff.added, ['Dockerfile.network.analytics']);
      assert.deepEqual(diff.changed, DOCKERFILES);
    });
  });
});
