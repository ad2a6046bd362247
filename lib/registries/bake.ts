/**
 * docker-bake.hcl. A location's footprint: every top-level block whose labels mention it (its
 * `target`, its `variable "DAGSTER_BUILD_TAG_<UPPER>"`, any other), with the comment lines right
 * above it that mention it; every element that mentions it in a list of a block that is not its
 * own (membership in EVERY group that lists location targets); every comment line of its own.
 * After an edit the file is evaluated lightly (see `bakeProblems`): a reference that no longer
 * resolves is refused.
 */
import { appendToBlockList, hclAttributes, hclBlocks, hclString, insertBlock, type HclBlock } from '../editors/hcl.js';
import { EditError, lineEnd, lineNumber, lineStart, nextLineStart, splitLines } from '../editors/text.js';
import { auditUnits, elementRemovalSpans, patternOnly, refsOf, removeSpans } from './common.js';
import { allLocations, footprintOf, lastWithKey, leftOutComments, missing, own, ownParts, sourceFor, unaccounted, type Owned, type Unit } from './footprint.js';
import { mentions, renameMentions } from './mentions.js';
import { proseCommentsFor } from './prose.js';
import type { AddInput, AddResult, Finding, LeftOut, LocationRef, Registry } from './registry.js';

interface BlockUnit extends Unit {
  kind: 'block';
  block: HclBlock;
  /** Start of the comment lines above it that belong to it. */
  lead: number;
}
interface ElementUnit extends Unit {
  kind: 'element';
  block: HclBlock;
  attribute: string;
  value: string;
}
interface CommentUnit extends Unit {
  kind: 'comment';
}
type BakeUnit = BlockUnit | ElementUnit | CommentUnit;
type OwnedBake = Owned & BakeUnit;

const label = (block: HclBlock) => `${block.type}${block.labels.map((l) => ` "${l}"`).join('')}`;

/** Every unit of the file; the location-owned blocks' insides are theirs, not units of their own. */
export function bakeUnits(text: string, file: string, locations: readonly LocationRef[]): BakeUnit[] {
  const blocks = hclBlocks(text, file);
  const units: BakeUnit[] = [];
  const ownedBlocks: HclBlock[] = [];
  for (const block of blocks) {
    const labels = block.labels.join(' ');
    const owners = locations.filter((l) => mentions(labels, l));
    if (owners.length === 1) {
      let lead = block.start;
      while (lead > 0) {
        const prev = lineStart(text, lead - 1);
        const line = text.slice(prev, lead);
        if (!/^[ \t]*(#|\/\/)/.test(line) || !mentions(line, owners[0])) break;
        lead = prev;
      }
      units.push({ kind: 'block', block, lead, context: `block ${block.type}`, shape: label(block), what: label(block), start: lead, end: nextLineStart(text, block.end), text: labels });
      ownedBlocks.push(block);
      continue;
    }
    for (const attribute of hclAttributes(text, block, file)) {
      if (!attribute.list) continue;
      for (const element of attribute.list.elements) {
        const raw = text.slice(element.start, element.end);
        if (!raw.startsWith('"')) continue;
        let value: string;
        try {
          value = JSON.parse(raw) as string;
        } catch {
          continue;
        }
        units.push({
          kind: 'element',
          block,
          attribute: attribute.name,
          value,
          context: `${label(block)}.${attribute.name}`,
          shape: value,
          what: `"${value}" in ${label(block)} ${attribute.name}`,
          start: element.start,
          end: element.end,
          text: value,
        });
      }
    }
  }
  // Comment lines of their own: outside every block that is a location's, not above one.
  const claimed = units.filter((u): u is BlockUnit => u.kind === 'block').map((u) => ({ start: u.lead, end: nextLineStart(text, u.block.end) }));
  for (let at = 0; at < text.length; at = nextLineStart(text, at)) {
    const line = text.slice(at, lineEnd(text, at));
    if (!/^[ \t]*(#|\/\/)/.test(line) || claimed.some((c) => c.start <= at && at < c.end)) continue;
    units.push({ kind: 'comment', comment: true, context: 'comment', shape: line.trim(), what: line.trim(), start: at, end: nextLineStart(text, at) });
  }
  return units.sort((a, b) => a.start - b.start);
}

function ownedUnits(text: string, file: string, locations: readonly LocationRef[]): OwnedBake[] {
  return own(text, bakeUnits(text, file, locations), locations) as OwnedBake[];
}

export const bakeRegistry: Registry = {
  id: 'bake',
  phase: 'ci',
  files: (input) => [input.model.conventions.files.bake],

  footprint(text, file, location, input) {
    return footprintOf(ownedUnits(text, file, allLocations(refsOf(input.model), location)), location);
  },

  add(text, file, input) {
    if (text === undefined) {
      return { text: '', noFile: true, warnings: [`${file} not found: no bake target ${input.target.names.image} was added.`], leftOut: [] };
    }
    return addToBake(text, file, input);
  },

  audit(text, file, input) {
    if (text === undefined) return [];
    const findings = auditUnits({ registry: 'bake', file, input, owned: (locations) => ownedUnits(text, file, locations), fixedBy: 'ci' });
    for (const problem of bakeProblems(text, file)) {
      findings.push({ registry: 'bake', file, line: problem.line, problem: problem.message, fix: 'correct the reference by hand: `docker buildx bake` fails for every target', fixable: false });
    }
    return findings;
  },

  remove(text, file, location, input) {
    const all = ownedUnits(text, file, allLocations(refsOf(input.model), location));
    // A comment line goes when it is the location's line of a pattern the siblings share; prose that names it stays.
    const found = patternOnly(all, footprintOf(all, location), location) as OwnedBake[];
    return removeSpans(text, found.flatMap((u) => removalSpans(text, u)));
  },
};

function removalSpans(text: string, unit: OwnedBake): Array<{ start: number; end: number }> {
  if (unit.kind === 'block') {
    // The blank line that separated it from the block before goes with it.
    const start = unit.lead;
    const prev = start > 0 ? lineStart(text, start - 1) : start;
    const blankBefore = start > 0 && /^[ \t]*\r?\n$/.test(text.slice(prev, start));
    const end = nextLineStart(text, unit.block.end);
    const blankAfter = end >= text.length || /^[ \t]*(\r?\n|$)/.test(text.slice(end, nextLineStart(text, end)));
    return [{ start: blankBefore && (blankAfter || prev === 0 || end >= text.length) ? prev : start, end }];
  }
  if (unit.kind === 'comment') return [{ start: unit.start, end: unit.end }];
  const list = hclAttributes(text, unit.block).find((a) => a.name === unit.attribute)!.list!;
  return elementRemovalSpans(text, list, list.elements.findIndex((e) => e.start === unit.start));
}

function addToBake(original: string, file: string, input: AddInput): AddResult {
  const { target } = input;
  const locations = allLocations(refsOf(input.model), target);
  const first = ownedUnits(original, file, locations);
  const source = sourceFor(first, input.model.canonical, target, locations);
  const warnings: string[] = [];
  const leftOut: LeftOut[] = [];
  if (!source) {
    warnings.push(`${file} has no code-location target to copy: add a target ${target.names.image} by hand.`);
    return { text: original, warnings, leftOut };
  }
  checkConflicts(original, file, first, source, target);
  const problemsBefore = new Set(bakeProblems(original, file).map((p) => p.message));
  let text = original;
  const done = new Set<string>();
  for (let guard = 0; guard < 1000; guard++) {
    const units = ownedUnits(text, file, locations);
    const todo = missing(units, source, target);
    if (guard === 0) leftOut.push(...leftOutComments(file, todo.leftOut));
    const next = todo.replicate.find((u) => !done.has(u.key)) as OwnedBake | undefined;
    if (!next) break;
    done.add(next.key);
    text = replicate(text, file, units, next, next.owner, input, leftOut);
  }
  const still = missing(ownedUnits(text, file, locations), source, target).replicate;
  if (still.length > 0) throw new EditError(`could not add ${target.names.snake}'s counterpart of ${still[0].what}`, file, still[0].line);
  const introduced = bakeProblems(text, file).filter((p) => !problemsBefore.has(p.message));
  if (introduced.length > 0) throw new EditError(`the edit would break the bake file: ${introduced.map((p) => p.message).join('; ')}`, file, introduced[0].line);
  warnings.push(...unaccounted(original, file, source, footprintOf(first, source), locations));
  return { text, warnings, leftOut };
}

/** A block the target needs that exists already: kept when it builds the same Dockerfile, refused otherwise. */
function checkConflicts(text: string, file: string, units: OwnedBake[], source: LocationRef, target: LocationRef): void {
  for (const mine of footprintOf(units, target) as OwnedBake[]) {
    if (mine.kind !== 'block') continue;
    const theirs = (footprintOf(units, source) as OwnedBake[]).find((u) => u.key === mine.key);
    if (!theirs || theirs.kind !== 'block') continue;
    for (const name of ['dockerfile', 'context']) {
      const expected = attributeText(text, theirs.block, name);
      const actual = attributeText(text, mine.block, name);
      if (expected === undefined || actual === undefined) continue;
      if (renameMentions(expected, source, target) !== actual) {
        throw new EditError(`${mine.what} exists already with ${name} = ${actual}, not ${renameMentions(expected, source, target)}; refusing to guess`, file, mine.line);
      }
    }
  }
}

function attributeText(text: string, block: HclBlock, name: string): string | undefined {
  const attribute = hclAttributes(text, block).find((a) => a.name === name);
  return attribute && text.slice(attribute.valueStart, attribute.valueEnd);
}

function replicate(text: string, file: string, units: OwnedBake[], unit: OwnedBake, source: LocationRef, input: AddInput, leftOut: LeftOut[]): string {
  const { target } = input;
  const sibling = lastWithKey(units, unit.key, target) as OwnedBake | undefined;
  if (unit.kind === 'element') {
    const after = sibling?.kind === 'element' && sibling.context === unit.context ? sibling.value : unit.value;
    return appendToBlockList(text, {
      type: unit.block.type,
      label: unit.block.labels[0],
      attribute: unit.attribute,
      value: renameMentions(unit.value, source, target),
      after,
      file,
    });
  }
  if (unit.kind === 'block') {
    const blockText = blockReplica(text, file, units, unit, source, input, leftOut);
    const afterBlock = sibling?.kind === 'block' ? sibling.block : unit.block;
    const newLabels = unit.block.labels.map((l) => renameMentions(l, source, target));
    return insertBlock(text, { type: unit.block.type, label: newLabels[0], blockText, after: afterBlock.labels[0], file });
  }
  const at = sibling ? sibling.end : unit.end;
  return text.slice(0, at) + renameMentions(text.slice(unit.start, unit.end), source, target) + text.slice(at);
}

/**
 * The source's block for the target: renamed; its comment lines only when the siblings' blocks
 * have such comments too; attributes no sibling block has are the source's own (left out);
 * prose (a description or title that names the source in words) gets the target's description;
 * a comment that speaks of the source in prose follows prose.ts.
 */
function blockReplica(text: string, file: string, units: OwnedBake[], unit: BlockUnit & Owned, source: LocationRef, input: AddInput, leftOut: LeftOut[]): string {
  const { target } = input;
  const siblings = units.filter((u): u is OwnedBake & BlockUnit => u.kind === 'block' && u.key === unit.key && u.owner.names.snake !== source.names.snake && u.owner.names.snake !== target.names.snake);
  const blockStart = unit.block.start;
  let lead = text.slice(unit.lead, blockStart);
  if (lead && siblings.length > 0 && siblings.every((s) => s.lead === s.block.start)) {
    leftOut.push({ file, line: lineNumber(text, unit.lead), what: `the comment above ${unit.what}`, why: 'no sibling block has one; it speaks of the canonical location' });
    lead = '';
  }
  const body = text.slice(blockStart, nextLineStart(text, unit.block.end));
  const attributes = hclAttributes(text, unit.block, file);
  const cut: Array<{ start: number; end: number }> = [];
  const siblingAttributes = siblings.map((s) => hclAttributes(text, s.block, file));
  for (const attribute of ownParts(attributes, siblingAttributes, (a) => a.name)) {
    leftOut.push({ file, line: lineNumber(text, attribute.start), what: `${attribute.name} of ${unit.what}`, why: 'no sibling block sets it: it is the canonical location\'s own' });
    cut.push({ start: lineStart(text, attribute.start), end: nextLineStart(text, attribute.valueEnd) });
  }
  let kept = removeSpans(body, cut.map((c) => ({ start: c.start - blockStart, end: c.end - blockStart })));
  // Lines are counted from the lead's first (after an attribute left out above, one off per line it had).
  const prose = proseCommentsFor(lead + kept, { from: source, to: target, description: input.description, file, firstLine: lineNumber(text, lead ? unit.lead : blockStart), comment: /^[ \t]*(?:#|\/\/)/ });
  leftOut.push(...prose.leftOut);
  kept = renameMentions(prose.text, source, target);
  kept = withOwnProse(kept, source, input);
  return kept.replace(/\r?\n$/, '');
}

/** Lines that still name the source in words (Title case, spaced): a description gets the target's; other lines are reported. */
function withOwnProse(text: string, source: LocationRef, input: AddInput): string {
  const words = source.names.snake.split('_').filter((w) => w.length > 2);
  const pattern = new RegExp(`\\b(?:${words.join('|')})\\b`, 'i');
  return splitLines(text)
    .map((line) => {
      if (!pattern.test(line)) return line;
      const described = /^(.*\b(?:description|title)\b[^=:]*["']?\s*[=:]\s*)"[^"]*"(.*)$/i.exec(line);
      if (described) return `${described[1]}${hclString(input.description)}${described[2]}`;
      return line;
    })
    .join(text.includes('\r\n') ? '\r\n' : '\n') + (text.endsWith('\n') ? (text.includes('\r\n') ? '\r\n' : '\n') : '');
}

// ------------------------------------------------------------------ evaluation, lightly

export interface BakeProblem {
  message: string;
  line: number;
}

/** Functions of bake's HCL standard library (a reference to any other name must be a `function` block). */
const BUILTINS = new Set(
  (
    'abs absolute add and base64decode base64encode bcrypt byteslen bytesslice can ceil chomp chunklist coalesce coalescelist compact concat contains convert csvdecode distinct divide element equal flatten floor format formatdate formatlist greaterthan greaterthanorequalto hasindex homedir indent index int join jsondecode jsonencode keys length lessthan lessthanorequalto log lookup lower max md5 merge min modulo multiply negate not notequal or parseint pow range regex regex_replace regexall replace reverse reverselist rsadecrypt sanitize setintersection setproduct setsubtract setsymmetricdifference setunion sha1 sha256 sha512 signum slice sort split strlen strrev substr subtract timeadd timestamp title tobool tolist tonumber toset tostring trim trimprefix trimspace trimsuffix try unixtimestampparse upper urlencode uuidv4 uuidv5 values zipmap'
  ).split(' '),
);
const KEYWORDS = new Set(['true', 'false', 'null', 'for', 'in', 'if', 'else', 'endif', 'endfor']);

/**
 * What `docker buildx bake` would refuse, read without running it: a variable referenced but not
 * declared, a function called but not defined, a group member that is no target or group, a
 * target defined twice, an `inherits` that names no target.
 */
export function bakeProblems(text: string, file = 'docker-bake.hcl'): BakeProblem[] {
  // A target defined twice is one of the problems reported here, so it is read, not refused.
  const blocks = hclBlocks(text, file, { allowTwice: true });
  const problems: BakeProblem[] = [];
  const variables = new Set(blocks.filter((b) => b.type === 'variable').map((b) => b.labels[0]));
  const functions = new Set(blocks.filter((b) => b.type === 'function').map((b) => b.labels[0]));
  const targets = blocks.filter((b) => b.type === 'target');
  const groups = new Set(blocks.filter((b) => b.type === 'group').map((b) => b.labels[0]));
  const targetNames = new Set(targets.map((b) => b.labels[0]));
  const seen = new Set<string>();
  for (const target of targets) {
    if (seen.has(target.labels[0])) problems.push({ message: `target "${target.labels[0]}" is defined twice`, line: lineNumber(text, target.start) });
    seen.add(target.labels[0]);
  }
  for (const block of blocks) {
    const params = new Set<string>();
    const attributes = hclAttributes(text, block, file);
    if (block.type === 'function') {
      const list = attributes.find((a) => a.name === 'params');
      for (const m of (list ? text.slice(list.valueStart, list.valueEnd) : '').matchAll(/[A-Za-z_][\w-]*/g)) params.add(m[0]);
    }
    for (const attribute of attributes) {
      const value = text.slice(attribute.valueStart, attribute.valueEnd);
      if (block.type === 'function' && attribute.name === 'params') continue;
      for (const ref of references(value)) {
        const line = lineNumber(text, attribute.valueStart + ref.at);
        if (ref.call) {
          if (!functions.has(ref.name) && !BUILTINS.has(ref.name)) problems.push({ message: `${label(block)} calls ${ref.name}(), which is not defined`, line });
        } else if (ref.name === 'target' && ref.member) {
          if (!targetNames.has(ref.member)) problems.push({ message: `${label(block)} reads target.${ref.member}, which is not defined`, line });
        } else if (!variables.has(ref.name) && !params.has(ref.name) && !KEYWORDS.has(ref.name) && !ref.forVariable) {
          problems.push({ message: `${label(block)} uses \${${ref.name}}, but no variable "${ref.name}" is declared`, line });
        }
      }
      if ((block.type === 'group' && attribute.name === 'targets') || attribute.name === 'inherits') {
        for (const element of attribute.list?.elements ?? []) {
          const raw = text.slice(element.start, element.end);
          if (!raw.startsWith('"')) continue;
          const name = JSON.parse(raw) as string;
          const ok = attribute.name === 'inherits' ? targetNames.has(name) : targetNames.has(name) || groups.has(name);
          if (!ok) {
            problems.push({
              message: attribute.name === 'inherits' ? `${label(block)} inherits "${name}", which is no target` : `${label(block)} lists "${name}", which is no target or group`,
              line: lineNumber(text, element.start),
            });
          }
        }
      }
    }
  }
  return problems;
}

/** The names an expression refers to: in `${…}` inside strings and heredocs, and outside strings. */
function references(value: string): Array<{ name: string; at: number; call: boolean; member?: string; forVariable?: boolean }> {
  const found: Array<{ name: string; at: number; call: boolean; member?: string; forVariable?: boolean }> = [];
  const code: Array<{ text: string; at: number }> = [];
  // Split the expression into code parts: outside strings, and inside ${…} of strings.
  let i = 0;
  let outside = '';
  let outsideAt = 0;
  const heredoc = /^<<-?([A-Za-z_]\w*)\r?\n/.exec(value);
  if (heredoc) {
    for (const m of value.matchAll(/\$\{([^}]*)\}/g)) code.push({ text: m[1], at: m.index + 2 });
  } else {
    while (i < value.length) {
      if (value[i] === '"') {
        code.push({ text: outside, at: outsideAt });
        let j = i + 1;
        while (j < value.length && value[j] !== '"') {
          if (value[j] === '\\') j += 2;
          else if ((value[j] === '$' || value[j] === '%') && value[j + 1] === '{' && value[j - 1] !== value[j]) {
            let depth = 0;
            const from = j + 2;
            for (j += 1; j < value.length; j++) {
              if (value[j] === '{') depth++;
              else if (value[j] === '}' && --depth === 0) break;
            }
            code.push({ text: value.slice(from, j), at: from });
            j++;
          } else j++;
        }
        i = j + 1;
        outside = '';
        outsideAt = i;
      } else if (value[i] === '#' || value.startsWith('//', i)) {
        while (i < value.length && value[i] !== '\n') {
          outside += ' ';
          i++;
        }
      } else if (value.startsWith('/*', i)) {
        const end = value.indexOf('*/', i + 2);
        const stop = end === -1 ? value.length : end + 2;
        outside += ' '.repeat(stop - i);
        i = stop;
      } else {
        outside += value[i];
        i++;
      }
    }
    code.push({ text: outside, at: outsideAt });
  }
  for (const part of code) {
    const forVariables = new Set<string>();
    for (const m of part.text.matchAll(/\bfor\s+([A-Za-z_]\w*)(?:\s*,\s*([A-Za-z_]\w*))?\s+in\b/g)) {
      forVariables.add(m[1]);
      if (m[2]) forVariables.add(m[2]);
    }
    for (const m of part.text.matchAll(/(?<![\w.-])([A-Za-z_][\w-]*)(\s*\()?(?:\.([A-Za-z_][\w-]*|"[^"]*"))?/g)) {
      const name = m[1];
      if (/^\d/.test(name) || (KEYWORDS.has(name) && name !== 'for') || name === 'for' || name === 'in' || name === 'if' || name === 'else') continue;
      // `x ? a : b` and object keys `{ key = … }` are not references to check here.
      const after = part.text.slice(m.index + m[0].length).trimStart();
      if (!m[2] && (after.startsWith('=') && !after.startsWith('==')) ) continue;
      if (!m[2] && after.startsWith(':') && /[{,]\s*$/.test(part.text.slice(0, m.index))) continue;
      found.push({ name, at: part.at + m.index, call: Boolean(m[2]), member: m[3]?.replace(/^"|"$/g, ''), forVariable: forVariables.has(name) });
    }
  }
  return found;
}

export type { Finding };
