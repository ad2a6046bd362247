/**
 * Each real-tool check can fail: on a copy of example/ broken the way a bad edit would break it,
 * the check names what is wrong (and the tool finder fails in CI where it skips elsewhere).
 */
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyFixture, EXAMPLE } from '../helpers.js';
import {
  bakeEvaluation,
  bitbucketStructure,
  composeConfig,
  dockerfileLint,
  dockerfileReplay,
  pythonCompile,
  ruff,
  stackConfig,
  uvLock,
  type Check,
} from './checks.js';
import { need, type Tool } from './tools.js';

function broken(edit: (dir: string) => void): string {
  const dir = copyFixture(EXAMPLE);
  edit(dir);
  return dir;
}

function edit(dir: string, file: string, change: (text: string) => string) {
  writeFileSync(join(dir, file), change(readFileSync(join(dir, file), 'utf8')));
}

function messages(context: Mocha.Context, check: Check, dir: string): string {
  const commands = check.tools(dir).map((tool) => need(context, tool));
  return check.run(dir, commands).findings.map((f) => f.message).join('\n');
}

describe('real-tool checks reject what is broken', function () {
  this.timeout(300_000);

  it('python compile: a syntax error', function () {
    const dir = broken((d) => writeFileSync(join(d, 'devtools', 'broken.py'), 'def f(:\n    pass\n'));
    assert.match(messages(this, pythonCompile, dir), /devtools\/broken\.py:1: /);
  });

  it('ruff: a line past the repo\'s line-length, not a per-file-ignored F401', function () {
    const dir = broken((d) => {
      appendFileSync(join(d, 'devtools', 'dev_local.py'), `\nLONG = "${'x'.repeat(120)}"\n`);
      edit(d, 'src/vanguard_wholesale/definitions.py', (t) => `import sys\n${t}`);
    });
    const found = messages(this, ruff, dir);
    assert.match(found, /devtools\/dev_local\.py:\d+:101: E501 Line too long \(129 > 100\)/);
    assert.doesNotMatch(found, /definitions\.py:\d+:\d+: F401/);
  });

  it('dockerfile-utils: an unknown instruction', function () {
    const dir = broken((d) => appendFileSync(join(d, 'Dockerfile.bootstrap'), 'EXPOZE 4000\n'));
    assert.match(messages(this, dockerfileLint, dir), /Dockerfile\.bootstrap:\d+: Unknown instruction: EXPOZE/);
  });

  it('uv lock: members that no version satisfies together', function () {
    const dir = broken((d) => edit(d, 'src/vanguard_wholesale/pyproject.toml', (t) => t.replace('"dagster>=1.12,<1.13"', '"dagster>=1.13"')));
    assert.match(messages(this, uvLock, dir), /dagster/);
  });

  it('the Dockerfile replay: an image that lacks a member\'s pyproject.toml stub', function () {
    const dir = broken((d) => edit(d, 'Dockerfile.vanguard.wholesale', (t) => t.replace(/^COPY src\/underwriting_ml\/pyproject\.toml .*\n/m, '')));
    assert.match(messages(this, dockerfileReplay, dir), /Dockerfile\.vanguard\.wholesale:\d+: uv sync .*--locked in the image's files:\n[\s\S]*(underwriting|workspace member)/);
  });

  it('the Dockerfile replay: a COPY source the context lacks', function () {
    const dir = broken((d) => rmSync(join(d, 'entrypoint.code-location.sh')));
    assert.match(messages(this, dockerfileReplay, dir), /Dockerfile\.vanguard\.wholesale:\d+: COPY source entrypoint\.code-location\.sh is not in the build context/);
  });

  it('docker stack config: a service the stack loader refuses', function () {
    const dir = broken((d) => edit(d, 'docker-stack.yml', (t) => t.replace('replicas: 1', 'replicas: many')));
    assert.match(messages(this, stackConfig, dir), /replicas/);
  });

  it('docker-compose config: a depends_on that names no service', function () {
    const dir = broken((d) => edit(d, 'compose.yml', (t) => t.replace('      - underwriting_ml\n', '      - underwriting_mll\n')));
    assert.match(messages(this, composeConfig, dir), /underwriting_mll/);
  });

  it('bitbucket structure: an alias with no anchor, an environment deployed twice, an includePaths pattern that matches nothing, an unused step', function () {
    const dir = broken((d) => edit(d, 'bitbucket-pipelines.yml', (t) => t.replace('- step: *build-push-bootstrap\n      - stage:', '- step: *build-push-nowhere\n      - stage:')));
    const found = messages(this, bitbucketStructure, dir);
    assert.match(found, /alias \*build-push-nowhere has no anchor/);
    const fixed = broken((d) =>
      edit(d, 'bitbucket-pipelines.yml', (t) =>
        t
          .replace('"src/vanguard_wholesale/**"', '"src/vanguard_wholsale/**"')
          .replace('    rebuild-all-images:\n', '    redeploy:\n      - step:\n          name: again\n          deployment: staging\n          script: [echo]\n      - step:\n          name: twice\n          deployment: staging\n          script: [echo]\n    rebuild-all-images:\n')
          .replace(/\n {6}- stage:[\s\S]*?- step: \*deploy-underwriting_ml\n/, '\n'),
      ),
    );
    const more = messages(this, bitbucketStructure, fixed);
    assert.match(more, /includePaths pattern "src\/vanguard_wholsale\/\*\*" matches no path of the repo/);
    assert.match(more, /deployment environment "staging" is used twice in one pipeline/);
    assert.match(more, /&deploy-vanguard_wholesale\) is used by no pipeline/);
  });

  it('bake evaluation: an undeclared variable, an unknown function, a group member and a parent that do not exist, a target written twice, an argument bake does not take', function () {
    const dir = broken((d) =>
      appendFileSync(
        join(d, 'docker-bake.hcl'),
        '\ntarget "dagster-bootstrap" {\n  tags = ["${NOPE}/x", frobnicate("a")]\n  inherits = ["base"]\n  pushh = true\n}\ngroup "all" {\n  targets = ["dagster-nowhere"]\n}\n',
      ),
    );
    const found = messages(this, bakeEvaluation, dir);
    for (const expected of [/There is no variable named "NOPE"/, /There is no function named "frobnicate"/, /inherits "base", which is no target/, /"dagster-bootstrap" is defined 2 times/, /names "dagster-nowhere", which is no target or group/, /argument named "pushh" is not expected here/]) {
      assert.match(found, expected);
    }
  });

  it('a missing tool fails in CI and skips elsewhere, naming the install command', function () {
    const missing: Tool = { name: 'frobnicator', install: 'apt-get install frobnicator', missing: 'not on PATH' };
    const saved = process.env.CI;
    let skipped = false;
    const context = { skip: () => { skipped = true; throw new Error('skipped'); } } as unknown as Mocha.Context;
    try {
      process.env.CI = 'true';
      assert.throws(() => need(context, missing), /frobnicator is missing \(not on PATH\); install: apt-get install frobnicator/);
      assert.equal(skipped, false);
      delete process.env.CI;
      assert.throws(() => need(context, missing), /skipped/);
      assert.equal(skipped, true);
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });
});
