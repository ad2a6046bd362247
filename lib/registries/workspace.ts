/**
 * workspace.yaml: the production gRPC workspace. A location's footprint is its
 * `- grpc_server:` entry of `load_from` (with its own comment lines); a `# next free port`
 * hint follows the ports in use. The same logic edits a workspace embedded in another file
 * (a compose `configs:` block scalar), given that file's name and the line the text starts on.
 */
import { isMap, isSeq, type YAMLMap } from 'yaml';
import { EditError, lineNumber } from '../editors/text.js';
import type { AddInput, AddResult, Finding, LocationRef, Registry, RegistryInput } from './registry.js';
import {
  auditFootprints,
  removeConstructs,
  replicate,
  sourceIn,
  knownLocations,
  lineOnDisk,
  withLocation,
  yamlFootprint,
  yamlIndex,
  type YamlIndex,
  type YamlConstruct,
  type YamlFootprint,
} from './yaml-footprint.js';

export interface WorkspaceOptions {
  /** The file named in messages (the embedding file for an embedded workspace). */
  file: string;
  /** Lines before the workspace text in that file (0 for workspace.yaml itself). */
  lineOffset?: number;
  /** The text as on disk, for warnings' line numbers. */
  onDisk?: string;
}

function target(input: AddInput): LocationRef {
  return { ...input.target, hasClickhouse: input.clickhouse };
}

interface Server {
  name?: string;
  port?: number;
  line: number;
}

/** Every grpc_server entry: its location name (or host), port and line. */
function servers(index: YamlIndex): Server[] {
  const loadFrom = index.doc.get('load_from', true);
  if (!isSeq(loadFrom)) return [];
  return loadFrom.items.flatMap((item) => {
    const server = isMap(item) ? (item.get('grpc_server', true) as YAMLMap | undefined) : undefined;
    if (!isMap(server)) return [];
    const name = server.get('location_name') ?? server.get('host');
    const port = Number(server.get('port'));
    return [{ name: typeof name === 'string' ? name : undefined, port: Number.isInteger(port) ? port : undefined, line: lineNumber(index.text, (item as { range?: number[] }).range?.[0] ?? 0) }];
  });
}

/** The new location's port or name already taken with another meaning: refused, naming the line. */
function refuseConflicts(index: YamlIndex, to: LocationRef, line: (line: number) => number): void {
  for (const server of servers(index)) {
    if (server.name === to.names.snake && to.port !== undefined && server.port !== undefined && server.port !== to.port) {
      throw new EditError(`${to.names.snake} already has a grpc_server entry on port ${server.port}, not ${to.port}`, index.file, line(server.line));
    }
    if (server.name !== to.names.snake && to.port !== undefined && server.port === to.port) {
      throw new EditError(`port ${to.port} is already the grpc_server port of ${server.name ?? 'another entry'}`, index.file, line(server.line));
    }
  }
}

/** Add the target's grpc_server entry to a workspace text (workspace.yaml, or one embedded elsewhere). */
export function addWorkspaceText(text: string, input: AddInput, options: WorkspaceOptions): AddResult {
  const { file } = options;
  const offset = options.lineOffset ?? 0;
  const to = target(input);
  const locations = withLocation(knownLocations(input), to);
  const index = yamlIndex(text, file, locations);
  if (!isSeq(index.doc.get('load_from', true))) throw new EditError('no `load_from:` list of code servers', file);
  refuseConflicts(index, to, (line) => lineOnDisk(text, options.onDisk, line) + offset);
  const found = sourceIn(index, input.source, to);
  if (!found) {
    if (yamlFootprint(index, to).constructs.length > 0) return { text, warnings: [], leftOut: [] };
    throw new EditError(`no grpc_server entry of a known code location to copy into ${to.names.snake}'s`, file);
  }
  const result = replicate(text, {
    file,
    source: found.source,
    target: to,
    locations,
    description: input.description,
    onDisk: options.onDisk,
  });
  const shift = (message: string) => (offset === 0 ? message : message.replace(/^([^:]+):(\d+):/, (_m, f: string, n: string) => `${f}:${Number(n) + offset}:`));
  if (result.added.length === 0) return { text, warnings: result.warnings.map(shift), leftOut: result.leftOut.map((l) => ({ ...l, line: l.line && l.line + offset })) };
  const added = servers(yamlIndex(result.text, file, locations)).find((s) => s.name === to.names.snake);
  if (!added || (to.port !== undefined && added.port !== to.port)) {
    throw new EditError(`the copy of ${found.source.names.snake}'s grpc_server entry did not come out as ${to.names.snake} on port ${to.port}`, file);
  }
  const ports = [...input.model.ports.map((p) => p.port), ...(to.port !== undefined ? [to.port] : [])];
  return {
    text: withNextFreePort(result.text, ports, input.model.conventions.basePort, to.port),
    warnings: result.warnings.map(shift),
    leftOut: result.leftOut.map((l) => ({ ...l, line: l.line && l.line + offset })),
  };
}

/** A `# next free port: 4002` hint that names a port now in use (or, after a removal, not the first free one) names the first free one. */
function withNextFreePort(text: string, used: number[], basePort: number, changed: number | undefined): string {
  const taken = new Set(used);
  let next = basePort;
  while (taken.has(next)) next++;
  return text.replace(/^([ \t]*#.*\bnext free port\b\D*?)(\d+)\b/gim, (whole, before: string, port: string) =>
    Number(port) === changed || (changed === undefined && Number(port) > next) || taken.has(Number(port)) ? `${before}${next}` : whole,
  );
}

function footprintOf(text: string, file: string, location: LocationRef, input: RegistryInput): YamlFootprint {
  return yamlFootprint(yamlIndex(text, file, withLocation(knownLocations(input), location)), location);
}

/** The location's entries taken out of a workspace text; the hint goes back to the first free port. */
export function removeWorkspaceText(text: string, file: string, location: LocationRef, input: RegistryInput): string {
  const constructs: YamlConstruct[] = footprintOf(text, file, location, input).constructs;
  if (constructs.length === 0) return text;
  const result = removeConstructs(text, file, constructs);
  const used = input.model.ports.filter((p) => p.owner !== location.names.snake).map((p) => p.port);
  return withNextFreePort(result, used, input.model.conventions.basePort, undefined);
}

export function auditWorkspaceText(text: string, file: string, input: RegistryInput, owner = { registry: 'workspace', phase: 'ci' }): Finding[] {
  const index = yamlIndex(text, file, knownLocations(input));
  return auditFootprints(index, { ...owner, preferred: input.model.canonical, locations: knownLocations(input) });
}

export const workspaceRegistry: Registry = {
  id: 'workspace',
  phase: 'ci',
  files: (input) => [input.model.conventions.files.workspace],
  footprint: (text, file, location, input) => footprintOf(text, file, location, input).constructs,
  add(text, file, input) {
    // A repo without this file registers the location elsewhere, or not at all: say so, go on.
    if (text === undefined) return { text: '', noFile: true, warnings: [`${file} not found: add a grpc_server entry for ${input.target.names.snake} (port ${input.target.port}) where the production workspace is defined.`], leftOut: [] };
    return addWorkspaceText(text, input, { file, onDisk: input.onDisk?.(file) });
  },
  audit: (text, file, input) => (text === undefined ? [] : auditWorkspaceText(text, file, input)),
  remove: (text, file, location, input) => removeWorkspaceText(text, file, location, input),
};
