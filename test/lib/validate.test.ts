import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diskLister, readMonorepo, type Monorepo } from '../../lib/monorepo.js';
import { locationNames } from '../../lib/naming.js';
import { checkPackageName, checkPort, checkShortName, MAX_PACKAGE_NAME, toSnakeCase } from '../../lib/validate.js';
import { EXAMPLE, MESSY } from '../helpers.js';

function model(root: string): Monorepo {
  const read = (path: string) => {
    try {
      return readFileSync(join(root, path), 'utf8');
    } catch {
      return undefined;
    }
  };
  return readMonorepo(root, read, diskLister(root));
}

describe('validate (issue 7: every bad input refused with what would be right)', () => {
  for (const [label, root] of [['tidy example', EXAMPLE], ['messy monorepo', MESSY]] as const) {
    describe(`against the ${label}`, () => {
      let repo: Monorepo;
      before(() => {
        repo = model(root);
      });

      describe('package name', () => {
        it('accepts the guide example', () => assert.equal(checkPackageName('network_analytics', repo), undefined));

        it('not snake_case: says so and suggests the snake_case name', () => {
          assert.equal(checkPackageName('network-analytics', repo), '"network-analytics" is not a snake_case package name; use snake_case: network_analytics');
          assert.match(checkPackageName('NetworkAnalytics', repo)!, /use snake_case: network_analytics$/);
          assert.match(checkPackageName('Network Analytics', repo)!, /use snake_case: network_analytics$/);
          assert.match(checkPackageName('network.analytics', repo)!, /use snake_case: network_analytics$/);
          assert.match(checkPackageName('network__analytics', repo)!, /use snake_case: network_analytics$/);
          assert.match(checkPackageName('_network', repo)!, /use snake_case: network$/);
          assert.match(checkPackageName('network_', repo)!, /use snake_case: network$/);
        });

        it('no suggestion when the snake_case form would be refused too', () => {
          assert.match(checkPackageName('9lives', repo)!, /starting with a letter/);
          assert.match(checkPackageName('Class', repo)!, /not a snake_case package name; use snake_case \(lowercase letters/);
          assert.match(checkPackageName('../etc', repo)!, /not a snake_case package name/);
          assert.match(checkPackageName('a;rm -rf /', repo)!, /not a snake_case package name/);
        });

        it('empty: required, with an example', () => assert.match(checkPackageName('', repo)!, /required, e\.g\. network_analytics/));

        it('keywords and soft keywords', () => {
          for (const keyword of ['class', 'import', 'async', 'lambda', 'none']) {
            const message = checkPackageName(keyword, repo);
            if (keyword === 'none') assert.equal(message, undefined, 'None is a keyword, none is not');
            else assert.equal(message, `"${keyword}" is a Python keyword; choose another name`);
          }
          for (const soft of ['match', 'case', 'type']) assert.match(checkPackageName(soft, repo)!, /is a Python keyword \(a soft keyword\)/);
        });

        it('standard-library modules', () => {
          for (const module of ['json', 'os', 'typing', 'asyncio', 'email', 'tomllib', 'zoneinfo']) {
            assert.equal(checkPackageName(module, repo), `"${module}" would shadow the standard-library module ${module}; choose another name`);
          }
        });

        it("names that shadow the repo's own imports: shared, dagster, polars, every dependency's import name", () => {
          for (const name of ['shared', 'dagster', 'polars', 'dagster_polars', 'httpx', 'clickhouse_connect', 'pytest']) {
            assert.match(checkPackageName(name, repo)!, new RegExp(`would shadow the "${name}" import`), name);
          }
        });

        it('an existing location is accepted (re-running for it completes or confirms it)', () => {
          assert.equal(checkPackageName('underwriting_ml', repo), undefined);
          assert.equal(checkPackageName('vanguard_wholesale', repo), undefined);
        });

        it(`at most ${MAX_PACKAGE_NAME} characters, so dagster-<kebab> stays a 63-character name`, () => {
          assert.equal(MAX_PACKAGE_NAME, 55);
          const longest = `a${'_b'.repeat(27)}`;
          assert.equal(longest.length, 55);
          assert.equal(locationNames(longest, 'x').image.length, 63);
          assert.equal(checkPackageName(longest, repo), undefined);
          const tooLong = `${longest}c`;
          assert.equal(checkPackageName(tooLong, repo), `"${tooLong}" is 56 characters; at most 55 keep "dagster-<name>" a valid 63-character Docker name`);
        });
      });

      describe('short name', () => {
        it('accepts a lowercase identifier not taken', () => {
          assert.equal(checkShortName('analytics', 'network_analytics', repo), undefined);
          assert.equal(checkShortName('net_analytics2', 'network_analytics', repo), undefined);
        });

        it('a location keeps its own short name on a re-run', () => {
          assert.equal(checkShortName('underwriting', 'underwriting_ml', repo), undefined);
        });

        it('not a lowercase identifier: says so with a valid example', () => {
          assert.equal(checkShortName('Analytics', 'network_analytics', repo), '"Analytics" is not a valid short name; use lowercase letters, digits and underscores, starting with a letter, e.g. analytics');
          assert.match(checkShortName('net-analytics', 'network_analytics', repo)!, /e\.g\. net_analytics$/);
          assert.match(checkShortName('1abc', 'network_analytics', repo)!, /starting with a letter, e\.g\. analytics$/);
          assert.match(checkShortName('', 'network_analytics', repo)!, /required/);
        });

        it('keywords are refused', () => assert.match(checkShortName('class', 'network_analytics', repo)!, /Python keyword/));

        it("unique: not another location's short name nor its package name", () => {
          assert.match(checkShortName('underwriting', 'network_analytics', repo)!, /^short name "underwriting" is already used by underwriting_ml \((docker-stack\.yml:\d+: DAGSTER_BUILD_TAG_UNDERWRITING|devtools\/\w+\.py:\d+: the alias "underwriting")\)$/);
          assert.match(checkShortName('wholesale', 'network_analytics', repo)!, /^short name "wholesale" is already used by vanguard_wholesale \(docker-stack\.yml:\d+: DAGSTER_BUILD_TAG_WHOLESALE\)$/);
          assert.equal(checkShortName('vanguard_wholesale', 'network_analytics', repo), 'short name "vanguard_wholesale" is the package name of another location');
        });
      });

      describe('port', () => {
        it('a free port from 1024 to 65535', () => {
          for (const port of [4002, '4002', ' 4003 ', 1024, 65535]) assert.equal(checkPort(port, 'network_analytics', repo), undefined, String(port));
        });

        it('out of range or not a whole number', () => {
          assert.equal(checkPort(1023, 'network_analytics', repo), 'port 1023 is out of range; use one from 1024 to 65535');
          assert.equal(checkPort(65536, 'network_analytics', repo), 'port 65536 is out of range; use one from 1024 to 65535');
          for (const bad of ['40.5', 'abc', '-4002', '4002; rm -rf /', '']) {
            assert.match(checkPort(bad, 'network_analytics', repo)!, /is not a whole number; use one from 1024 to 65535/, bad);
          }
        });

        it("the webserver's port", () => assert.equal(checkPort(3000, 'network_analytics', repo), "port 3000 is the Dagster webserver's (the default webserverPort; .yo-rc.json can set another)"));

        it('a port in use says where, each place once', () => {
          const message = checkPort(4001, 'network_analytics', repo)!;
          assert.match(message, /^port 4001 is already used \(/);
          for (const where of [/workspace\.yaml:\d+: grpc_server underwriting_ml/g, /Dockerfile\.underwriting\.ml:\d+: EXPOSE of underwriting_ml/g, /Dockerfile\.underwriting\.ml:\d+: CMD port of underwriting_ml/g, /compose\.yml:\d+: ports of service underwriting_ml/g]) {
            assert.equal(message.match(where)?.length, 1, `${where} once in: ${message}`);
          }
          assert.match(checkPort(4000, 'network_analytics', repo)!, /vanguard_wholesale/);
        });

        it('a location keeps its own port on a re-run', () => assert.equal(checkPort(4001, 'underwriting_ml', repo), undefined));
      });
    });
  }

  it('without a model only the rules of the name itself apply', () => {
    assert.equal(checkPackageName('shared'), undefined);
    assert.equal(checkPort(3000, 'x'), undefined);
    assert.equal(checkShortName('underwriting', 'x'), undefined);
    assert.match(checkPackageName('json')!, /standard-library/);
  });

  it('toSnakeCase', () => {
    assert.equal(toSnakeCase('  NetworkAnalytics '), 'network_analytics');
    assert.equal(toSnakeCase('network--analytics'), 'network_analytics');
    assert.equal(toSnakeCase('HTTPServer'), 'httpserver');
  });
});
