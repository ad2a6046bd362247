/**
 * Every bad input is refused with a message that says what would be right, exit 1, and the
 * repo untouched; malformed repos are named by file and line; writes are all or nothing.
 * The cases are the table in docs/bad-inputs.md: a case missing from the doc fails here.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { changes, copyFixture, PROJECT, runBin, snapshot } from './helpers.js';

interface BadInput {
  /** The command line after `dagster-location`. */
  args: string[];
  /** What the error must say. */
  message: RegExp;
  /** Break the repo first. */
  prepare?: (dir: string) => void;
}

const LONG_NAME = `a${'_long'.repeat(11)}`; // 56 characters: dagster-<kebab> would be 64

export const BAD_INPUTS: BadInput[] = [
  { args: ['network-analytics'], message: /use snake_case: network_analytics/ },
  { args: ['NetworkAnalytics'], message: /use snake_case: network_analytics/ },
  { args: ['2fast'], message: /not a snake_case package name.*starting with a letter/ },
  { args: ['../evil'], message: /not a snake_case package name; use snake_case: evil/ },
  { args: ['class'], message: /"class" is a Python keyword/ },
  { args: ['match'], message: /"match" is a Python keyword/ },
  { args: ['json'], message: /would shadow the standard-library module json/ },
  { args: ['polars'], message: /would shadow the "polars" import/ },
  { args: ['httpx'], message: /would shadow the "httpx" import .*\(the dependency "httpx>=0\.27" in src\/vanguard_wholesale\/pyproject\.toml:10\)/ },
  { args: ['sklearn'], message: /would shadow the "sklearn" import/ },
  { args: ['shared'], message: /would shadow the "shared" import/ },
  { args: [LONG_NAME], message: /56 characters; at most 55/ },
  { args: ['network_analytics', 'Analytics'], message: /"Analytics" is not a valid short name.*e\.g\. analytics/ },
  { args: ['network_analytics', 'a;rm'], message: /"a;rm" is not a valid short name/ },
  { args: ['network_analytics', 'underwriting'], message: /short name "underwriting" is already used by underwriting_ml \(docker-stack\.yml:\d+: DAGSTER_BUILD_TAG_UNDERWRITING\)/ },
  { args: ['network_analytics', 'vanguard_wholesale'], message: /is the package name of another location/ },
  { args: ['network_analytics', 'analytics', '3000'], message: /port 3000 is the Dagster webserver's \(the default webserverPort; \.yo-rc\.json can set another\)/ },
  { args: ['network_analytics', 'analytics', '4001'], message: /port 4001 is already used \(workspace\.yaml:11: grpc_server underwriting_ml; Dockerfile\.underwriting\.ml:\d+: EXPOSE of underwriting_ml; .*compose\.yml:\d+: ports of service underwriting_ml\)/ },
  { args: ['network_analytics', 'analytics', '80'], message: /port 80 is out of range; use one from 1024 to 65535/ },
  { args: ['network_analytics', 'analytics', '70000'], message: /port 70000 is out of range/ },
  { args: ['network_analytics', 'analytics', '40a2'], message: /port "40a2" is not a whole number/ },
  { args: ['network_analytics', 'analytics', '4002', '--description', 'two\nlines'], message: /the description is one line of text \(no line break, tab or control character\)/ },
  { args: ['clickhouse', 'no_such_location'], message: /There is no code location "no_such_location".*vanguard_wholesale, underwriting_ml/ },
  {
    args: ['network_analytics', 'analytics', '4002'],
    message: /pyproject\.toml:\d+: .*/,
    prepare: (dir) => breakFile(dir, 'pyproject.toml', (t) => t.replace('[tool.uv.sources]', '[tool.uv.sources')),
  },
  {
    args: ['network_analytics', 'analytics', '4002'],
    message: /compose\.yml:\d+: /,
    prepare: (dir) => breakFile(dir, 'compose.yml', (t) => t.replace('services:', 'services:\n  - [unclosed')),
  },
  {
    args: ['network_analytics', 'analytics', '4002'],
    message: /workspace\.yaml:\d+: /,
    prepare: (dir) => writeFileSync(join(dir, 'workspace.yaml'), 'load_from:\n{% for loc in locations %}\n  - grpc_server: {{ loc }}\n{% endfor %}\n'),
  },
  ...strictCases(),
  {
    args: ['network_analytics', 'analytics', '4002'],
    message: /docker-bake\.hcl:\d+: target "dagster-network-analytics" exists already with dockerfile = "Dockerfile\.other"/,
    prepare: (dir) => breakFile(dir, 'docker-bake.hcl', (t) => `${t}\ntarget "dagster-network-analytics" {\n  dockerfile = "Dockerfile.other"\n}\n`),
  },
  {
    args: ['network_analytics', 'analytics', '4002'],
    message: /pyproject\.toml:\d+: network-analytics in \[tool\.uv\.sources\] already exists with another value/,
    prepare: (dir) => breakFile(dir, 'pyproject.toml', (t) => t.replace('underwriting-ml = { workspace = true }', 'underwriting-ml = { workspace = true }\nnetwork-analytics = { path = "../elsewhere" }')),
  },
  {
    args: ['network_analytics', 'analytics', '4002'],
    message: /No uv-workspace monorepo found/,
    prepare: (dir) => breakFile(dir, 'pyproject.toml', (t) => t.replace('[tool.uv.workspace]', '[tool.uv.not-a-workspace]')),
  },
];

/**
 * Input the parsers accept but the files do not mean as written, or that would be copied into
 * the new location: refused on reading, each with the file and line.
 */
function strictCases(): BadInput[] {
  const on = (file: string, change: (text: string) => string, message: RegExp, args = ['network_analytics', 'analytics', '4002']): BadInput => ({ args, message, prepare: (dir) => breakFile(dir, file, change) });
  return [
    on('compose.yml', (t) => t.replace('<<: *code-location', '<<: *no-such-anchor'), /compose\.yml:\d+: the alias \*no-such-anchor refers to no anchor defined before it/),
    on('bitbucket-pipelines.yml', (t) => t.replace('- step: &deploy-underwriting_ml', '- step: &deploy-vanguard_wholesale'), /bitbucket-pipelines\.yml:\d+: the anchor &deploy-vanguard_wholesale is defined a second time \(first at line \d+\)/),
    on('docker-stack.yml', (t) => t.replace('replicas: 1', 'replicas: 1\u0000'), /docker-stack\.yml:\d+: a NUL byte is not allowed in YAML/),
    on('workspace.yaml', (t) => t.replace('host: underwriting_ml', 'host: {{ underwriting_host }}'), /workspace\.yaml:10: "\{\{ underwriting_host \}\}" is template syntax, not YAML/),
    on('compose.yml', (t) => t.replace('services:', 'services:\n  probe:\n    image: !custom x'), /compose\.yml:\d+: Unresolved tag: !custom/),
    on('docker-bake.hcl', (t) => t.replace('context = "."', 'context "."'), /docker-bake\.hcl:\d+: context "\." is neither an attribute nor a block: write context = "\."/),
    on('docker-bake.hcl', (t) => t.replace('  dockerfile = "Dockerfile.underwriting.ml"', '  dockerfile = "Dockerfile.underwriting.ml"\n  dockerfile = "Dockerfile.other"'), /docker-bake\.hcl:\d+: dockerfile is set twice in target "dagster-underwriting-ml" \(first at line \d+\)/),
    on('docker-bake.hcl', (t) => `${t}\ntarget "dagster-underwriting-ml" {\n  context = "."\n}\n`, /docker-bake\.hcl:\d+: target "dagster-underwriting-ml" is defined a second time \(first at line \d+\); bake would merge the two/),
    on('Dockerfile.vanguard.wholesale', (t) => t.replace(/^WORKDIR/m, 'WORKDR'), /Dockerfile\.vanguard\.wholesale:\d+: unknown instruction WORKDR/),
    on('Dockerfile.bootstrap', (t) => t.replace(/ \\\n/, '\n'), /Dockerfile\.bootstrap:\d+: not an instruction: .* \(a line before it may be missing its \\ at the end\)/),
    on('devtools/check_defs.py', (t) => t.replace('"underwriting": "underwriting_ml",\n}', '"underwriting": "underwriting_ml",\n'), /devtools\/check_defs\.py:\d+: '\{' was never closed/),
    on('devtools/dev_local.py', (t) => `${t}\ndef broken(:\n    pass\n`, /devtools\/dev_local\.py:\d+: /),
    on('docker-stack.yml', (t) => t.replace('  dagster_daemon:', '  grafana:\n    image: grafana/grafana\n    ports:\n      - published: 4002\n        target: 3000\n\n  dagster_daemon:'), /port 4002 is already used \(docker-stack\.yml:\d+: ports of service grafana\)/),
    on('docker-stack.yml', (t) => t.replace('  dagster_daemon:', '  reports:\n    image: reports:${DAGSTER_BUILD_TAG_ANALYTICS:-latest}\n\n  dagster_daemon:'), /short name "analytics" is taken: docker-stack\.yml:\d+ already uses DAGSTER_BUILD_TAG_ANALYTICS \(service reports\)/),
    on('.yo-rc.json', () => '{\n  "generator-dagster-location": {\n    "webserverPort": 4002\n  }\n}\n', /port 4002 is the Dagster webserver's \(webserverPort in \.yo-rc\.json:3\)/),
  ];
}

function breakFile(dir: string, path: string, change: (text: string) => string): void {
  const full = join(dir, path);
  writeFileSync(full, change(existsSync(full) ? readFileSync(full, 'utf8') : ''));
}

describe('bad input: refused with a helpful message, exit 1, nothing written', () => {
  for (const bad of BAD_INPUTS) {
    it(`dagster-location ${bad.args.join(' ')}${bad.prepare ? ' (on a broken repo)' : ''}`, () => {
      const dir = copyFixture();
      bad.prepare?.(dir);
      const before = snapshot(dir);
      // clickhouse installs nothing, so it takes no --skip-install.
      const result = runBin(dir, [...bad.args, '--force', ...(bad.args[0] === 'clickhouse' ? [] : ['--skip-install'])]);
      assert.equal(result.status, 1, result.output);
      assert.match(result.stderr, bad.message);
      assert.deepEqual(changes(before, snapshot(dir)), { added: [], changed: [], removed: [] });
    });
  }

  it('docs/bad-inputs.md lists every case tested here', () => {
    const doc = readFileSync(join(PROJECT, 'docs', 'bad-inputs.md'), 'utf8');
    for (const bad of BAD_INPUTS) {
      const command = `dagster-location ${bad.args.join(' ')}`.replace(LONG_NAME, '<56-character name>').replace(/\n/g, '\\n');
      assert.ok(doc.includes(command), `the doc lists \`${command}\``);
    }
  });
});

describe('values that reach files', () => {
  it('a description with quotes and backslashes is written as a valid TOML string', async () => {
    const dir = copyFixture();
    const description = 'Traffic "marts" \\ latency';
    const result = runBin(dir, ['package', 'network_analytics', 'analytics', '4002', '--description', description, '--force', '--skip-install']);
    assert.equal(result.status, 0, result.output);
    const { parse } = await import('smol-toml');
    const pyproject = parse(readFileSync(join(dir, 'src/network_analytics/pyproject.toml'), 'utf8')) as { project: { description: string } };
    assert.equal(pyproject.project.description, description);
  });
});

/**
 * Valid input in spellings other than the example's is accepted: each run exits 0 and the new
 * location is written in the file's own spelling.
 */
const SPELLINGS: Array<{ name: string; file: string; change: (text: string) => string; expect: RegExp }> = [
  { name: '[ tool.uv.workspace ] with spaces inside the brackets', file: 'pyproject.toml', change: (t) => t.replace('[tool.uv.workspace]', '[ tool.uv.workspace ]'), expect: /\[ tool\.uv\.workspace \]\nmembers = \[.*"src\/network_analytics"\]/ },
  {
    name: 'the workspace as dotted keys under [tool.uv]',
    file: 'pyproject.toml',
    change: (t) => t.replace('[tool.uv.workspace]\nmembers =', '[tool.uv]\nworkspace.members =').replace('[tool.uv.sources]', '[tool.uv.sources]'),
    expect: /\[tool\.uv\]\nworkspace\.members = \[.*"src\/network_analytics"\]/,
  },
  {
    name: 'the workspace as an inline table',
    file: 'pyproject.toml',
    change: (t) => t.replace(/\[tool\.uv\.workspace\]\nmembers = (\[.*\])/, '[tool.uv]\nworkspace = { members = $1 }'),
    expect: /workspace = \{ members = \[.*"src\/network_analytics"\] \}/,
  },
  {
    name: 'uv sources written as sub-tables',
    file: 'pyproject.toml',
    change: (t) => t.replace(/\[tool\.uv\.sources\]\n(?:.*\n)*?\n/, '[tool.uv.sources.shared]\nworkspace = true\n\n[tool.uv.sources.vanguard-wholesale]\nworkspace = true\n\n[tool.uv.sources.underwriting-ml]\nworkspace = true\n\n'),
    expect: /\[tool\.uv\.sources\.underwriting-ml\]\nworkspace = true\n\n\[tool\.uv\.sources\.network-analytics\]\nworkspace = true\n/,
  },
  {
    name: 'load_from as a flow sequence',
    file: 'workspace.yaml',
    change: () => 'load_from: [{grpc_server: {host: vanguard_wholesale, port: 4000, location_name: vanguard_wholesale}}, {grpc_server: {host: underwriting_ml, port: 4001, location_name: underwriting_ml}}]\n',
    expect: /\{grpc_server: \{host: underwriting_ml, port: 4001, location_name: underwriting_ml\}\}, \{grpc_server: \{host: network_analytics, port: 4002, location_name: network_analytics\}\}\]/,
  },
  {
    name: 'a merge key in workspace.yaml',
    file: 'workspace.yaml',
    change: (t) => t.replace('load_from:', 'x-server: &server\n  host: vanguard_wholesale\nload_from:').replace('      host: vanguard_wholesale\n', '      <<: *server\n'),
    expect: /host: network_analytics\n {6}port: 4002/,
  },
  { name: 'a ... document end marker', file: 'workspace.yaml', change: (t) => `${t}...\n`, expect: /location_name: "network_analytics"\n\.\.\.\n$/ },
  {
    name: 'parallel steps as a flow sequence',
    file: 'bitbucket-pipelines.yml',
    change: (t) => t.replace(/(rebuild-all-images:\n {6}- parallel:\n {10}steps:)\n(?: {12}- step: .*\n)+/, '$1 [{step: *build-push-vanguard_wholesale}, {step: *build-push-underwriting_ml}, {step: *build-push-bootstrap}]\n'),
    expect: /\{step: \*build-push-underwriting_ml\}, \{step: \*build-push-network_analytics\}, \{step: \*build-push-bootstrap\}\]/,
  },
  {
    name: 'compose services as a flow mapping',
    file: 'compose.yml',
    change: () => 'services: {\n  underwriting_ml: {image: dagster-underwriting-ml, ports: ["4001:4001"]},\n  dagster_webserver: {image: dagster-platform, depends_on: [underwriting_ml]}\n}\n',
    expect: /underwriting_ml: \{.*\},\n {2}network_analytics: \{image: dagster-network-analytics, ports: \["4002:4002"\]\},\n {2}dagster_webserver: \{image: dagster-platform, depends_on: \[underwriting_ml, network_analytics\]\}/,
  },
  { name: 'an explicit ? key in compose', file: 'compose.yml', change: (t) => t.replace(/^ {2}underwriting_ml:$/m, '  ? underwriting_ml\n  :'), expect: /\n {2}\? network_analytics\n {2}:\n/ },
  {
    name: 'Dockerfiles with the # escape=` directive (backtick continuations)',
    file: 'Dockerfile.vanguard.wholesale',
    change: (t) => `# escape=\`\n${t.replace(/\\$/gm, '`').replace(/^(COPY src\/underwriting_ml\/pyproject\.toml) /m, '$1 `\n    ')}`,
    expect: /COPY src\/underwriting_ml\/pyproject\.toml `\n {4}\.\/src\/underwriting_ml\/pyproject\.toml\nCOPY src\/network_analytics\/pyproject\.toml `\n {4}\.\/src\/network_analytics\/pyproject\.toml\n/,
  },
];

describe('valid input in other spellings: accepted, the new location written in the same spelling', () => {
  for (const spelling of SPELLINGS) {
    it(spelling.name, () => {
      const dir = copyFixture();
      breakFile(dir, spelling.file, spelling.change);
      const result = runBin(dir, ['network_analytics', 'analytics', '4002', '--force', '--skip-install']);
      assert.equal(result.status, 0, result.output);
      assert.match(readFileSync(join(dir, spelling.file), 'utf8'), spelling.expect);
    });
  }
});
