/**
 * Thin registries over the YAML edits the phases had (compose.yml, docker-stack.yml,
 * workspace.yaml, bitbucket-pipelines.yml), so every file the guide names is a registry. Their
 * audits are the doctor's former checks. Their footprints are not found yet; remove leaves the
 * files as they are.
 */
import type { RunContext } from '../location-generator.js';
import { newReport } from '../report.js';
import type { Location } from '../monorepo.js';
import { yamlJs } from '../monorepo.js';
import { entryFields, findNodes, isAlias, parseYaml } from '../editors/yaml.js';
import { composeEdit, stackEdit, stackImage, type ServiceEdit } from '../../generators/docker/files.js';
import { addPipelineSteps, addWorkspaceEntry } from '../../generators/ci/files.js';
import { auditedLocations } from './common.js';
import type { AddInput, Finding, LocationRef, Phase, Registry, RegistryInput } from './registry.js';

function context(input: AddInput): RunContext {
  return {
    model: input.model,
    names: input.target.names,
    port: input.target.port ?? input.model.conventions.basePort,
    description: input.description,
    clickhouse: input.clickhouse,
    report: newReport(),
  };
}

function serviceEdit(input: AddInput, file: string, warnings: string[]): ServiceEdit {
  const { model, target } = input;
  const locations = model.locations.filter((l) => l.names.snake !== target.names.snake);
  const canonical = model.canonical && model.canonical.names.snake !== target.names.snake ? model.canonical : undefined;
  return { file, names: target.names, port: target.port ?? model.conventions.basePort, locations, canonical, warn: (m) => warnings.push(m) };
}

function finding(registry: string, file: string, location: LocationRef, what: string, phase: Phase): Finding {
  return {
    registry,
    file,
    location: location.names.snake,
    problem: `${location.names.snake} is missing from ${what}`,
    fix: `dagster-location ${phase} ${location.names.snake} (or dagster-location doctor --fix)`,
    fixable: true,
  };
}

function dependsOn(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (value && typeof value === 'object') return Object.keys(value);
  return [];
}

const missingFile = (file: string, why: string) => ({ text: '', noFile: true, warnings: [`${file} not found: ${why}`], leftOut: [] });

export const composeRegistry: Registry = {
  id: 'compose',
  phase: 'docker',
  files: (input) => [input.model.conventions.files.compose],
  footprint: () => [],
  add(text, file, input) {
    if (text === undefined) return missingFile(file, `add a ${input.target.names.service} service (and depends_on of the webserver and daemon) when there is one`);
    const warnings: string[] = [];
    return { text: composeEdit(text, serviceEdit(input, file, warnings)), warnings, leftOut: [] };
  },
  audit(text, file, input) {
    if (text === undefined) return [];
    const compose = yamlJs(() => text, file) as { services?: Record<string, { depends_on?: unknown }> } | undefined;
    const locations = auditedLocations(input);
    const dependents = Object.entries(compose?.services ?? {}).filter(([, service]) =>
      dependsOn(service?.depends_on).some((name) => locations.some((l) => l.names.snake === name)),
    );
    return locations.flatMap((location) => [
      ...(compose?.services?.[location.names.service] ? [] : [finding('compose', file, location, 'a compose service', 'docker')]),
      ...(dependents.length > 0 && dependents.every(([, s]) => dependsOn(s.depends_on).includes(location.names.service))
        ? []
        : [finding('compose', file, location, 'depends_on of the webserver and the daemon', 'docker')]),
    ]);
  },
  remove: (text) => text,
};

export const stackRegistry: Registry = {
  id: 'stack',
  phase: 'docker',
  files: (input) => [input.model.conventions.files.stack],
  footprint: () => [],
  add(text, file, input) {
    if (text === undefined) return missingFile(file, `add a ${input.target.names.service} Swarm service when there is one`);
    const warnings: string[] = [];
    const result = stackEdit(text, { ...serviceEdit(input, file, warnings), conventions: input.model.conventions });
    const image = entryFields(parseYaml(result, file), ['services'], ['image']).get(input.target.names.service)?.image;
    const expected = stackImage(input.target.names, input.model.conventions);
    if (image !== undefined && image !== expected) warnings.push(`${file}: ${input.target.names.service} runs ${image}; the guide's image is ${expected}`);
    return { text: result, warnings, leftOut: [] };
  },
  audit(text, file, input) {
    if (text === undefined) return [];
    const stack = yamlJs(() => text, file) as { services?: Record<string, unknown> } | undefined;
    return auditedLocations(input).filter((l) => !stack?.services?.[l.names.service]).map((l) => finding('stack', file, l, 'a Swarm service', 'docker'));
  },
  remove: (text) => text,
};

export const workspaceRegistry: Registry = {
  id: 'workspace',
  phase: 'ci',
  files: (input) => [input.model.conventions.files.workspace],
  footprint: () => [],
  add(text, file, input) {
    if (text === undefined) return missingFile(file, `add a grpc_server entry for ${input.target.names.snake} (port ${input.target.port}) where the production workspace is defined.`);
    return { text: addWorkspaceEntry(text, context(input), file), warnings: [], leftOut: [] };
  },
  audit(text, file, input) {
    if (text === undefined) return [];
    const workspace = yamlJs(() => text, file) as { load_from?: Array<{ grpc_server?: { host?: string; location_name?: string } }> } | undefined;
    return auditedLocations(input)
      .filter((l) => !(workspace?.load_from ?? []).some((e) => e?.grpc_server?.location_name === l.names.snake || e?.grpc_server?.host === l.names.snake))
      .map((l) => finding('workspace', file, l, 'a grpc_server entry', 'ci'));
  },
  remove: (text) => text,
};

export const pipelinesRegistry: Registry = {
  id: 'pipelines',
  phase: 'ci',
  files: (input) => [input.model.conventions.files.pipelines],
  footprint: () => [],
  add(text, file, input) {
    if (text === undefined) return missingFile(file, `no CI steps &${input.target.names.buildPushAnchor} / &${input.target.names.deployAnchor} were added.`);
    const result = addPipelineSteps(text, context(input), file);
    return { text: result.text, warnings: result.warnings, leftOut: [] };
  },
  audit(text, file, input) {
    if (text === undefined) return [];
    const anchors = new Set<string>();
    const aliases = new Set<string>();
    findNodes(parseYaml(text, file), (node) => {
      if (isAlias(node)) aliases.add(node.source);
      else if ((node as { anchor?: string }).anchor) anchors.add((node as { anchor: string }).anchor);
      return false;
    });
    return auditedLocations(input)
      .filter((l) => ![l.names.buildPushAnchor, l.names.deployAnchor].every((a) => anchors.has(a) && aliases.has(a)))
      .map((l) => finding('pipelines', file, l, 'build-push/deploy anchors and their references', 'ci'));
  },
  remove: (text) => text,
};

export type { Location, RegistryInput };
