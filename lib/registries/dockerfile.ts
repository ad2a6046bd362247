/**
 * The location's own Dockerfile, `Dockerfile.<dotted>`: the canonical's, renamed (names and port)
 * except its member stubs, which list the workspace and gain the new member, and its comments
 * that speak of the canonical in prose (prose.ts); the template when
 * there is no canonical Dockerfile. Its footprint is the whole file. An existing file is kept when
 * it serves the location on its port, and refused when it says another port or location name.
 */
import { readFileSync } from 'node:fs';
import ejs from 'ejs';
import { addStub, instructions, locationDockerfileProblems, rewriteExceptStubs } from '../editors/dockerfile.js';
import { EditError, lineNumber } from '../editors/text.js';
import { dockerfileTemplateData } from '../../generators/docker/files.js';
import { auditedLocations } from './common.js';
import { renameMentions } from './mentions.js';
import { proseCommentsFor } from './prose.js';
import type { LeftOut, Registry } from './registry.js';

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
