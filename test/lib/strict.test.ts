/**
 * Strict reading, format by format: each fixture text is refused with a message naming the file
 * and line, and each valid spelling next to it is read.
 */
import assert from 'node:assert/strict';
import { checkDockerfile, escapeCharacter, instructions, stubCopies, addStub } from '../../lib/editors/dockerfile.js';
import { hclBlocks } from '../../lib/editors/hcl.js';
import { checkPythonSyntax } from '../../lib/editors/python.js';
import { EditError } from '../../lib/editors/text.js';
import { addTableEntry, keyValueText, withoutComment } from '../../lib/editors/toml.js';
import { parseYaml } from '../../lib/editors/yaml.js';
import { declaresWorkspace } from '../../lib/monorepo.js';

interface Refusal {
  name: string;
  read: (text: string, file: string) => unknown;
  file: string;
  text: string;
  /** The whole message, `file:line: ...`. */
  message: RegExp;
}

const yaml = (text: string, file: string) => parseYaml(text, file);
const hcl = (text: string, file: string) => hclBlocks(text, file);

const REFUSALS: Refusal[] = [
  { name: 'YAML: an alias to an undefined anchor', read: yaml, file: 'c.yml', text: 'a: 1\nb: *x\n', message: /^c\.yml:2: the alias \*x refers to no anchor defined before it$/ },
  { name: 'YAML: an alias before its anchor', read: yaml, file: 'c.yml', text: 'a: *x\nb: &x 1\n', message: /^c\.yml:1: the alias \*x refers to no anchor/ },
  { name: 'YAML: a duplicate anchor', read: yaml, file: 'c.yml', text: 'a: &x 1\nb: &x 2\nc: *x\n', message: /^c\.yml:2: the anchor &x is defined a second time \(first at line 1\)/ },
  { name: 'YAML: a duplicate key', read: yaml, file: 'c.yml', text: 'services:\n  a: 1\n  b: 2\n  a: 3\n', message: /^c\.yml:4: the key "a" appears twice in one map \(first at line 2\)$/ },
  { name: 'YAML: a NUL byte', read: yaml, file: 'c.yml', text: 'a: 1\nb: x\u0000y\n', message: /^c\.yml:2: a NUL byte is not allowed in YAML$/ },
  { name: 'YAML: another control character', read: yaml, file: 'c.yml', text: 'a: x\u0007\n', message: /^c\.yml:1: the control character U\+0007 is not allowed in YAML$/ },
  { name: 'YAML: Jinja {{ x }} read as a flow mapping', read: yaml, file: 'w.yaml', text: 'load_from:\n  - grpc_server: {{ loc }}\n', message: /^w\.yaml:2: "\{\{ loc \}\}" is template syntax, not YAML/ },
  { name: 'YAML: Jinja inside a plain scalar', read: yaml, file: 'w.yaml', text: 'image: registry/app:{{ tag }}\n', message: /^w\.yaml:1: "\{\{ tag \}\}" is template syntax/ },
  { name: 'YAML: an unknown tag (a parser warning)', read: yaml, file: 'c.yml', text: 'a: !nope 1\n', message: /^c\.yml:1: Unresolved tag: !nope$/ },
  { name: 'HCL: an attribute without =', read: hcl, file: 'b.hcl', text: 'target "x" {\n  context "."\n}\n', message: /^b\.hcl:2: context "\." is neither an attribute nor a block: write context = "\."$/ },
  { name: 'HCL: an attribute set twice', read: hcl, file: 'b.hcl', text: 'target "x" {\n  context = "."\n  context = "src"\n}\n', message: /^b\.hcl:3: context is set twice in target "x" \(first at line 2\)$/ },
  { name: 'HCL: a target defined twice', read: hcl, file: 'b.hcl', text: 'target "x" {\n}\n\ntarget "x" {\n  context = "."\n}\n', message: /^b\.hcl:4: target "x" is defined a second time \(first at line 1\); bake would merge the two$/ },
  { name: 'Dockerfile: an unknown instruction', read: checkDockerfile, file: 'Dockerfile.x', text: 'FROM python:3.13\nCOPPY . .\n', message: /^Dockerfile\.x:2: unknown instruction COPPY/ },
  { name: 'Dockerfile: a continuation without its escape character', read: checkDockerfile, file: 'Dockerfile.x', text: 'FROM python:3.13\nRUN apt-get update\n    && apt-get install -y curl\n', message: /^Dockerfile\.x:3: not an instruction: "&& apt-get install -y curl" \(a line before it may be missing its \\ at the end\)$/ },
  { name: 'Dockerfile: a backslash continuation under # escape=`', read: checkDockerfile, file: 'Dockerfile.x', text: '# escape=`\nFROM python:3.13\nRUN echo a \\\n    && echo b\n', message: /^Dockerfile\.x:4: not an instruction: .*missing its ` at the end/ },
  { name: 'Dockerfile: a heredoc never closed', read: checkDockerfile, file: 'Dockerfile.x', text: 'FROM python:3.13\nRUN <<EOF\necho hi\n', message: /^Dockerfile\.x:2: the heredoc <<EOF is never closed$/ },
  { name: 'Python: a dict never closed', read: checkPythonSyntax, file: 'devtools/check_defs.py', text: 'ALIASES = {\n    "a": "b",\n\ndef main():\n    pass\n', message: /^devtools\/check_defs\.py:1: '\{' was never closed$/ },
  { name: 'Python: an unmatched bracket', read: checkPythonSyntax, file: 'x.py', text: 'x = 1)\n', message: /^x\.py:1: unmatched '\)'$/ },
  { name: 'Python: mismatched brackets', read: checkPythonSyntax, file: 'x.py', text: 'x = [1,\n  2)\n', message: /^x\.py:2: closing parenthesis '\)' does not match opening parenthesis '\[' on line 1$/ },
  { name: 'Python: an unterminated string', read: checkPythonSyntax, file: 'x.py', text: 'x = "abc\n', message: /^x\.py:1: unterminated string literal$/ },
  { name: 'Python: an unexpected indent', read: checkPythonSyntax, file: 'x.py', text: 'x = 1\n    y = 2\n', message: /^x\.py:2: unexpected indent$/ },
  { name: 'Python: a dedent to no outer level', read: checkPythonSyntax, file: 'x.py', text: 'def f():\n        x = 1\n    y = 2\n', message: /^x\.py:3: unindent does not match any outer indentation level$/ },
  { name: 'Python: a block header without a block', read: checkPythonSyntax, file: 'x.py', text: 'def f():\nx = 1\n', message: /^x\.py:2: expected an indented block after line 1$/ },
  { name: 'Python: a character Python does not allow', read: checkPythonSyntax, file: 'x.py', text: 'x = $y\n', message: /^x\.py:1: invalid character '\$'$/ },
];

describe('strict reading: refusals name the file and line', () => {
  for (const refusal of REFUSALS) {
    it(refusal.name, () => {
      assert.throws(
        () => refusal.read(refusal.text, refusal.file),
        (error: unknown) => error instanceof EditError && refusal.message.test(error.message),
      );
    });
  }
});

describe('strict reading: valid input is read', () => {
  const validYaml = [
    'a: &x {b: 1}\nc:\n  <<: *x\n  d: 2\n',
    'hostname: "{{.Node.Hostname}}"\n',
    'script:\n  - docker inspect --format "{{json .State}}" x\n',
    '? a\n: 1\n? b\n: 2\n',
    'a:\n  - 1\n...\n',
    '# only a comment\n',
  ];
  for (const text of validYaml) it(`YAML: ${JSON.stringify(text)}`, () => assert.ok(parseYaml(text, 'v.yml')));

  const validPython = [
    'class A:\n    def f(self):\n        return {"a": [1, 2]}\n\n\nx = f"{1!r}"\n',
    'if x: y = 1\nelse:\n    y = 2\n',
    'x = (1 +\n     2)\ny = 1 \\\n    + 2\n',
    's = """\n  not code: {\n"""\nmatch s:\n    case "a":\n        pass\n',
    'café = 1\n\tz = 2\n'.replace('\tz = 2\n', ''),
    'def f[T](x: T) -> T:\n    return x\ntype Alias = list[int]\n',
  ];
  for (const text of validPython) it(`Python: ${JSON.stringify(text.slice(0, 40))}`, () => checkPythonSyntax(text, 'v.py'));

  it('Dockerfile: directives, heredocs, comments and blank lines inside continuations', () => {
    const text = '# syntax=docker/dockerfile:1\n# escape=\\\nFROM python:3.13\nRUN <<EOF\nset -e\nnot an instruction here\nEOF\nRUN apt-get update \\\n    # a comment\n\n    && apt-get install -y curl\nCOPY <<-EOT /app/x\n\tcontent\n\tEOT\n';
    checkDockerfile(text, 'Dockerfile');
    assert.deepEqual(instructions(text).map((i) => i.keyword), ['FROM', 'RUN', 'RUN', 'COPY']);
  });

  it('Dockerfile: # escape=` makes the backtick the continuation, and stubs are found and added', () => {
    const text = '# escape=`\nFROM python:3.13\nRUN uv sync --frozen --package x `\n    --no-dev\nCOPY src/shared/pyproject.toml `\n    ./src/shared/pyproject.toml\nWORKDIR C:\\app\\\n';
    assert.equal(escapeCharacter(text), '`');
    checkDockerfile(text, 'Dockerfile.x');
    assert.deepEqual(stubCopies(text).map((s) => s.member), ['shared']);
    const result = addStub(text, 'network_analytics', 'Dockerfile.x');
    assert.match(result, /COPY src\/shared\/pyproject\.toml `\n {4}\.\/src\/shared\/pyproject\.toml\nCOPY src\/network_analytics\/pyproject\.toml `\n {4}\.\/src\/network_analytics\/pyproject\.toml\nWORKDIR/);
  });

  it('TOML: the workspace in every spelling is found', () => {
    for (const text of [
      '[tool.uv.workspace]\nmembers = []\n',
      '[ tool.uv.workspace ]\nmembers = []\n',
      '[tool . "uv" . workspace]\nmembers = []\n',
      '[tool.uv]\nworkspace.members = ["src/a"]\n',
      '[tool.uv]\nworkspace = { members = ["src/a"] }\n',
      '[tool]\nuv.workspace.members = []\n',
      '[ tool.uv.workspace ]\nmembers = [\n', // does not parse: found, so that the reading names the error
    ]) {
      assert.ok(declaresWorkspace(text), text);
    }
    for (const text of ['[tool.uv]\ndev-dependencies = []\n', '[tool.uv.not-a-workspace]\n', '# [tool.uv.workspace]\n']) assert.ok(!declaresWorkspace(text), text);
  });

  it('TOML: a source written as a sub-table is copied as a sub-table, after its siblings', () => {
    const text = '[tool.uv.sources.shared]\nworkspace = true\n\n[tool.uv.sources.underwriting-ml]\nworkspace = true  # the canonical one\n\n[build-system]\nrequires = []\n';
    const sibling = keyValueText(text, ['tool', 'uv', 'sources', 'underwriting-ml'])!;
    const block = withoutComment(sibling).replace('underwriting-ml', 'network-analytics');
    const result = addTableEntry(text, ['tool', 'uv', 'sources'], 'network-analytics', block);
    assert.equal(result, text.replace('# the canonical one\n', '# the canonical one\n\n[tool.uv.sources.network-analytics]\nworkspace = true  # the canonical one\n'));
  });
});
