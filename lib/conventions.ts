/**
 * A monorepo's conventions: the guide's values unless its `.yo-rc.json` says otherwise under the
 * "generator-dagster-location" key. The project's own top-level `.yo-rc.json` documents every key.
 */
export interface Conventions {
  /** The location whose files every new one copies ("copy from src/underwriting_ml/"). */
  canonical: string;
  /** Docker registry host and the Swarm variable that may override it. */
  registry: string;
  registryVariable: string;
  /** First port for code servers; the webserver's port is never given out. */
  basePort: number;
  webserverPort: number;
  /** Used in new packages when the canonical location's pyproject does not say. */
  dagsterRequirement: string;
  dagsterPolarsRequirement: string;
  requiresPython: string;
  platforms: string[];
  /** The files each phase edits, relative to the monorepo root. */
  files: {
    compose: string;
    stack: string;
    workspace: string;
    bake: string;
    pipelines: string;
    bootstrapDockerfile: string;
    environments: string;
    aliasFiles: string[];
  };
}

export const CONFIG_KEY = 'generator-dagster-location';

export const DEFAULT_CONVENTIONS: Conventions = {
  canonical: 'underwriting_ml',
  registry: 'registry.plan.com:5000',
  registryVariable: 'DAGSTER_PLAN_REGISTRY',
  basePort: 4002,
  webserverPort: 3000,
  dagsterRequirement: 'dagster>=1.12,<1.13',
  dagsterPolarsRequirement: 'dagster-polars>=0.27.6',
  requiresPython: '>=3.13,<3.14',
  platforms: ['linux/amd64'],
  files: {
    compose: 'compose.yml',
    stack: 'docker-stack.yml',
    workspace: 'workspace.yaml',
    bake: 'docker-bake.hcl',
    pipelines: 'bitbucket-pipelines.yml',
    bootstrapDockerfile: 'Dockerfile.bootstrap',
    environments: 'environments',
    aliasFiles: ['devtools/check_defs.py', 'devtools/dev_local.py'],
  },
};

/** Merge a `.yo-rc.json` text's settings over the defaults; unknown keys are an error. */
export function conventionsFrom(yoRcText: string | undefined): Conventions {
  if (!yoRcText) return structuredClone(DEFAULT_CONVENTIONS);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(yoRcText) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`.yo-rc.json: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const own = (parsed[CONFIG_KEY] ?? {}) as Partial<Conventions>;
  for (const key of Object.keys(own)) {
    if (!(key in DEFAULT_CONVENTIONS)) throw new Error(`.yo-rc.json: unknown setting "${key}" under "${CONFIG_KEY}"`);
  }
  return {
    ...structuredClone(DEFAULT_CONVENTIONS),
    ...own,
    files: { ...DEFAULT_CONVENTIONS.files, ...(own.files ?? {}) },
  };
}
