// Loaded with `node --import ./bench/fault-preload.mjs` by bench/fault-injection.mjs: counts the
// write points of a run, and kills the process at one of them. It works on any build of the
// generator (it wraps node:fs, not the generator's code), so the same points are injected into
// an older build that writes files in place and into the current one.
//
// A write point, for a file under FAULT_ROOT (the monorepo) or in a dagster-location journal:
//   open    right after a file is opened for writing (it is already truncated or created),
//   write   after the first write to it, with only half of that write's bytes written,
//   rename  just before a rename.
// writeFileSync is split into open, write and close so that it has the same points.
//
// FAULT_AT=k sends FAULT_SIGNAL (default SIGKILL) to the process itself at the k-th point;
// FAULT_COUNT_FILE receives the number of points the run went through.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const root = process.env.FAULT_ROOT ?? '\0';
const at = Number(process.env.FAULT_AT ?? 0);
const signal = process.env.FAULT_SIGNAL ?? 'SIGKILL';
const countFile = process.env.FAULT_COUNT_FILE;
let points = 0;

const original = {
  openSync: fs.openSync,
  writeSync: fs.writeSync,
  closeSync: fs.closeSync,
  writeFileSync: fs.writeFileSync,
  renameSync: fs.renameSync,
};

const watched = (path) => {
  const name = path instanceof URL ? path.pathname : typeof path === 'string' ? path : '';
  return name.startsWith(`${root}/`) || name.includes('dagster-location-journal');
};
const writesFlags = (flags) => typeof flags === 'string' ? /[wa+]/.test(flags) : typeof flags === 'number' && (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR)) !== 0;

function point() {
  points++;
  if (points === at) process.kill(process.pid, signal);
}

/** fds opened for writing on a watched path that have not been written yet. */
const fresh = new Set();

fs.openSync = function openSync(path, flags = 'r', mode) {
  const fd = original.openSync(path, flags, mode);
  if (watched(path) && writesFlags(flags)) {
    fresh.add(fd);
    point();
  }
  return fd;
};

fs.writeSync = function writeSync(fd, buffer, ...rest) {
  if (!fresh.has(fd)) return original.writeSync(fd, buffer, ...rest);
  fresh.delete(fd);
  const bytes = typeof buffer === 'string' ? Buffer.from(buffer, typeof rest[1] === 'string' ? rest[1] : 'utf8') : buffer;
  const offset = typeof buffer === 'string' ? 0 : (rest[0] ?? 0);
  const length = typeof buffer === 'string' ? bytes.length : (rest[1] ?? bytes.length - offset);
  const half = Math.floor(length / 2);
  let written = original.writeSync(fd, bytes, offset, half);
  point();
  written += original.writeSync(fd, bytes, offset + written, length - written);
  return written;
};

fs.closeSync = function closeSync(fd) {
  fresh.delete(fd);
  return original.closeSync(fd);
};

fs.writeFileSync = function writeFileSync(path, data, options) {
  if (!watched(path) || typeof path === 'number') return original.writeFileSync(path, data, options);
  const opts = typeof options === 'string' ? { encoding: options } : (options ?? {});
  const fd = fs.openSync(path, opts.flag ?? 'w', opts.mode ?? 0o666);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, opts.encoding ?? 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.length > 0) fs.writeSync(fd, bytes, 0, bytes.length);
  } finally {
    fs.closeSync(fd);
  }
};

fs.renameSync = function renameSync(from, to) {
  if (watched(from) || watched(to)) point();
  return original.renameSync(from, to);
};

syncBuiltinESMExports();

if (countFile) process.on('exit', () => original.writeFileSync(countFile, String(points)));
