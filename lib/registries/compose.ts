/**
 * compose.yml: the local, production-like stack. A location's footprint is its service (with
 * its `x-` anchors and `<<:` merges as written, its `develop: watch:` paths), its entry in the
 * `depends_on` of every service that waits for the locations (list, long form with a condition,
 * or a map shared by an anchor: edited once, where the anchor is), and its grpc_server entry in
 * a `workspace.yaml` embedded as a `configs: <name>: content: |` block scalar (the one the local
 * webserver loads), which is edited with the workspace registry's own logic.
 */
import { isMap, isScalar, Scalar, type Node, type Pair } from 'yaml';
import { detectEol, EditError, lineNumber, nextLineStart, splitLines } from '../editors/text.js';
import { keyOf, parseYaml, type YamlPath } from '../editors/yaml.js';
import { renameMentions } from './mentions.js';
import type { AddInput, AddResult, Construct, Finding, LeftOut, LocationRef, Registry, RegistryInput } from './registry.js';
import { addWorkspaceText, auditWorkspaceText, removeWorkspaceText, workspaceRegistry } from './workspace.js';
import {
  auditFootprints,
  knownLocations,
  lineOnDisk,
  removeConstructs,
  replicate,
  sourceIn,
  withLocation,
  yamlFootprint,
  yamlIndex,
  type YamlIndex,
  type YamlConstruct,
} from './yaml-footprint.js';

/** A block scalar whose text is a Dagster workspace (a `load_from:` list). */
function isEmbeddedWorkspace(node: Node): boolean {
  if (!isScalar(node) || (node.type !== Scalar.BLOCK_LITERAL && node.type !== Scalar.BLOCK_FOLDED)) return false;
  const value = String(node.value);
  if (!/^load_from[ \t]*:/m.test(value)) return false;
  try {
    const doc = parseYaml(value, 'embedded workspace');
    return isMap(doc.contents) && doc.contents.has('load_from');
  } catch {
    return false;
  }
}

const skipEmbedded = (node: Node) => isEmbeddedWorkspace(node);

interface Embedded {
  path: YamlPath;
  /** The workspace text, as YAML reads it. */
  inner: string;
  /** Where its lines are in the file: [bodyStart, bodyEnd) and their indentation. */
  bodyStart: number;
  bodyEnd: number;
  indent: string;
  /** Lines of the file before the body. */
  lineOffset: number;
}

/** Every embedded workspace of a compose file, with where its lines are. */
function embeddedWorkspaces(index: YamlIndex): Embedded[] {
  const found: Embedded[] = [];
  const { text } = index;
  const walk = (node: unknown, path: YamlPath) => {
    if (isMap(node)) for (const pair of node.items as Pair[]) walk(pair.value, [...path, keyOf(pair)]);
    else if (node && typeof node === 'object' && 'items' in (node as object)) (node as { items: unknown[] }).items.forEach((item, i) => walk(item, [...path, i]));
    else if (isScalar(node) && isEmbeddedWorkspace(node)) {
      const inner = String(node.value);
      const bodyStart = nextLineStart(text, node.range![0]);
      const lines = splitLines(inner);
      const indent = /^[ \t]*/.exec(text.slice(bodyStart))![0];
      let bodyEnd = bodyStart;
      for (let i = 0; i < lines.length; i++) bodyEnd = nextLineStart(text, bodyEnd);
      if (reindent(inner, indent, detectEol(text)) !== text.slice(bodyStart, bodyEnd)) {
        throw new EditError('the embedded workspace is not indented as one block; edit it by hand', index.file, lineNumber(text, bodyStart));
      }
      found.push({ path, inner, bodyStart, bodyEnd, indent, lineOffset: lineNumber(text, bodyStart) - 1 });
    }
  };
  walk(index.doc.contents, []);
  return found;
}

/** The workspace text written back into the block scalar: each line indented, in the file's line ending. */
function reindent(inner: string, indent: string, eol: string): string {
  return splitLines(inner)
    .map((line) => (line === '' ? '' : indent + line) + eol)
    .join('');
}

function embed(text: string, embedded: Embedded, inner: string): string {
  return text.slice(0, embedded.bodyStart) + reindent(inner, embedded.indent, detectEol(text)) + text.slice(embedded.bodyEnd);
}

/** Edit every embedded workspace (last first, so earlier offsets hold) and check each reads back as meant. */
function editEmbedded(text: string, file: string, locations: readonly LocationRef[], edit: (inner: string, e: Embedded) => string): string {
  const index = yamlIndex(text, file, locations, skipEmbedded);
  let result = text;
  const changed: Array<{ path: YamlPath; inner: string }> = [];
  for (const e of embeddedWorkspaces(index).reverse()) {
    const inner = edit(e.inner, e);
    if (inner === e.inner) continue;
    result = embed(result, e, inner);
    changed.push({ path: e.path, inner });
  }
  if (changed.length === 0) return text;
  const doc = parseYaml(result, file);
  for (const { path, inner } of changed) {
    if (String(doc.getIn(path)) !== inner) throw new EditError(`the embedded workspace at ${path.join('.')} does not read back as edited`, file);
  }
  return result;
}

function target(input: AddInput): LocationRef {
  return { ...input.target, hasClickhouse: input.clickhouse };
}

/** A container name or a host port the new service would take that another service has: refused, naming the line. */
function refuseTaken(index: YamlIndex, source: LocationRef, to: LocationRef, sourceConstructs: YamlConstruct[], diskLine: (line: number) => number): void {
  const services = index.doc.get('services', true);
  if (!isMap(services)) return;
  const service = sourceConstructs.find((c) => c.path.length === 1 && c.path[0] === 'services' && c.kind === 'pair');
  if (!service || !isMap((service.item as Pair).value)) return;
  const own = (service.item as Pair).value as import('yaml').YAMLMap;
  const containerName = own.get('container_name');
  const wanted = typeof containerName === 'string' ? renameMentions(containerName, source, to) : undefined;
  for (const pair of services.items as Pair[]) {
    const name = keyOf(pair);
    if (name === to.names.service || !isMap(pair.value)) continue;
    const node = pair.value.get('container_name', true) as Node | undefined;
    if (wanted !== undefined && isScalar(node) && node.value === wanted) {
      throw new EditError(`container_name ${wanted}, which ${to.names.service}'s service needs, is already the container of ${name}`, index.file, diskLine(lineNumber(index.text, node.range![0])));
    }
  }
}

export function addCompose(text: string, file: string, input: AddInput): AddResult {
  const to = target(input);
  const locations = withLocation(knownLocations(input), to);
  const onDisk = input.onDisk?.(file);
  const index = yamlIndex(text, file, locations, skipEmbedded);
  const services = index.doc.get('services', true);
  if (!isMap(services)) throw new EditError('has no `services:` map', file);
  const warnings: string[] = [];
  const leftOut: LeftOut[] = [];
  let result = text;
  const found = sourceIn(index, input.source, to);
  if (found) {
    const copied = replicate(text, {
      file,
      source: found.source,
      target: to,
      locations,
      description: input.description,
      skip: skipEmbedded,
      onDisk,
      conflicts: (idx, sourceFp, _t, diskLine) => refuseTaken(idx, found.source, to, sourceFp.constructs, diskLine),
    });
    result = copied.text;
    warnings.push(...copied.warnings);
    leftOut.push(...copied.leftOut);
  } else if (yamlFootprint(index, to).constructs.length === 0) {
    warnings.push(`${file} has no code-location service to copy: add a service for ${to.names.service} by hand`);
  }
  result = editEmbedded(result, file, locations, (inner, e) => {
    const added = addWorkspaceText(inner, input, { file, lineOffset: e.lineOffset });
    const disk = (message: string) => message.replace(/^([^:]+):(\d+):/, (_m, f: string, n: string) => `${f}:${lineOnDisk(text, onDisk, Number(n))}:`);
    warnings.push(...added.warnings.map(disk));
    leftOut.push(...added.leftOut);
    return added.text;
  });
  return { text: result, warnings, leftOut };
}

/** The compose footprint: the generic constructs, then those of each embedded workspace (on the file's lines). */
function composeFootprint(text: string, file: string, location: LocationRef, input: RegistryInput): Construct[] {
  const locations = withLocation(knownLocations(input), location);
  const index = yamlIndex(text, file, locations, skipEmbedded);
  const constructs: Construct[] = [...yamlFootprint(index, location).constructs];
  for (const e of embeddedWorkspaces(index)) {
    const lineStarts: number[] = [];
    for (let at = e.bodyStart; at < e.bodyEnd; at = nextLineStart(text, at)) lineStarts.push(at);
    for (const c of workspaceRegistry.footprint(e.inner, file, location, input)) {
      const first = lineNumber(e.inner, c.start) - 1;
      const last = lineNumber(e.inner, Math.max(c.start, c.end - 1)) - 1;
      constructs.push({
        key: `${e.path.join(' > ')} ⟫ ${c.key}`,
        what: `${c.what} of the workspace embedded in ${e.path.join('.')}`,
        start: lineStarts[first],
        end: lineStarts[last + 1] ?? e.bodyEnd,
        line: c.line + e.lineOffset,
      });
    }
  }
  return constructs;
}

export function removeCompose(text: string, file: string, location: LocationRef, input: RegistryInput): string {
  const locations = withLocation(knownLocations(input), location);
  const index = yamlIndex(text, file, locations, skipEmbedded);
  const constructs = yamlFootprint(index, location).constructs;
  const result = constructs.length > 0 ? removeConstructs(text, file, constructs) : text;
  return editEmbedded(result, file, locations, (inner) => removeWorkspaceText(inner, file, location, input));
}

export function auditCompose(text: string, file: string, input: RegistryInput): Finding[] {
  const locations = knownLocations(input);
  const index = yamlIndex(text, file, locations, skipEmbedded);
  const findings = auditFootprints(index, { registry: 'compose', phase: 'docker', preferred: input.model.canonical, locations });
  for (const e of embeddedWorkspaces(index)) {
    for (const finding of auditWorkspaceText(e.inner, file, input, { registry: 'compose', phase: 'docker' })) {
      findings.push({ ...finding, line: finding.line && finding.line + e.lineOffset, problem: `${finding.problem} (in the workspace embedded in ${e.path.join('.')})` });
    }
  }
  return findings;
}

export const composeRegistry: Registry = {
  id: 'compose',
  phase: 'docker',
  files: (input) => [input.model.conventions.files.compose],
  footprint: composeFootprint,
  add(text, file, input) {
    // A repo without this file registers the location elsewhere, or not at all: say so, go on.
    if (text === undefined) return { text: '', noFile: true, warnings: [`${file} not found: add a ${input.target.names.service} service (and depends_on of the webserver and daemon) when there is one`], leftOut: [] };
    return addCompose(text, file, input);
  },
  audit: (text, file, input) => (text === undefined ? [] : auditCompose(text, file, input)),
  remove: removeCompose,
};
