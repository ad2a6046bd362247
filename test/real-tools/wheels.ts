/**
 * Stub wheels for uv to resolve and install offline: one per third-party requirement of a
 * workspace (dagster, dagster-polars, polars, …), each an empty distribution whose METADATA
 * names it, at a version that satisfies every specifier the workspace gives it; and, for each
 * build backend the members name (hatchling, …), a small PEP 517/660 backend that builds a
 * member's wheel from its pyproject.toml (metadata and console scripts; an editable install adds
 * a .pth file). They prove what the checks are about — the workspace resolves, locks, installs
 * and replays — and nothing about the real packages' code.
 *
 * A wheel is a zip with the distribution's files, METADATA, WHEEL and RECORD; written here with
 * stored (uncompressed) entries.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { parse as parseToml } from 'smol-toml';
import { normalizeName, parseRequirement, versionFor } from './versions.js';

/** A zip archive of the given files, entries stored without compression. */
export function zip(files: Array<[string, string | Buffer]>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of files) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    const fileName = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(0x00210000, 10); // 1980-01-01 00:00
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by: unix, 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt32LE(0x00210000, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: regular file, rw-r--r--
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function recordHash(data: Buffer): string {
  return `sha256=${createHash('sha256').update(data).digest('base64url')}`;
}

/** A wheel's bytes and file name: the given package files plus dist-info (METADATA, WHEEL, RECORD). */
export function wheel(name: string, version: string, metadata: string[], files: Array<[string, string]> = []): { file: string; bytes: Buffer } {
  const dist = name.replace(/[-_.]+/g, '_').toLowerCase();
  const info = `${dist}-${version}.dist-info`;
  const entries: Array<[string, Buffer]> = [
    ...files.map(([path, text]) => [path, Buffer.from(text, 'utf8')] as [string, Buffer]),
    [`${info}/METADATA`, Buffer.from(['Metadata-Version: 2.1', `Name: ${name}`, `Version: ${version}`, ...metadata, ''].join('\n'))],
    [`${info}/WHEEL`, Buffer.from('Wheel-Version: 1.0\nGenerator: dagster-location-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n')],
  ];
  const record = [...entries.map(([path, data]) => `${path},${recordHash(data)},${data.length}`), `${info}/RECORD,,`, ''].join('\n');
  entries.push([`${info}/RECORD`, Buffer.from(record)]);
  return { file: `${dist}-${version}-py3-none-any.whl`, bytes: zip(entries) };
}

/**
 * The build backend's code: PEP 517 and PEP 660 hooks that build a wheel of the project in the
 * current folder from its pyproject.toml [project] table.
 */
export const BACKEND_SOURCE = String.raw`"""A stub PEP 517/660 build backend for offline tests: wheels hold a project's metadata."""

import base64
import hashlib
import io
import os
import re
import tarfile
import tomllib
import zipfile


def _project():
    with open("pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


def _dist(name):
    return re.sub(r"[-_.]+", "_", name).lower()


def _metadata(project):
    lines = ["Metadata-Version: 2.1", "Name: " + project["name"], "Version: " + project["version"]]
    if "requires-python" in project:
        lines.append("Requires-Python: " + project["requires-python"])
    for requirement in project.get("dependencies", []):
        lines.append("Requires-Dist: " + requirement)
    for extra, requirements in project.get("optional-dependencies", {}).items():
        lines.append("Provides-Extra: " + extra)
        for requirement in requirements:
            spec, _, marker = requirement.partition(";")
            condition = 'extra == "%s"' % extra
            if marker.strip():
                condition = "(%s) and %s" % (marker.strip(), condition)
            lines.append("Requires-Dist: %s ; %s" % (spec.strip(), condition))
    return "\n".join(lines) + "\n"


def _entry_points(project):
    groups = dict(project.get("entry-points", {}))
    if project.get("scripts"):
        groups["console_scripts"] = project["scripts"]
    if project.get("gui-scripts"):
        groups["gui_scripts"] = project["gui-scripts"]
    text = ""
    for group, entries in groups.items():
        text += "[%s]\n" % group + "".join("%s = %s\n" % item for item in entries.items()) + "\n"
    return text


def _build(wheel_directory, editable):
    project = _project()
    dist, version = _dist(project["name"]), project["version"]
    info = "%s-%s.dist-info" % (dist, version)
    files = {
        info + "/METADATA": _metadata(project),
        info + "/WHEEL": "Wheel-Version: 1.0\nGenerator: stub\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    entry_points = _entry_points(project)
    if entry_points:
        files[info + "/entry_points.txt"] = entry_points
    if editable:
        here = os.path.abspath(os.getcwd())
        files["_%s_editable.pth" % dist] = here + "\n" + os.path.dirname(here) + "\n"
    record = []
    name = "%s-%s-py3-none-any.whl" % (dist, version)
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as archive:
        for path, text in files.items():
            data = text.encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append("%s,sha256=%s,%d" % (path, digest, len(data)))
            archive.writestr(path, data)
        record.append(info + "/RECORD,,")
        archive.writestr(info + "/RECORD", "\n".join(record) + "\n")
    return name


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _build(wheel_directory, editable=False)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _build(wheel_directory, editable=True)


def build_sdist(sdist_directory, config_settings=None):
    project = _project()
    base = "%s-%s" % (_dist(project["name"]), project["version"])
    with tarfile.open(os.path.join(sdist_directory, base + ".tar.gz"), "w:gz") as archive:
        for path, data in (("pyproject.toml", open("pyproject.toml", "rb").read()), ("PKG-INFO", _metadata(project).encode())):
            member = tarfile.TarInfo(base + "/" + path)
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    return base + ".tar.gz"
`;

interface Pyproject {
  project?: { name?: string; dependencies?: string[]; 'optional-dependencies'?: Record<string, string[]> };
  'dependency-groups'?: Record<string, Array<string | { 'include-group': string }>>;
  'build-system'?: { requires?: string[]; 'build-backend'?: string };
  tool?: { uv?: { workspace?: { members?: string[] }; 'dev-dependencies'?: string[] } };
}

function readPyproject(file: string): Pyproject {
  return parseToml(readFileSync(file, 'utf8')) as Pyproject;
}

/** The pyproject.toml files of a uv workspace: the root's and each member's (globs of one `*`). */
export function workspacePyprojects(root: string): string[] {
  const rootFile = join(root, 'pyproject.toml');
  const files = [rootFile];
  for (const member of readPyproject(rootFile).tool?.uv?.workspace?.members ?? []) {
    const parts = member.split('/');
    let folders = [root];
    for (const part of parts) {
      folders = folders.flatMap((folder) => {
        if (!part.includes('*')) return [join(folder, part)];
        const pattern = new RegExp(`^${part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
        return existsSync(folder) ? readdirSync(folder).filter((e) => pattern.test(e) && statSync(join(folder, e)).isDirectory()).map((e) => join(folder, e)) : [];
      });
    }
    for (const folder of folders) if (existsSync(join(folder, 'pyproject.toml'))) files.push(join(folder, 'pyproject.toml'));
  }
  return files;
}

/**
 * Writes into `folder` the stub wheels that the workspace at `root` needs and that are not there
 * yet. Returns the wheel file names written.
 */
export function writeStubWheels(root: string, folder: string): string[] {
  mkdirSync(folder, { recursive: true });
  const pyprojects = workspacePyprojects(root).map(readPyproject);
  const workspaceNames = new Set(pyprojects.map((p) => p.project?.name).filter(Boolean).map((n) => normalizeName(n!)));
  const specifiers = new Map<string, { spelled: string; specs: string[]; extras: Set<string> }>();
  const backends = new Map<string, string>(); // requirement name -> backend module path
  const want = (text: string) => {
    const requirement = parseRequirement(text);
    if (!requirement || workspaceNames.has(requirement.name)) return;
    const entry = specifiers.get(requirement.name) ?? { spelled: text.split(/[\s[<>=!~;@]/)[0], specs: [], extras: new Set<string>() };
    if (requirement.specifier) entry.specs.push(requirement.specifier);
    for (const extra of requirement.extras) entry.extras.add(extra);
    specifiers.set(requirement.name, entry);
  };
  for (const p of pyprojects) {
    for (const text of p.project?.dependencies ?? []) want(text);
    for (const list of Object.values(p.project?.['optional-dependencies'] ?? {})) list.forEach(want);
    for (const list of Object.values(p['dependency-groups'] ?? {})) for (const item of list) if (typeof item === 'string') want(item);
    for (const text of p.tool?.uv?.['dev-dependencies'] ?? []) want(text);
    const build = p['build-system'];
    const requires = build?.requires ?? [];
    requires.forEach(want);
    if (build?.['build-backend']) {
      const module = build['build-backend'].split(':')[0];
      const top = normalizeName(module.split('.')[0]);
      const owner = requires.map(parseRequirement).find((r) => r && (r.name === top || r.name.replace(/-core$/, '') === top)) ?? parseRequirement(requires[0] ?? '');
      if (owner) backends.set(owner.name, module);
    }
  }
  const written: string[] = [];
  for (const [name, { spelled, specs, extras }] of specifiers) {
    // When no one version satisfies every specifier, one for each: uv then says they conflict.
    const together = versionFor(specs);
    const versions = together ? [together] : [...new Set(specs.map((spec) => versionFor([spec])).filter((v): v is string => Boolean(v)))];
    for (const version of versions) {
      const file = stubWheel(spelled, version, [...extras], backends.get(name), folder);
      if (file) written.push(file);
    }
  }
  return written;
}

/** Writes one stub wheel unless the same is there; returns its file name when written. */
function stubWheel(spelled: string, version: string, extras: string[], module: string | undefined, folder: string): string | undefined {
  const files: Array<[string, string]> = [];
  if (module) {
    const path = module.split('.');
    for (let i = 1; i < path.length; i++) files.push([`${path.slice(0, i).join('/')}/__init__.py`, '']);
    files.push([`${path.join('/')}.py`, BACKEND_SOURCE]);
  }
  const built = wheel(spelled, version, extras.map((e) => `Provides-Extra: ${e}`), files);
  const target = join(folder, built.file);
  // A backend wheel's content can change with this file; a stub's cannot.
  if (existsSync(target) && (!module || readFileSync(target).equals(built.bytes))) return undefined;
  writeFileSync(target, built.bytes);
  return built.file;
}
