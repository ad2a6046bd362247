import assert from 'node:assert/strict';
import { appendListElement, detectEol, insertListElement, EditError, insertLines, LineCounter, lineNumber, splitLines, withEol, type BracketList } from '../../lib/editors/text.js';
import { insertedLines } from './assertions.js';

/** A bracket list of plain words, with `#` comments, located by a small scanner of its own. */
function wordList(text: string): BracketList {
  const open = text.indexOf('[');
  const close = text.lastIndexOf(']');
  const elements: BracketList['elements'] = [];
  const skip = (i: number) => {
    for (;;) {
      while (/\s/.test(text[i])) i++;
      if (text[i] !== '#') return i;
      while (i < close && text[i] !== '\n') i++;
    }
  };
  let i = skip(open + 1);
  while (i < close) {
    if (text[i] === ',') {
      elements.at(-1)!.comma = i;
      i = skip(i + 1);
      continue;
    }
    const start = i;
    while (/[A-Za-z0-9_"]/.test(text[i])) i++;
    elements.push({ start, end: i });
    i = skip(i);
  }
  return { open, close, elements };
}

const append = (text: string, element = 'new') => appendListElement(text, wordList(text), element);

describe('text editor helpers', () => {
  describe('detectEol / withEol / splitLines', () => {
    it('takes the majority line ending, LF for a one-line file', () => {
      assert.equal(detectEol('a\r\nb\r\nc\n'), '\r\n');
      assert.equal(detectEol('a\nb\nc\r\n'), '\n');
      assert.equal(detectEol('one line'), '\n');
    });

    it('rewrites a template to the file line ending and splits lines without their endings', () => {
      assert.equal(withEol('a\nb\r\n', '\r\n'), 'a\r\nb\r\n');
      assert.equal(withEol('a\r\nb\n', '\n'), 'a\nb\n');
      assert.deepEqual(splitLines('a\r\nb\n'), ['a', 'b']);
      assert.deepEqual(splitLines('a\nb'), ['a', 'b']);
    });

    it('numbers lines from 1 for messages', () => {
      assert.equal(lineNumber('a\nb\nc', 0), 1);
      assert.equal(lineNumber('a\nb\nc', 2), 2);
      assert.equal(lineNumber('a\r\nb\r\nc', 6), 3);
    });
  });

  describe('insertLines', () => {
    it('inserts at a line boundary in the file line ending', () => {
      assert.equal(insertLines('a\r\nc\r\n', 3, ['b']), 'a\r\nb\r\nc\r\n');
      assert.equal(insertLines('a\nc\n', 2, ['b1', 'b2']), 'a\nb1\nb2\nc\n');
    });

    it('at the end of a file with a final newline, keeps it', () => {
      assert.equal(insertLines('a\n', 2, ['b']), 'a\nb\n');
      assert.equal(insertLines('a\r\n', 3, ['b']), 'a\r\nb\r\n');
    });

    it('at the end of a file without a final newline, still ends without one', () => {
      assert.equal(insertLines('a\nb', 3, ['c']), 'a\nb\nc');
      assert.equal(insertLines('a\r\nb', 4, ['c', 'd']), 'a\r\nb\r\nc\r\nd');
      assert.deepEqual(insertedLines('a\r\nb', 'a\r\nb\r\nc\r\nd'), ['c', 'd']);
    });

    it('an empty file gets the lines; no lines changes nothing', () => {
      assert.equal(insertLines('', 0, ['a']), 'a\n');
      assert.equal(insertLines('a\n', 2, []), 'a\n');
    });
  });

  describe('appendListElement', () => {
    it('one-line lists stay on one line, with or without a trailing comma', () => {
      assert.equal(append('x = [a, b]'), 'x = [a, b, new]');
      assert.equal(append('x = [a, b, ]'), 'x = [a, b, new, ]');
      assert.equal(append('x = [a, b,]'), 'x = [a, b, new,]');
      assert.equal(append('x = [ a, b ]'), 'x = [ a, b, new ]');
    });

    it('empty lists keep what is between their brackets', () => {
      assert.equal(append('x = []'), 'x = [new]');
      assert.equal(append('x = [ ]'), 'x = [ new ]');
      assert.equal(append('x = [\n    # none yet\n]\n'), 'x = [\n    # none yet\n    new\n]\n');
      assert.equal(append('  x = [\n  ]\n'), '  x = [\n      new\n  ]\n');
    });

    it('multi-line lists get a line like the last element, keeping the trailing-comma habit', () => {
      assert.equal(append('x = [\n  a,\n  b,\n]\n'), 'x = [\n  a,\n  b,\n  new,\n]\n');
      assert.equal(append('x = [\n  a,\n  b\n]\n'), 'x = [\n  a,\n  b,\n  new\n]\n');
    });

    it('a comment after the last element stays after it', () => {
      const text = 'x = [\n  a,  # first\n  b   # last\n]\n';
      assert.equal(append(text), 'x = [\n  a,  # first\n  b,   # last\n  new\n]\n');
    });

    it('the bracket closing on the last element line moves after the new element', () => {
      assert.equal(append('x = [\n  a,\n  b]\n'), 'x = [\n  a,\n  b,\n  new]\n');
      assert.equal(append('x = [\n  a,\n  b,]\n'), 'x = [\n  a,\n  b,\n  new,]\n');
    });

    it('elements on the opening bracket line: the new line lines up with the first element', () => {
      assert.equal(append('x = [a, b,\n]\n'), 'x = [a, b,\n     new,\n]\n');
      assert.equal(append('deps: [a,\n    b, c,\n  ]\n'), 'deps: [a,\n    b, c,\n    new,\n  ]\n');
    });

    it('a comma on the line after the last element: the new line goes after the comma', () => {
      assert.equal(append('x = [\n  a\n  ,\n]\n'), 'x = [\n  a\n  ,\n  new,\n]\n');
    });

    it('CRLF lists get CRLF lines', () => {
      const text = 'x = [\r\n  a,\r\n  b\r\n]';
      const result = append(text);
      assert.equal(result, 'x = [\r\n  a,\r\n  b,\r\n  new\r\n]');
      assert.equal(append('x = [\r\n  a,\r\n  b]'), 'x = [\r\n  a,\r\n  b,\r\n  new]');
    });
  });

  describe('insertListElement', () => {
    const insert = (text: string, index: number) => insertListElement(text, wordList(text), index, 'new');

    it('one-line lists: before the element, on its line', () => {
      assert.equal(insert('x = [a, b, c]', 1), 'x = [a, new, b, c]');
      assert.equal(insert('x = [a, b, c]', 0), 'x = [new, a, b, c]');
    });

    it('multi-line lists: a line of its own, above the comment lines of the element it precedes', () => {
      assert.equal(insert('x = [\n  a,\n  # about b\n  b,\n]\n', 1), 'x = [\n  a,\n  new,\n  # about b\n  b,\n]\n');
      assert.equal(insert('x = [\n  # first\n  a,\n  b\n]\n', 0), 'x = [\n  # first\n  new,\n  a,\n  b\n]\n');
      assert.equal(insert('x = [\r\n  a,\r\n  b\r\n]', 1), 'x = [\r\n  a,\r\n  new,\r\n  b\r\n]');
    });

    it('past the last element it appends', () => assert.equal(insert('x = [a]', 1), 'x = [a, new]'));
  });

  it('insertedLines: an edit that changes an original line is caught', () => {
    assert.throws(() => insertedLines('a\nb\n', 'a\nB\nc\n'), /original lines are missing or changed/);
    assert.throws(() => insertedLines('a\nb', 'a\nb\nc\n'), /no final newline/);
    assert.throws(() => insertedLines('a\r\nb\r\n', 'a\r\nb\r\nc\n'), /wrong line ending/);
  });

  it('EditError names the file and line in its message', () => {
    const error = new EditError('unreadable key', 'pyproject.toml', 12);
    assert.equal(error.message, 'pyproject.toml:12: unreadable key');
    assert.equal(new EditError('x', 'f').message, 'f: x');
    assert.equal(new EditError('x').message, 'x');
  });
});

describe('LineCounter', () => {
  it('answers as lineNumber does, offsets in order, repeated or going back', () => {
    const text = 'a\n\nbc\nd\n\n\nlast line\n';
    const counter = new LineCounter(text);
    const offsets = [0, 1, 2, 2, 3, 5, 6, 1, 0, 9, 10, 11, text.length - 1, text.length, 4];
    for (const offset of offsets) assert.equal(counter.at(offset), lineNumber(text, offset), `offset ${offset}`);
  });
});
