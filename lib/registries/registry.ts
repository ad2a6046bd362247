/**
 * A registry is one file (or one kind of file) the guide names: the root pyproject, the location
 * Dockerfile, every Dockerfile's member stubs, the bootstrap Dockerfile, compose, the Swarm stack,
 * workspace.yaml, bake, the pipelines, the env template, the devtools alias dicts, .gitignore.
 *
 * Each registry module owns its file's path (from the conventions), the **footprint** of a
 * location in it (every construct that belongs to that location, found from its name variants,
 * its port and the anchors and variables those define) and the four operations on it. The
 * generators, the doctor, remove and rename only list registries and call these; no predicate
 * about a file lives anywhere else, so adding and auditing cannot disagree.
 */
import type { Location, Monorepo, Reader } from '../monorepo.js';
import type { LocationNames } from '../naming.js';

/** The phase (sub-generator) that adds a registry's part of a location. */
export type Phase = 'package' | 'clickhouse' | 'docker' | 'ci' | 'env';

/** A location as the registries see it: its names and port (it may not exist in the repo yet). */
export interface LocationRef {
  names: LocationNames;
  port?: number;
  hasClickhouse?: boolean;
}

/**
 * One construct of a file that belongs to one location: a block, a list element, a map entry,
 * a variable declaration, a per-location pipeline, a documenting comment line, an entry of an
 * embedded config. `key` names the construct with the location's name variants replaced by
 * placeholders (`{snake}`, `{kebab}`, `{short}`, `{UPPER}`, `{port}` …) and list positions left
 * out, so the same construct of two locations has the same key: a location's counterpart of a
 * canonical construct is the construct with the same key.
 */
export interface Construct {
  key: string;
  /** Human words for messages: `bake target "dagster-underwriting-ml"`, `depends_on of webserver`. */
  what: string;
  /** Byte span in the file's text: whole lines, with the comment lines that belong to it. */
  start: number;
  end: number;
  /** 1-based line of `start`. */
  line: number;
}

/** A finding of the audit (and of add, for what it could not replicate). */
export interface Finding {
  registry: string;
  file: string;
  line?: number;
  location?: string;
  problem: string;
  fix: string;
  /** True when the registry's `add` would repair it (`doctor --fix`). */
  fixable: boolean;
}

/**
 * A particular of the canonical, for the summary: deliberately not copied, or (`copied`) copied
 * though it looks like the canonical's own, for a reviewer to check.
 */
export interface LeftOut {
  file: string;
  line?: number;
  what: string;
  why: string;
  copied?: boolean;
}

export interface AddResult {
  /** The new text of the file (unchanged when everything is there already). */
  text: string;
  /** Mentions of the canonical that could not be replicated, with file:line and why. */
  warnings: string[];
  /** Particulars of the canonical that were not copied on purpose. */
  leftOut: LeftOut[];
  /** The file does not exist and is not to be created (`text` is then meaningless). */
  noFile?: boolean;
}

/** What every operation gets: the model (read once) and a reader of the current (staged) texts. */
export interface RegistryInput {
  model: Monorepo;
  read: Reader;
  /** Locations beyond the model's to consider (the doctor's orphans: a definitions.py nobody registered). */
  locations?: LocationRef[];
}

/** What add gets: the location to add, the one whose pattern it copies, and its own text. */
export interface AddInput extends RegistryInput {
  target: LocationRef;
  /** The canonical location (or the sibling that stands in for it). */
  source: Location;
  description: string;
  clickhouse: boolean;
  /** The file as it is on disk (before earlier phases of this run), for the line numbers of warnings. */
  onDisk?: Reader;
  /** The phase runs on its own, not composed by the app generator. */
  standalone?: boolean;
}

export interface Registry {
  /** Short id, the doctor's column and the JSON `registry` field: `bake`, `compose`, … */
  id: string;
  phase: Phase;
  /** The files it owns, relative to the root; for per-location files, the given location's. */
  files(input: RegistryInput, location?: LocationRef): string[];
  /** Every construct of `text` (the file `file`) that belongs to `location`. */
  footprint(text: string, file: string, location: LocationRef, input: RegistryInput): Construct[];
  /** Replicate the source's footprint for the target; idempotent; verified by re-parsing. */
  add(text: string | undefined, file: string, input: AddInput): AddResult;
  /** Every location's footprint against the canonical's: each missing counterpart. */
  audit(text: string | undefined, file: string, input: RegistryInput): Finding[];
  /** The location's footprint taken out: the exact inverse of add (undefined: delete the file). */
  remove(text: string, file: string, location: LocationRef, input: RegistryInput): string | undefined;
  /**
   * The location's footprint with its names (and port) renamed to `to`'s, nothing else touched.
   * Optional: without it, every construct of the footprint is renamed in place (rename.ts).
   */
  rename?(text: string, file: string, from: LocationRef, to: LocationRef, input: RegistryInput): string;
}
