/**
 * docker-stack.yml: the Swarm stack. A location's footprint is its service (and anything else
 * that names it alone). A new service copies the canonical's *pattern* by the rule every YAML
 * registry shares (patternShape in yaml-footprint.ts): settings only the canonical's service has
 * are left out, a setting the siblings all take from one shared anchor (`deploy: *deploy`) is
 * written that way, and where the canonical is the only location its service is copied whole and
 * the values that look particular are listed. What the guide's phase 5 gives every service is
 * never left out. Without a service to copy, the guide's phase 5 block is written in the
 * siblings' indentation.
 */
import { isMap, isPair, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { EditError, lineStart, nextLineStart } from '../editors/text.js';
import { entrySpan, keyOf, YamlEdits } from '../editors/yaml.js';
import type { Conventions } from '../conventions.js';
import type { LocationNames } from '../naming.js';
import type { AddInput, AddResult, Finding, LocationRef, Registry, RegistryInput } from './registry.js';
import {
  auditFootprints,
  knownLocations,
  removeConstructs,
  replicate,
  withLocation,
  yamlFootprint,
  yamlIndex,
  type YamlConstruct,
} from './yaml-footprint.js';

/** The Swarm image of a location, as the guide writes it. */
export function stackImage(names: LocationNames, conventions: Conventions): string {
  return `\${${conventions.registryVariable}:-${conventions.registry}}/${names.image}:\${${names.buildTagVariable}:-latest}`;
}

/** What the guide's phase 5 gives every location's Swarm service: never left out as a particular. */
const GUIDE = /^(image|environment(\.DAGSTER_CURRENT_IMAGE)?|volumes|networks|deploy(\.replicas|\.restart_policy(\.condition)?)?)$/;

export function addStack(text: string, file: string, input: AddInput): AddResult {
  const to: LocationRef = { ...input.target, hasClickhouse: input.clickhouse };
  const locations = withLocation(knownLocations(input), to);
  const index = yamlIndex(text, file, locations);
  const services = index.doc.get('services', true);
  if (!isMap(services)) throw new EditError('has no `services:` map', file);
  const canonical = yamlFootprint(index, input.source);
  if (!canonical.constructs.some((c) => c.kind === 'pair' && c.path.length === 1 && c.path[0] === 'services')) {
    if (services.has(to.names.service)) return { text, warnings: [], leftOut: [] };
    return { text: guideService(text, file, services, to, locations, input.model.conventions), warnings: [], leftOut: [] };
  }
  const copied = replicate(text, {
    file,
    source: input.source,
    target: to,
    locations,
    description: input.description,
    onDisk: input.onDisk?.(file),
    keep: (path) => GUIDE.test(path),
  });
  return { text: copied.text, warnings: copied.warnings, leftOut: copied.leftOut };
}

/**
 * The guide's phase 5 service, written in the siblings' indentation, after the last location
 * service (or the last service).
 */
function guideService(text: string, file: string, services: YAMLMap, to: LocationRef, locations: readonly LocationRef[], conventions: Conventions): string {
  const edits = new YamlEdits(text, file);
  const known = new Set(locations.map((l) => l.names.service));
  const pairs = services.items as Pair[];
  const after = [...pairs].reverse().find((p) => known.has(keyOf(p))) ?? pairs.at(-1);
  if (!after) throw new EditError('has an empty `services:` map; nothing to follow', file);
  const layout = blockLayout(text, services, after);
  const image = stackImage(to.names, conventions);
  const [k, u, s] = [layout.key, layout.unit, layout.seq];
  const lines = [
    `${k}${to.names.service}:`,
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
    afterIndex: pairs.indexOf(after),
    at: nextLineStart(text, entrySpan(text, services, after).end),
    lines,
    identity: `key ${to.names.service}`,
    problem: (added) =>
      isPair(added) && keyOf(added) === to.names.service && isMap(added.value) && added.value.get('image') === image ? undefined : `could not add the ${to.names.service} service`,
  });
  return edits.apply();
}

/** How a services map is indented: the services' own indentation, one level, list indentation, blank lines between. */
function blockLayout(text: string, services: YAMLMap, after: Pair): { key: string; unit: string; seq: string; blankBetween: boolean } {
  const pairs = services.items as Pair[];
  const keyStart = (pairs[0].key as Node).range![0];
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
      const dash = text.lastIndexOf('-', (child.value.items[0] as Node).range![0]);
      seq ??= ' '.repeat(Math.max(0, dash - lineStart(text, dash) - (childKey - lineStart(text, childKey))));
    }
    break;
  }
  let blankBetween = false;
  if (pairs.length >= 2) {
    const k = pairs.indexOf(after);
    const [first, second] = k >= 0 && k + 1 < pairs.length ? [pairs[k], pairs[k + 1]] : [pairs.at(-2)!, pairs.at(-1)!];
    blankBetween = /\n[ \t]*\r?\n/.test(text.slice(entrySpan(text, services, first).end, entrySpan(text, services, second).start));
  }
  return { key, unit, seq: seq ?? unit, blankBetween };
}

function footprint(text: string, file: string, location: LocationRef, input: RegistryInput): YamlConstruct[] {
  return yamlFootprint(yamlIndex(text, file, withLocation(knownLocations(input), location)), location).constructs;
}

export const stackRegistry: Registry = {
  id: 'stack',
  phase: 'docker',
  files: (input) => [input.model.conventions.files.stack],
  footprint,
  add(text, file, input) {
    // A repo without this file registers the location elsewhere, or not at all: say so, go on.
    if (text === undefined) return { text: '', noFile: true, warnings: [`${file} not found: add a ${input.target.names.service} Swarm service when there is one`], leftOut: [] };
    return addStack(text, file, input);
  },
  audit(text, file, input): Finding[] {
    if (text === undefined) return [];
    const locations = knownLocations(input);
    return auditFootprints(yamlIndex(text, file, locations), { registry: 'stack', phase: 'docker', preferred: input.model.canonical, locations });
  },
  remove(text, file, location, input) {
    const constructs = footprint(text, file, location, input);
    return constructs.length > 0 ? removeConstructs(text, file, constructs) : text;
  },
};
