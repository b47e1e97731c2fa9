/**
 * The one place where storage failures become one line naming the cause and what to do (code STORAGE, CLI exit 1;
 * a path the user mistyped is BAD_INPUT, exit 2). Everything else passes through unchanged, so constraint
 * violations keep their own messages for the services that catch them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GliofuseError } from '../../shared/errors.ts';

/** SQLite result codes (primary codes; node-sqlite3 puts the name in err.code and the number in err.errno). */
const SQLITE_NAMES: Record<number, string> = {
  3: 'SQLITE_PERM', 5: 'SQLITE_BUSY', 6: 'SQLITE_LOCKED', 8: 'SQLITE_READONLY', 10: 'SQLITE_IOERR', 11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL', 14: 'SQLITE_CANTOPEN', 23: 'SQLITE_AUTH', 26: 'SQLITE_NOTADB',
};

function sqliteCode(err: unknown): string | null {
  if (!err || typeof err !== 'object') return null;
  const e = err as { code?: unknown; errno?: unknown };
  if (typeof e.code === 'string' && e.code.startsWith('SQLITE_')) return e.code;
  if (typeof e.errno === 'number') return SQLITE_NAMES[e.errno & 0xff] ?? null;
  return null;
}

const storage = (message: string, cause: string) => new GliofuseError('STORAGE', message, { cause });

/** Free bytes on the filesystem holding `file`, or null when it cannot be measured. */
function freeBytes(file: string): number | null {
  try {
    const st = fs.statfsSync(path.dirname(path.resolve(file)));
    return Number(st.bavail) * Number(st.bsize);
  } catch {
    return null;
  }
}

/** What kind of thing sits at `file`, for "not a Gliofuse database (…)". */
export function describeNonDatabase(file: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return null;
  }
  if (st.isDirectory()) return 'it is a folder';
  if (!st.isFile()) return 'it is not a regular file';
  if (st.size === 0) return null; // an empty file is a new database to SQLite
  const head = Buffer.alloc(16);
  const fd = fs.openSync(file, 'r');
  try { fs.readSync(fd, head, 0, 16, 0); } finally { fs.closeSync(fd); }
  if (head.toString('latin1') !== 'SQLite format 3\0') {
    if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'it is a PNG image';
    return 'not an SQLite file';
  }
  if (st.size < 100) return `truncated: ${st.size} bytes`;
  // The header's page size x page count must fit in the file; a shorter file was cut off. Only judged when no
  // process has the database open in WAL mode (no -wal file): a checkpoint in progress writes page 1 first.
  if (fs.existsSync(`${file}-wal`)) return null;
  const full = Buffer.alloc(100);
  const fd2 = fs.openSync(file, 'r');
  try { fs.readSync(fd2, full, 0, 100, 0); } finally { fs.closeSync(fd2); }
  const pageSize = full.readUInt16BE(16) === 1 ? 65536 : full.readUInt16BE(16);
  const pages = full.readUInt32BE(28);
  const countValid = full.readUInt32BE(24) === full.readUInt32BE(92); // "in-header size" is valid only then
  if (countValid && pages > 0 && st.size < pageSize * pages) return `truncated: ${st.size} of ${pageSize * pages} bytes`;
  return null;
}

/** A failure that means "no space left" (or a write the disk refused): SQLite's FULL/IOERR/CANTOPEN, or ENOSPC. */
export function isNoSpace(err: unknown): boolean {
  const cause = err instanceof GliofuseError ? err.details?.cause : sqliteCode(err) ?? (err as { code?: unknown } | null)?.code;
  return cause === 'SQLITE_FULL' || cause === 'SQLITE_IOERR' || cause === 'SQLITE_CANTOPEN' || cause === 'ENOSPC';
}

/** Maps a storage failure on `file` to one clear line; returns other errors unchanged. */
export function mapStorageError(err: unknown, file: string, ctx: { diskFull?: boolean } = {}): unknown {
  if (err instanceof GliofuseError) return err;
  const code = sqliteCode(err);
  if (!code) return err;
  if (ctx.diskFull && code === 'SQLITE_READONLY') {
    return storage(`disk full at ${path.dirname(file)}: only reading is possible until some space is freed (nothing was changed).`, code);
  }
  switch (code) {
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return storage(`the database is busy: another Gliofuse process is writing to ${file}; try again when it has finished.`, code);
    case 'SQLITE_FULL':
      return storage(`disk full at ${path.dirname(file)}: free some space and retry (nothing was changed).`, code);
    case 'SQLITE_IOERR': {
      const free = freeBytes(file);
      if (free !== null && free < 16 * 1024 * 1024) return storage(`disk full at ${path.dirname(file)}: free some space and retry (nothing was changed).`, code);
      return storage(`cannot write ${file} (disk full, a file size limit or a disk error): free some space or check the disk, then retry (nothing was changed).`, code);
    }
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT': {
      const what = describeNonDatabase(file) ?? (code === 'SQLITE_CORRUPT' ? 'damaged SQLite file' : 'not an SQLite file');
      return storage(`${file} is not a Gliofuse database (${what}); check the --db path, or restore the database from your backup.`, code);
    }
    case 'SQLITE_CANTOPEN': {
      const what = describeNonDatabase(file);
      if (what) return storage(`${file} is not a Gliofuse database (${what}); check the --db path.`, code);
      try {
        fs.accessSync(path.dirname(path.resolve(file)), fs.constants.W_OK);
      } catch {
        return storage(`permission denied: ${path.dirname(path.resolve(file))} (cannot create or open the database there).`, code);
      }
      return storage(`cannot open the database ${file}; check that the path and its folder exist and are yours.`, code);
    }
    case 'SQLITE_READONLY':
      return storage(`the database ${file} is read-only (file or folder permissions, or a read-only disk); nothing was changed.`, code);
    case 'SQLITE_PERM':
    case 'SQLITE_AUTH':
      return storage(`permission denied: ${file}.`, code);
    default:
      return err;
  }
}

/**
 * Maps a file-system failure on `file` (an output folder, an export, a slide) to one line. `verb` says what was
 * being done ("write the export", "read the slide"). ENOENT of the folder and "is a folder" are the user's input
 * (BAD_INPUT, exit 2); the rest are STORAGE (exit 1).
 */
export function mapFileError(err: unknown, file: string, verb: string): GliofuseError {
  if (err instanceof GliofuseError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code ?? '';
  const dir = path.dirname(path.resolve(file));
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new GliofuseError('STORAGE', `permission denied: ${file} (cannot ${verb}; check the file and folder permissions).`, { cause: code });
    case 'EROFS':
      return new GliofuseError('STORAGE', `${dir} is on a read-only filesystem (cannot ${verb}); choose another folder.`, { cause: code });
    case 'ENOSPC':
    case 'EDQUOT':
      return new GliofuseError('STORAGE', `disk full at ${dir} (cannot ${verb}): free some space and retry.`, { cause: code });
    case 'ENOENT':
    case 'ENOTDIR':
      return new GliofuseError('BAD_INPUT', `no folder ${dir} (cannot ${verb}); create it or choose another path.`, { cause: code });
    case 'EISDIR':
      return new GliofuseError('BAD_INPUT', `${file} is a folder (cannot ${verb}); give a file name.`, { cause: code });
    default:
      return new GliofuseError('STORAGE', `cannot ${verb} at ${file} (${code || 'I/O error'}).`, { cause: code || 'EIO' });
  }
}

/**
 * Checks up front that a file can be created at `file` (by creating and removing a probe beside it), so a
 * read-only or missing folder is reported before any work is done, whoever runs it (root ignores mode bits, not
 * read-only filesystems).
 */
export function assertCanCreate(file: string, verb: string): void {
  try {
    if (fs.statSync(file).isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw mapFileError(err, file, verb);
  }
  const probe = path.join(path.dirname(path.resolve(file)), `.gliofuse-probe-${process.pid}-${Date.now()}`);
  try {
    fs.closeSync(fs.openSync(probe, 'wx', 0o600));
  } catch (err) {
    throw mapFileError(err, file, verb);
  }
  fs.rmSync(probe, { force: true });
}

/** temp file + rename: the target is either the old file or the complete new one. */
export function writeFileAtomic(file: string, content: string | Buffer, verb: string): void {
  const tmp = `${file}.${process.pid}.partial`;
  try {
    fs.writeFileSync(tmp, content, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw mapFileError(err, file, verb);
  }
}

/** Creates `dir` if needed and checks a file can be written in it, before any work whose output goes there. */
export function ensureWritableFolder(dir: string, verb: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    // Node's recursive mkdir reports ENOENT for a parent that exists but refuses (read-only filesystem); a plain
    // mkdir below the deepest existing folder gives the real cause.
    let real = err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      let p = path.resolve(dir);
      while (!fs.existsSync(path.dirname(p)) && path.dirname(p) !== p) p = path.dirname(p);
      try { fs.mkdirSync(p); } catch (e) { real = e; }
    }
    throw mapFileError(real, path.join(dir, '.'), verb);
  }
  assertCanCreate(path.join(dir, '.gliofuse-write-check'), verb);
}

const FILE_FAILURES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT']);

/**
 * For the router and the CLI, last line of defence: a raw file-system failure that escaped a service (permission
 * denied, read-only filesystem, disk full) becomes its one line instead of "internal error". SQLite failures are
 * already mapped by the store.
 */
export function storageFailure(err: unknown): unknown {
  if (err instanceof GliofuseError || !err || typeof err !== 'object') return err;
  const e = err as NodeJS.ErrnoException;
  if (typeof e.code === 'string' && FILE_FAILURES.has(e.code) && typeof e.path === 'string') return mapFileError(err, e.path, 'complete the operation');
  return err;
}
