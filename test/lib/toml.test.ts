import assert from 'node:assert/strict';
import { addTableEntry, appendToArray, getPath, keyValueText, outlineToml, parseToml, withoutComment } from '../../lib/editors/toml.js';
import { insertedLines, onlyAdds, parsesAsToml, throwsEditError } from './assertions.js';

const MEMBERS = ['tool', 'uv', 'workspace', 'members'];
const SOURCES = ['tool', 'uv', 'sources'];
const NEW = /network[-_]analytics/;

/** Append `src/network_analytics` to the members, check it only added text, and that a second run changes nothing. */
function addMember(text: string): string {
  const result = appendToArray(text, MEMBERS, 'src/network_analytics');
  onlyAdds(text, result, NEW);
  const members = getPath(parsesAsToml(result), MEMBERS) as string[];
  assert.deepEqual(members.filter((m) => m !== 'src/network_analytics'), getPath(parseToml(text), MEMBERS));
  assert.equal(members.filter((m) => m === 'src/network_analytics').length, 1);
  assert.equal(appendToArray(result, MEMBERS, 'src/network_analytics'), result, 'second run changes nothing');
  return result;
}

function addSource(text: string, line = 'network-analytics = { workspace = true }'): string {
  const result = addTableEntry(text, SOURCES, 'network-analytics', line);
  assert.deepEqual({ ...(getPath(parsesAsToml(result), [...SOURCES, 'network-analytics']) as object) }, { workspace: true });
  assert.equal(addTableEntry(result, SOURCES, 'network-analytics', line), result, 'second run changes nothing');
  return result;
}

describe('TOML editor (root pyproject.toml)', () => {
  describe('appendToArray', () => {
    it('one-line arrays stay on one line, in the quote style of the last element', () => {
      assert.equal(addMember('[tool.uv.workspace]\nmembers = ["src/shared", "src/underwriting_ml"]\n'), '[tool.uv.workspace]\nmembers = ["src/shared", "src/underwriting_ml", "src/network_analytics"]\n');
      assert.equal(addMember("[tool.uv.workspace]\nmembers = [ 'src/shared', 'src/underwriting_ml', ]\n"), "[tool.uv.workspace]\nmembers = [ 'src/shared', 'src/underwriting_ml', 'src/network_analytics', ]\n");
    });

    it('multi-line arrays with and without a trailing comma', () => {
      assert.equal(
        addMember('[tool.uv.workspace]\nmembers = [\n    "src/shared",\n    "src/underwriting_ml",\n]\n'),
        '[tool.uv.workspace]\nmembers = [\n    "src/shared",\n    "src/underwriting_ml",\n    "src/network_analytics",\n]\n',
      );
      assert.equal(
        addMember('[tool.uv.workspace]\nmembers = [\n  "src/shared",\n  "src/underwriting_ml"\n]\n'),
        '[tool.uv.workspace]\nmembers = [\n  "src/shared",\n  "src/underwriting_ml",\n  "src/network_analytics"\n]\n',
      );
    });

    it('comments inside the array and after elements stay where they are', () => {
      const text = [
        '[project]',
        'dependencies = [',
        '    # infra first',
        '    "shared",               # not a code location',
        '    "underwriting-ml",      # :4001, see [docs], "quoted"',
        '    # more to come',
        ']',
        '',
      ].join('\n');
      const result = appendToArray(text, ['project', 'dependencies'], 'network-analytics');
      assert.equal(
        result,
        text.replace('"quoted"\n', '"quoted"\n    "network-analytics",\n'),
      );
      assert.deepEqual(insertedLines(text, result), ['    "network-analytics",']);
    });

    it('a comment after the last element without a trailing comma: the comma goes before the comment', () => {
      const text = '[project]\ndependencies = [\n  "shared",\n  "underwriting-ml"  # canonical\n]\n';
      assert.equal(
        appendToArray(text, ['project', 'dependencies'], 'network-analytics'),
        '[project]\ndependencies = [\n  "shared",\n  "underwriting-ml",  # canonical\n  "network-analytics"\n]\n',
      );
    });

    it('the bracket closing on the last element line', () => {
      assert.equal(
        addMember('[tool.uv.workspace]\nmembers = [\n  "src/shared",\n  "src/underwriting_ml"]  # all of them\n'),
        '[tool.uv.workspace]\nmembers = [\n  "src/shared",\n  "src/underwriting_ml",\n  "src/network_analytics"]  # all of them\n',
      );
    });

    it('literal strings stay literal; a value a literal cannot hold gets double quotes', () => {
      const text = "[tool.hatch.build.targets.wheel]\npackages = ['devtools', 'src/shared']\n";
      assert.equal(appendToArray(text, ['tool', 'hatch', 'build', 'targets', 'wheel', 'packages'], 'src/x'), "[tool.hatch.build.targets.wheel]\npackages = ['devtools', 'src/shared', 'src/x']\n");
      assert.equal(appendToArray(text, ['tool', 'hatch', 'build', 'targets', 'wheel', 'packages'], "it's"), "[tool.hatch.build.targets.wheel]\npackages = ['devtools', 'src/shared', \"it's\"]\n");
    });

    it('dotted keys and quoted keys find the array', () => {
      assert.equal(addMember('tool.uv.workspace.members = ["src/shared"]\n'), 'tool.uv.workspace.members = ["src/shared", "src/network_analytics"]\n');
      assert.equal(addMember('[tool."uv"]\n"workspace".members = ["src/shared"]\n'), '[tool."uv"]\n"workspace".members = ["src/shared", "src/network_analytics"]\n');
      assert.equal(addMember("[ tool . uv . workspace ]  # spaced\n'members' = [\"src/shared\"]\n"), "[ tool . uv . workspace ]  # spaced\n'members' = [\"src/shared\", \"src/network_analytics\"]\n");
    });

    it('multi-line strings holding [, ] and # are not mistaken for tables, arrays or comments', () => {
      const text = [
        '[project]',
        'description = """',
        'Not a table:',
        '[tool.uv.workspace]',
        'members = ["fake"]  # nor a comment',
        '"""',
        "notes = '''a ] and a [ and a # '''",
        '',
        '[tool.uv.workspace]',
        'members = ["src/shared"]',
        '',
      ].join('\n');
      const result = addMember(text);
      assert.equal(result, text.replace('members = ["src/shared"]', 'members = ["src/shared", "src/network_analytics"]'));
      assert.equal((parseToml(result).project as { description: string }).description, 'Not a table:\n[tool.uv.workspace]\nmembers = ["fake"]  # nor a comment\n');
    });

    it('CRLF and no final newline are kept', () => {
      const text = '[tool.uv.workspace]\r\nmembers = [\r\n    "src/shared",\r\n]';
      const result = addMember(text);
      assert.equal(result, '[tool.uv.workspace]\r\nmembers = [\r\n    "src/shared",\r\n    "src/network_analytics",\r\n]');
      assert.deepEqual(insertedLines(text, result), ['    "src/network_analytics",']);
    });

    it('tables in any order, arrays of tables and other values around do not confuse it', () => {
      const text = [
        '[[tool.mypy.overrides]]',
        'module = ["a.*"]',
        '[project]',
        'dependencies = ["shared"]',
        'ratio = nan',
        'when = 1979-05-27 07:32:00',
        'at = 07:32:00',
        'limits = { low = 1, high = [2, 3] }',
        '[tool.uv.workspace]',
        'members = ["src/shared"]',
      ].join('\n');
      assert.equal(addMember(text), text.replace('members = ["src/shared"]', 'members = ["src/shared", "src/network_analytics"]'));
    });

    it('an empty array gets the element, and keeps a comment inside it', () => {
      assert.equal(addMember('[tool.uv.workspace]\nmembers = []\n'), '[tool.uv.workspace]\nmembers = ["src/network_analytics"]\n');
      assert.equal(addMember('[tool.uv.workspace]\nmembers = [\n    # none yet\n]\n'), '[tool.uv.workspace]\nmembers = [\n    # none yet\n    "src/network_analytics"\n]\n');
    });

    it('toml-sort style: a sorted array (three strings or more) gets the element in its sorted place', () => {
      assert.equal(
        addMember('[tool.uv.workspace]\nmembers = ["src/shared", "src/underwriting_ml", "src/vanguard_wholesale"]\n'),
        '[tool.uv.workspace]\nmembers = ["src/network_analytics", "src/shared", "src/underwriting_ml", "src/vanguard_wholesale"]\n',
      );
      const text = '[tool.uv.workspace]\nmembers = [\n  "src/a_loc",\n  # the canonical one\n  "src/underwriting_ml",\n  "src/vanguard_wholesale",\n]\n';
      assert.equal(addMember(text), '[tool.uv.workspace]\nmembers = [\n  "src/a_loc",\n  "src/network_analytics",\n  # the canonical one\n  "src/underwriting_ml",\n  "src/vanguard_wholesale",\n]\n');
      // Two elements in order are not a habit yet; unsorted arrays get it last.
      assert.equal(addMember('[tool.uv.workspace]\nmembers = ["src/shared", "src/underwriting_ml"]\n'), '[tool.uv.workspace]\nmembers = ["src/shared", "src/underwriting_ml", "src/network_analytics"]\n');
    });

    it('a second run changes nothing', () => {
      const text = '[tool.uv.workspace]\nmembers = ["src/shared", "src/network_analytics"]\n';
      assert.equal(appendToArray(text, MEMBERS, 'src/network_analytics'), text);
    });

    it('an array written inside an inline table gets the element there, on its line', () => {
      const text = '[project]\nname = "x"\n\n[tool.uv]\nworkspace = { members = ["src/shared"], exclude = [] }\n';
      assert.equal(appendToArray(text, MEMBERS, 'src/network_analytics'), text.replace('["src/shared"]', '["src/shared", "src/network_analytics"]'));
    });

    it('an array of a workspace written as dotted keys under [tool.uv] gets the element', () => {
      const text = '[tool.uv]\nworkspace.members = [\n    "src/shared",\n]\n';
      assert.equal(appendToArray(text, MEMBERS, 'src/network_analytics'), text.replace('    "src/shared",\n', '    "src/shared",\n    "src/network_analytics",\n'));
    });

    it('a missing array or a value that is not an array is refused', () => {
      throwsEditError(() => appendToArray('[tool.uv.workspace]\n', MEMBERS, 'x'), 'pyproject.toml', /no array at tool\.uv\.workspace\.members/);
      throwsEditError(() => appendToArray('[tool.uv.workspace]\nmembers = "src/*"\n', MEMBERS, 'x'), 'pyproject.toml');
    });

    it('a syntax error is reported with the file and line, nothing is edited', () => {
      throwsEditError(() => appendToArray('[project]\nname = "x"\ndependencies = ["a",\n[tool.uv.workspace]\nmembers = []\n', MEMBERS, 'x', 'root/pyproject.toml'), 'root/pyproject.toml', 4);
      throwsEditError(() => parseToml('a = 1\nb = = 2\n', 'pyproject.toml'), 'pyproject.toml', 2);
    });
  });

  describe('addTableEntry', () => {
    it('adds the line after the last key of the table, whatever the table order', () => {
      const text = '[tool.uv.sources]\nshared = { workspace = true }\nunderwriting-ml = { workspace = true }\n\n[build-system]\nrequires = ["hatchling"]\n';
      const result = addSource(text);
      assert.deepEqual(insertedLines(text, result), ['network-analytics = { workspace = true }']);
      assert.equal(result.indexOf('network-analytics'), result.indexOf('underwriting-ml = {') + 'underwriting-ml = { workspace = true }\n'.length);
    });

    it('dotted keys, inline tables and quoted keys with trailing comments as siblings', () => {
      const text = '[tool.uv.sources]\n# every member from the workspace\nshared.workspace = true\nvanguard-wholesale = {workspace=true}\n"underwriting-ml" = { workspace = true }   # canonical\n\n[project]\nname = "x"\n';
      const sibling = keyValueText(text, [...SOURCES, 'underwriting-ml'])!;
      assert.equal(sibling, '"underwriting-ml" = { workspace = true }   # canonical');
      const line = withoutComment(sibling).replace('underwriting-ml', 'network-analytics');
      assert.equal(line, '"network-analytics" = { workspace = true }');
      const result = addSource(text, line);
      assert.deepEqual(insertedLines(text, result), ['"network-analytics" = { workspace = true }']);
      assert.ok(result.includes('# canonical\n"network-analytics" = { workspace = true }\n\n[project]'));
      assert.equal(keyValueText(text, [...SOURCES, 'shared']), 'shared.workspace = true');
    });

    it('toml-sort style: when the keys are sorted the new one takes its sorted place, above the next key\'s comments', () => {
      const text = [
        '[tool.uv.sources]',
        '# all from the workspace',
        'alpha-loc = { workspace = true }',
        'shared = { workspace = true }',
        '# canonical',
        'underwriting-ml = { workspace = true }',
        '',
      ].join('\n');
      const result = addSource(text);
      assert.equal(result, text.replace('shared = { workspace = true }\n', 'network-analytics = { workspace = true }\nshared = { workspace = true }\n'));
      const first = addTableEntry(text, SOURCES, 'aaa', 'aaa = { workspace = true }');
      assert.equal(first, text.replace('# all from the workspace\n', '# all from the workspace\naaa = { workspace = true }\n'));
    });

    it('keys that are not sorted: the new key goes last', () => {
      const text = '[tool.uv.sources]\nshared = { workspace = true }\nvanguard-wholesale = { workspace = true }\nunderwriting-ml = { workspace = true }\n';
      assert.equal(addSource(text), `${text}network-analytics = { workspace = true }\n`);
    });

    it('a table with a header but no keys gets the line under its header', () => {
      const text = '[tool.uv.sources]\n\n[project]\nname = "x"\n';
      assert.equal(addSource(text), '[tool.uv.sources]\nnetwork-analytics = { workspace = true }\n\n[project]\nname = "x"\n');
      assert.equal(addSource('[project]\nname = "x"\n[tool.uv.sources]'), '[project]\nname = "x"\n[tool.uv.sources]\nnetwork-analytics = { workspace = true }');
    });

    it('a missing table is created at the end, in the file line ending and final-newline habit', () => {
      assert.equal(addSource('[project]\nname = "x"\n'), '[project]\nname = "x"\n\n[tool.uv.sources]\nnetwork-analytics = { workspace = true }\n');
      assert.equal(addSource('[project]\r\nname = "x"'), '[project]\r\nname = "x"\r\n\r\n[tool.uv.sources]\r\nnetwork-analytics = { workspace = true }');
      assert.equal(addSource('[project]\nname = "x"\n\n'), '[project]\nname = "x"\n\n[tool.uv.sources]\nnetwork-analytics = { workspace = true }\n');
    });

    it('a table that so far only has sub-tables gets its own header', () => {
      const text = '[tool.uv.sources.shared]\nworkspace = true\n';
      assert.equal(addSource(text), '[tool.uv.sources.shared]\nworkspace = true\n\n[tool.uv.sources]\nnetwork-analytics = { workspace = true }\n');
    });

    it('CRLF and no final newline after the last key', () => {
      const text = '[tool.uv.sources]\r\nshared = { workspace = true }';
      const result = addSource(text);
      assert.equal(result, '[tool.uv.sources]\r\nshared = { workspace = true }\r\nnetwork-analytics = { workspace = true }');
      assert.deepEqual(insertedLines(text, result), ['network-analytics = { workspace = true }']);
    });

    it('a multi-line value of the last key is stepped over', () => {
      const text = '[tool.uv.sources]\nshared = { workspace = true }\nunderwriting-ml = { git = """https://example.com/[repo]#x""" }\n';
      assert.equal(addSource(text), `${text}network-analytics = { workspace = true }\n`);
    });

    it('a table written inline or with dotted keys from its parent is refused with the line', () => {
      throwsEditError(() => addSource('[project]\nname = "x"\n[tool.uv]\nsources = { shared = { workspace = true } }\n'), 'pyproject.toml', 4);
      throwsEditError(() => addSource('[tool]\nuv.sources.shared.workspace = true\n'), 'pyproject.toml', 2);
    });

    it('verification: a line that sets another key, or more than the key, is refused', () => {
      const text = '[tool.uv.sources]\nshared = { workspace = true }\n';
      throwsEditError(() => addTableEntry(text, SOURCES, 'network-analytics', 'other = { workspace = true }'), 'pyproject.toml', /must set network-analytics/);
      throwsEditError(() => addTableEntry(text, SOURCES, 'network-analytics', 'network-analytics = 1\n[project]\nname = "evil"'), 'pyproject.toml');
      throwsEditError(() => addTableEntry(text, SOURCES, 'network-analytics', 'network-analytics = '), 'pyproject.toml', 1);
    });

    it('a value that is not a table is refused', () => {
      throwsEditError(() => addTableEntry('[tool.uv]\nsources = 1\n', SOURCES, 'a', 'a = 1'), 'pyproject.toml', /not a table/);
    });
  });

  describe('outlineToml', () => {
    it('locates keys, tables and array elements; a byte-order mark is skipped', () => {
      const text = '\uFEFFname = "x"\n[tool.uv.workspace]\nmembers = ["a", "b",]\n';
      const outline = outlineToml(text);
      assert.deepEqual(outline.tables.map((t) => t.path), [['tool', 'uv', 'workspace']]);
      assert.deepEqual(outline.keys.map((k) => k.path.join('.')), ['name', 'tool.uv.workspace.members']);
      const members = outline.keys[1].array!;
      assert.deepEqual(members.elements.map((e) => text.slice(e.start, e.end)), ['"a"', '"b"']);
      assert.equal(text[members.elements[1].comma!], ',');
    });

    it('a scanner error names the file and the line', () => {
      throwsEditError(() => outlineToml('a = 1\n= 2\n', 'x.toml'), 'x.toml', 2);
    });
  });
});
