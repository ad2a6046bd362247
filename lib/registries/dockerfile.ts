/**
 * The location's own Dockerfile, `Dockerfile.<dotted>`: the canonical's, renamed (names and port)
 * except its member stubs, which list the workspace and gain the new member, and its comments
 * that speak of the canonical in prose (prose.ts); the template when
 * there is no canonical Dockerfile. Its footprint is the whole file. An existing file is kept when
 * it serves the location on its port, and refused when it says another port or location name.
 */
import { readFileSync } from 'node:fs';
import ejs from 'ejs';
import { addStub, instructions, locationDockerfileProblems, rewriteExceptStubs, stubCopies, type Instruction } from '../editors/dockerfile.js';
import { EditError, lineNumber } from '../editors/text.js';
import { dockerfileTemplateData } from '../../generators/docker/files.js';
import { auditedLocations, refsOf } from './common.js';
import { ownParts } from './footprint.js';
import { normalize, renameMentions } from './mentions.js';
import { proseCommentsFor } from './prose.js';
import type { AddInput, LeftOut, LocationRef, Registry } from './registry.js';

const TEMPLATE = new URL('../../generators/docker/templates/Dockerfile.ejs', import.meta.url);

export const dockerfileRegistry: Registry = {
  id: 'dockerfile',
  phase: 'docker',
  files: (input, location) => (location ? [location.names.dockerfile] : auditedLocations(input).map((l) => l.names.dockerfile)),

  footprint: (text, file) => [{ key: 'file', what: file, start: 0, end: text.length, line: 1 }],

  add(text, file, input) {
    const { target, source, model, read } = input;
    if (text !== undefined) {
      checkExisting(text, file, target.names.snake, target.port);
      return { text, warnings: [], leftOut: [] };
    }
    const members = [...new Set([...model.memberDirs, target.names.snake])];
    const canonical = source.names.snake !== target.names.snake ? read(source.names.dockerfile) : undefined;
    let result: string;
    const leftOut: LeftOut[] = [];
    if (canonical !== undefined) {
      const own = proseCommentsFor(canonical, { from: source, to: target, description: input.description, file: source.names.dockerfile, firstLine: 1, comment: /^[ \t]*#/ });
      leftOut.push(...own.leftOut);
      result = rewriteExceptStubs(own.text, (part) => renameMentions(part, source, target));
      for (const member of members) result = addStub(result, member, file);
    } else {
      const entrypoint = read('entrypoint.code-location.sh') !== undefined;
      const data = dockerfileTemplateData(target.names, target.port ?? model.conventions.basePort, model, entrypoint);
      result = ejs.render(readFileSync(TEMPLATE, 'utf8'), data);
    }
    const warnings: string[] = [];
    const problems = locationDockerfileProblems(result, { snake: target.names.snake, kebab: target.names.kebab, port: target.port ?? 0, members });
    if (problems.length > 0) {
      const from = canonical !== undefined ? ` (copied from ${source.names.dockerfile})` : '';
      warnings.push(`${file}${from}: check it by hand: ${problems.join('; ')}`);
    }
    if (canonical !== undefined) leftOut.push(...copiedParticulars(canonical, input));
    return { text: result, warnings, leftOut };
  },

  audit(text, file, input) {
    const location = auditedLocations(input).find((l) => l.names.dockerfile === file);
    if (text !== undefined || !location) return [];
    return [
      {
        registry: 'dockerfile',
        file,
        location: location.names.snake,
        problem: `${location.names.snake} has no ${file}`,
        fix: `dagster-location docker ${location.names.snake} (or dagster-location doctor --fix)`,
        fixable: true,
      },
    ];
  },

  remove: () => undefined,
};

/** An existing Dockerfile of the location must serve it on its port. */
function checkExisting(text: string, file: string, snake: string, port: number | undefined): void {
  for (const instruction of instructions(text)) {
    if (instruction.keyword === 'EXPOSE' && port !== undefined) {
      const ports = [...instruction.args.matchAll(/\d+/g)].map((m) => Number(m[0]));
      if (ports.length > 0 && !ports.includes(port)) {
        throw new EditError(`exists already and EXPOSEs ${ports.join(', ')}, not ${snake}'s port ${port}; refusing to guess`, file, lineNumber(text, instruction.start));
      }
    }
    const name = /(?:^|\s)CODE_LOCATION_NAME=["']?([A-Za-z0-9_]+)/.exec(instruction.keyword === 'ENV' ? instruction.args : '');
    if (name && name[1] !== snake) {
      throw new EditError(`exists already for CODE_LOCATION_NAME=${name[1]}, not ${snake}; refusing to guess`, file, lineNumber(text, instruction.start));
    }
  }
}

/** Instructions that install packages or set a health check: what a copied Dockerfile may carry for one location only. */
const LOOKS_PARTICULAR = /^(HEALTHCHECK\b|RUN\b.*\b(apt-get|apt|apk|yum|dnf|microdnf)\s+(-\S+\s+)*(install|add)\b|RUN\b.*\bpip\s+install\b)/;

/**
 * What an instruction says, as location-free keys independent of spelling: flag order,
 * `--flag=value`, quotes, `${VAR}`, `/tcp`, the spaces of a JSON array. Instructions that set
 * several things at once say each separately, so one sibling's `ENV A=1 B=2` matches another's two
 * ENV lines: one key per variable (ENV, ARG, LABEL), per source of a COPY or ADD, and the image of
 * a FROM (a stage's name is the file's own).
 */
function instructionKeys(instruction: Instruction, location: LocationRef): string[] {
  const { keyword } = instruction;
  const tokens = normalize(instruction.args, location)
    .replace(/["']/g, '')
    .replace(/\$\{(\w+)\}/g, '$$$1')
    .replace(/\/tcp\b/g, '')
    .replace(/[[\],]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  const flags = tokens.filter((t) => t.startsWith('--')).sort();
  const rest = tokens.filter((t) => !t.startsWith('--'));
  if (['ENV', 'ARG', 'LABEL'].includes(keyword) && rest.length > 0 && rest.every((t) => t.includes('='))) return rest.map((t) => `${keyword} ${t}`);
  if (keyword === 'FROM' && rest.length > 0) return [`FROM ${flags.join(' ')} ${rest[0]}`];
  if ((keyword === 'COPY' || keyword === 'ADD') && rest.length > 1) {
    const destination = rest.at(-1);
    return rest.slice(0, -1).map((source) => `${keyword} ${flags.join(' ')} ${source} ${destination}`);
  }
  const expanded = tokens.flatMap((token) => (/^--[\w-]+=/.test(token) ? [token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1)] : [token]));
  return [`${keyword} ${expanded.sort().join(' ')}`];
}

/**
 * The canonical's instructions no other location's Dockerfile has (or, with no other, those that
 * look particular): copied, since the image may need them, and listed for a reviewer. Member
 * stubs are the workspace's, not the canonical's.
 */
function copiedParticulars(canonical: string, input: AddInput): LeftOut[] {
  const { source, target, model, read } = input;
  const stubs = new Set(stubCopies(canonical).map((s) => s.instruction.start));
  const own = instructions(canonical).filter((i) => !stubs.has(i.start));
  const siblings = refsOf(model)
    .filter((l) => l.names.snake !== source.names.snake && l.names.snake !== target.names.snake)
    .map((l) => ({ location: l, text: read(l.names.dockerfile) }))
    .filter((s): s is { location: LocationRef; text: string } => s.text !== undefined)
    .map((s) => instructions(s.text).flatMap((i) => instructionKeys(i, s.location).map((key) => ({ instruction: i, key }))));
  const keyed = own.flatMap((i) => instructionKeys(i, source).map((key) => ({ instruction: i, key })));
  // An instruction is the canonical's own when something it says no sibling says.
  const particular =
    siblings.length > 0 ? [...new Set(ownParts(keyed, siblings, (p) => p.key).map((p) => p.instruction))] : own.filter((i) => LOOKS_PARTICULAR.test(`${i.keyword} ${i.args}`));
  const why =
    siblings.length > 0
      ? `only ${source.names.snake}'s Dockerfile has it; copied to ${target.names.dockerfile}, since the image may need it: check that ${target.names.snake}'s does`
      : `copied from ${source.names.snake}'s, the only location Dockerfile; check that ${target.names.snake}'s image needs it`;
  return particular.map((i) => ({ file: source.names.dockerfile, line: lineNumber(canonical, i.start), what: `${i.keyword} ${i.args.length > 100 ? `${i.args.slice(0, 97)}...` : i.args}`, why, copied: true }));
}
