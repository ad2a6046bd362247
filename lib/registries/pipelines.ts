/**
 * bitbucket-pipelines.yml: CI. A location's footprint is its `&build-push-<snake>` and
 * `&deploy-<snake>` steps, every reference to them (parallel groups, stages, branch and
 * pull-request pipelines: `- step: *build-push-<snake>`), its own custom pipelines
 * (`custom: deploy-<snake>:`, created for the new location, never extended with its steps), its
 * paths in the changeset `includePaths` of other steps (by the mention rule: a path that only
 * contains its port or short name is not one of them), its `clickhouse/` paths (only for a
 * location with ClickHouse), and its line in a header comment that documents each location's
 * repository variables.
 *
 * A step the new location needs whose anchor is already taken by a step of another meaning, or
 * by any other node, is refused before anything is written, naming the line.
 */
import type { AddInput, AddResult, Finding, LocationRef, Registry, RegistryInput } from './registry.js';
import { auditFootprints, knownLocations, removeConstructs, replicate, sourceIn, withLocation, yamlFootprint, yamlIndex, type YamlConstruct } from './yaml-footprint.js';

export function addPipelines(text: string, file: string, input: AddInput): AddResult {
  const to: LocationRef = { ...input.target, hasClickhouse: input.clickhouse };
  const locations = withLocation(knownLocations(input), to);
  const index = yamlIndex(text, file, locations);
  const found = sourceIn(index, input.source, to);
  if (!found) {
    const mine = yamlFootprint(index, to).constructs;
    if (mine.length > 0) return { text, warnings: [], leftOut: [] };
    return { text, warnings: [`${file} has no location step &build-push-… or &deploy-… to copy: add &${to.names.buildPushAnchor} and &${to.names.deployAnchor} by hand.`], leftOut: [] };
  }
  const result = replicate(text, {
    file,
    source: found.source,
    target: to,
    locations,
    description: input.description,
    onDisk: input.onDisk?.(file),
  });
  return { text: result.text, warnings: result.warnings, leftOut: result.leftOut };
}

function footprint(text: string, file: string, location: LocationRef, input: RegistryInput): YamlConstruct[] {
  return yamlFootprint(yamlIndex(text, file, withLocation(knownLocations(input), location)), location).constructs;
}

export const pipelinesRegistry: Registry = {
  id: 'pipelines',
  phase: 'ci',
  files: (input) => [input.model.conventions.files.pipelines],
  footprint,
  add(text, file, input) {
    // A repo without this file registers the location elsewhere, or not at all: say so, go on.
    if (text === undefined) return { text: '', noFile: true, warnings: [`${file} not found: no CI steps &${input.target.names.buildPushAnchor} / &${input.target.names.deployAnchor} were added.`], leftOut: [] };
    return addPipelines(text, file, input);
  },
  audit(text, file, input): Finding[] {
    if (text === undefined) return [];
    const locations = knownLocations(input);
    return auditFootprints(yamlIndex(text, file, locations), { registry: 'pipelines', phase: 'ci', preferred: input.model.canonical, locations });
  },
  remove(text, file, location, input) {
    const constructs = footprint(text, file, location, input);
    return constructs.length > 0 ? removeConstructs(text, file, constructs) : text;
  },
};
