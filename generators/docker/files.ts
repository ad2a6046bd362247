/**
 * Phases 4 and 5 as pure text edits: the location's Dockerfile (the canonical one renamed, or
 * the template), the new member's stub in every Dockerfile, and the location's service in
 * compose.yml (with the webserver's and daemon's depends_on) and docker-stack.yml. Each takes the
 * file's current text and returns the new text; running one again changes nothing.
 */
import { addStub, rewriteExceptStubs } from '../../lib/editors/dockerfile.js';
import { EditError, lineStart, nextLineStart } from '../../lib/editors/text.js';
import { entrySpan, getCollection, isMap, isPair, isScalar, isSeq, keyOf, YamlEdits } from '../../lib/editors/yaml.js';
import type { Conventions } from '../../lib/conventions.js';
import type { Location } from '../../lib/monorepo.js';
import { renamer, type LocationNames } from '../../lib/naming.js';
import type { Node, Pair, YAMLMap } from 'yaml';

/** The members whose pyproject.toml every Dockerfile that runs `uv sync --frozen` copies. */
export function stubMembers(memberDirs: string[], names: LocationNames): string[] {
  return [...new Set([...memberDirs, names.snake])];
}

/**
 * The canonical location's Dockerfile for the new location: renamed (names and port) except the
 * stub COPYs, which list the workspace members and gain the missing ones, the new member last.
 */
export function dockerfileFromCanonical(canonical: string, rename: (text: string) => string, members: string[], file: string): string {
  let text = rewriteExceptStubs(canonical, rename);
  for (const member of members) text = addStub(text, member, file);
  return text;
}

/** Data for templates/Dockerfile.ejs, the fallback when there is no canonical Dockerfile. */
export function dockerfileTemplateData(
  names: LocationNames,
  port: number,
  model: { memberDirs: string[]; locations: Location[]; conventions: Conventions },
  entrypoint: boolean,
) {
  const python = /(\d+\.\d+)/.exec(model.conventions.requiresPython)?.[1] ?? '3.13';
  const locations = new Set([...model.locations.map((l) => l.names.snake), names.snake]);
  // The members that are not code locations (`shared`): every location's image installs them.
  const libraries = model.memberDirs.filter((member) => !locations.has(member));
  return { names, port, members: stubMembers(model.memberDirs, names), libraries, python, entrypoint };
}

// ---------------------------------------------------------------- compose.yml

export interface ServiceEdit {
  file: string;
  names: LocationNames;
  port: number;
  /** The existing code locations. */
  locations: Location[];
  canonical?: Location;
  warn: (message: string) => void;
}

/** The rename map from an existing location (names and port) to the new one. */
function renameFrom(location: Location, edit: ServiceEdit): (text: string) => string {
  return renamer(location.names, edit.names, location.port !== undefined ? { from: location.port, to: edit.port } : undefined).apply;
}

/** Keys of a map in file order. */
function keys(map: YAMLMap): string[] {
  return map.items.map((pair) => keyOf(pair as Pair));
}

function servicesOf(edits: YamlEdits): YAMLMap {
  const services = getCollection(edits.doc, ['services']);
  if (!services || !isMap(services)) throw new EditError('has no `services:` map', edits.file);
  return services;
}

/** The location services of a services map, in file order. */
function locationKeys(services: YAMLMap, locations: Location[]): string[] {
  const known = new Set(locations.map((l) => l.names.service));
  return keys(services).filter((key) => known.has(key));
}

/** The location to copy among those present: the canonical one, else the last in file order. */
function sourceAmong(present: string[], edit: ServiceEdit): Location | undefined {
  if (edit.canonical && present.includes(edit.canonical.names.service)) return edit.canonical;
  return edit.locations.find((l) => l.names.service === present.at(-1));
}

/** Plan a copy of a location's service for the new one, after the last location service; false without one to copy. */
function cloneService(edits: YamlEdits, edit: ServiceEdit, services: YAMLMap): boolean {
  const present = locationKeys(services, edit.locations);
  const source = sourceAmong(present, edit);
  if (!source) return false;
  edits.clone({
    path: ['services'],
    source: source.names.service,
    after: present.at(-1),
    newKey: edit.names.service,
    transform: renameFrom(source, edit),
  });
  return true;
}

/**
 * compose.yml: the location's service, a renamed copy of the canonical one (of the last location
 * when the canonical has none), and the location in the `depends_on` of every service that waits
 * for the existing locations (the webserver and the daemon), in the form each one uses.
 */
export function composeEdit(text: string, edit: ServiceEdit): string {
  const edits = new YamlEdits(text, edit.file);
  const services = servicesOf(edits);
  if (!services.has(edit.names.service) && !cloneService(edits, edit, services)) {
    edit.warn(`${edit.file} has no code-location service to copy: add a service for ${edit.names.service} by hand`);
    return text;
  }
  const others = new Set(edit.locations.map((l) => l.names.service));
  for (const key of keys(services)) {
    if (key !== edit.names.service) addDependency(edits, edit, key, others);
  }
  return edits.apply();
}

function addDependency(edits: YamlEdits, edit: ServiceEdit, service: string, locations: Set<string>): void {
  const path = ['services', service, 'depends_on'];
  const dependsOn = edits.doc.getIn(path, true) as Node | undefined;
  if (isSeq(dependsOn)) {
    const listed = dependsOn.items.filter(isScalar).map((item) => String(item.value));
    if (listed.some((name) => locations.has(name))) edits.append({ path, value: edit.names.service });
  } else if (isMap(dependsOn)) {
    const present = keys(dependsOn).filter((name) => locations.has(name));
    if (present.length === 0 || dependsOn.has(edit.names.service)) return;
    const source = sourceAmong(present, edit)!;
    edits.clone({
      path,
      source: source.names.service,
      after: present.at(-1),
      newKey: edit.names.service,
      transform: renamer(source.names, edit.names).apply,
    });
  }
}

// ---------------------------------------------------------------- docker-stack.yml

/** The Swarm image of a location, as the guide writes it. */
export function stackImage(names: LocationNames, conventions: Conventions): string {
  return `\${${conventions.registryVariable}:-${conventions.registry}}/${names.image}:\${${names.buildTagVariable}:-latest}`;
}

/**
 * docker-stack.yml: the location's service, a renamed copy of the canonical one; without a
 * canonical service, a block from the guide's phase 5 written in the siblings' indentation.
 */
export function stackEdit(text: string, edit: ServiceEdit & { conventions: Conventions }): string {
  const edits = new YamlEdits(text, edit.file);
  const services = servicesOf(edits);
  if (services.has(edit.names.service)) return text;
  if (edit.canonical && services.has(edit.canonical.names.service)) {
    edits.clone({
      path: ['services'],
      source: edit.canonical.names.service,
      after: locationKeys(services, edit.locations).at(-1),
      newKey: edit.names.service,
      transform: renameFrom(edit.canonical, edit),
    });
    return edits.apply();
  }
  const present = locationKeys(services, edit.locations);
  const after = services.items.find((pair) => keyOf(pair as Pair) === (present.at(-1) ?? keys(services).at(-1))) as Pair | undefined;
  if (!after) throw new EditError('has an empty `services:` map; nothing to follow', edit.file);
  const layout = blockLayout(text, services, after);
  const image = stackImage(edit.names, edit.conventions);
  const [k, u, s] = [layout.key, layout.unit, layout.seq];
  const lines = [
    `${k}${edit.names.service}:`,
    `${k}${u}image: ${image}`,
    `${k}${u}environment:`,
    `${k}${u}${u}DAGSTER_CURRENT_IMAGE: ${image}`,
    `${k}${u}volumes:`,
    `${k}${u}${s}- dagster_mount_storage:/opt/dagster/shared-data`,
    `${k}${u}networks:`,
    `${k}${u}${s}- dagster`,
    `${k}${u}deploy:`,
    `${k}${u}${u}replicas: 1`,
    `${k}${u}${u}restart_policy:`,
    `${k}${u}${u}${u}condition: on-failure`,
  ];
  if (layout.blankBetween) lines.unshift('');
  edits.insertLines({
    path: ['services'],
    afterIndex: services.items.indexOf(after),
    at: nextLineStart(text, entrySpan(text, services, after).end),
    lines,
    identity: `key ${edit.names.service}`,
    // The new service reads as written.
    problem: (added) =>
      isPair(added) && keyOf(added) === edit.names.service && isMap(added.value) && added.value.get('image') === image ? undefined : `could not add the ${edit.names.service} service`,
  });
  return edits.apply();
}

/**
 * How a services map is indented: the services' own indentation, one level (a service's first
 * key minus its own), whether block lists are indented under their key, and whether services are
 * separated by blank lines.
 */
function blockLayout(text: string, services: YAMLMap, after: Pair): { key: string; unit: string; seq: string; blankBetween: boolean } {
  const pairs = services.items as Pair[];
  const first = pairs[0];
  const keyStart = (first.key as Node).range![0];
  const key = text.slice(lineStart(text, keyStart), keyStart);
  let unit = '  ';
  let seq: string | undefined;
  for (const pair of pairs) {
    const value = pair.value;
    if (!isMap(value) || value.flow || value.items.length === 0) continue;
    const ownIndent = (pair.key as Node).range![0] - lineStart(text, (pair.key as Node).range![0]);
    const childStart = ((value.items[0] as Pair).key as Node).range![0];
    unit = ' '.repeat(Math.max(1, childStart - lineStart(text, childStart) - ownIndent));
    for (const child of value.items as Pair[]) {
      if (!isSeq(child.value) || child.value.flow || child.value.items.length === 0) continue;
      const childKey = (child.key as Node).range![0];
      const item = (child.value.items[0] as Node).range![0];
      const dash = text.lastIndexOf('-', item);
      seq ??= ' '.repeat(Math.max(0, dash - lineStart(text, dash) - (childKey - lineStart(text, childKey))));
    }
    break;
  }
  // Like the entry it follows and the next one (or the last two after the last entry).
  let blankBetween = false;
  if (pairs.length >= 2) {
    const k = pairs.indexOf(after);
    const [first, second] = k >= 0 && k + 1 < pairs.length ? [pairs[k], pairs[k + 1]] : [pairs.at(-2), pairs.at(-1)];
    const prev = entrySpan(text, services, first);
    const next = entrySpan(text, services, second);
    blankBetween = /\n[ \t]*\r?\n/.test(text.slice(prev.end, next.start));
  }
  return { key, unit, seq: seq ?? unit, blankBetween };
}
