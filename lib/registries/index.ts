/**
 * Every registry, in the order of the guide's phases (package, ClickHouse, Docker, CI, env); within
 * a phase, in the order its edits depend on one another (the location's Dockerfile before the
 * stubs every Dockerfile copies). The generators apply a phase's registries; the doctor audits all.
 */
import { aliasesRegistry } from './aliases.js';
import { bakeRegistry } from './bake.js';
import { bootstrapRegistry } from './bootstrap.js';
import { dockerfileRegistry } from './dockerfile.js';
import { envTemplateRegistry } from './env-template.js';
import { gitignoreRegistry } from './gitignore.js';
import { composeRegistry } from './compose.js';
import { pipelinesRegistry } from './pipelines.js';
import { stackRegistry } from './stack.js';
import { workspaceRegistry } from './workspace.js';
import { packageRegistry } from './package.js';
import { pyprojectRegistry } from './pyproject.js';
import type { Phase, Registry } from './registry.js';
import { stubsRegistry } from './stubs.js';

export const REGISTRIES: readonly Registry[] = [
  packageRegistry,
  pyprojectRegistry,
  bootstrapRegistry,
  dockerfileRegistry,
  stubsRegistry,
  composeRegistry,
  stackRegistry,
  workspaceRegistry,
  bakeRegistry,
  pipelinesRegistry,
  envTemplateRegistry,
  gitignoreRegistry,
  aliasesRegistry,
];

export const PHASES: readonly Phase[] = ['package', 'clickhouse', 'docker', 'ci', 'env'];

export function registriesOf(phase: Phase): Registry[] {
  return REGISTRIES.filter((r) => r.phase === phase);
}

export function registryById(id: string): Registry | undefined {
  return REGISTRIES.find((r) => r.id === id);
}
