/**
 * A small promise wrapper over the `sqlite3` package with one rule that matters: every statement and every
 * transaction goes through one FIFO queue, so an `await` inside a transaction can never let another caller's
 * statement slip into it (sqlite3 itself serialises statements, not logical transactions).
 */
import sqlite3 from 'sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GliofuseError } from '../../shared/errors.ts';
import { describeNonDatabase, isNoSpace, mapStorageError } from './storage-errors.ts';

export type SqlValue = string | number | bigint | null | Buffer | Uint8Array;
export type Params = readonly SqlValue[] | Record<string, SqlValue>;
export type Row = Record<string, unknown>;

export interface RunResult {
  lastID: number;
  changes: number;
}

/** Statements available inside a transaction (the queue is already held). */
export interface Tx {
  run(sql: string, params?: Params): Promise<RunResult>;
  get<T = Row>(sql: string, params?: Params): Promise<T | undefined>;
  all<T = Row>(sql: string, params?: Params): Promise<T[]>;
  exec(sql: string): Promise<void>;
  /** Runs `fn` after this transaction commits (never after a rollback); the audit checkpoint is written this way. */
  afterCommit(fn: () => void): void;
}

export class Db implements Tx {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly raw: sqlite3.Database,
    readonly file: string,
    /** Opened in immutable mode because the disk is full: a refused write means "disk full", not permissions. */
    readonly immutable = false,
  ) {}

  private mapErr(err: unknown): unknown {
    return mapStorageError(err, this.file, { diskFull: this.immutable });
  }

  /**
   * Opens (and with the default mode creates) a database. `readonly` never creates anything: a missing file is
   * BAD_INPUT "no database at PATH" (verification of a mistyped path must not leave an empty database behind).
   */
  static async open(file: string, opts: { readonly?: boolean } = {}): Promise<Db> {
    try {
      return await Db.openOnce(file, opts.readonly ? { readonly: true } : {});
    } catch (err) {
      // A read-only open of a WAL database must create its -shm file, which a full disk refuses. Reading still
      // works with SQLite's immutable mode (no shared memory, no locks): verification and listings keep working
      // on a full disk, as nothing can be written there anyway.
      if (!opts.readonly || !isNoSpace(err)) throw err;
      return Db.openOnce(file, { readonly: true, immutable: true });
    }
  }

  private static async openOnce(file: string, opts: { readonly?: boolean; immutable?: boolean }): Promise<Db> {
    if (file !== ':memory:') {
      const what = describeNonDatabase(file);
      if (what) throw new GliofuseError('STORAGE', `${file} is not a Gliofuse database (${what}); check the --db path.`);
      if (opts.readonly) {
        if (!fs.existsSync(file)) throw new GliofuseError('BAD_INPUT', `no database at ${file}; check the --db path (nothing was created).`);
      } else {
        fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      }
    }
    const mode = opts.immutable ? sqlite3.OPEN_READONLY | sqlite3.OPEN_URI : opts.readonly ? sqlite3.OPEN_READONLY : sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE;
    const name = opts.immutable ? `${pathToFileURL(path.resolve(file)).href}?immutable=1` : file;
    const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
      const d = new sqlite3.Database(name, mode, (err) => (err ? reject(mapStorageError(err, file)) : resolve(d)));
    });
    const db = new Db(raw, file, opts.immutable === true);
    try {
      // busy_timeout first: another process (CLI next to the app) may hold the write lock briefly.
      await db.exec('PRAGMA busy_timeout = 5000;');
      if (!opts.readonly) {
        await db.exec('PRAGMA journal_mode = WAL;');
        // FULL (the WAL is synced at every commit): the audit checkpoint written after a commit must never be
        // more durable than the commit itself, or a power cut would look like a truncated log.
        await db.exec('PRAGMA synchronous = FULL;');
      }
      await db.exec('PRAGMA foreign_keys = ON;');
      // Reading the schema makes SQLite look at the file now, so "not a database" is reported at open.
      await db.get('SELECT count(*) AS n FROM sqlite_master');
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
    return db;
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('database is closed'));
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private rawRun(sql: string, params: Params = []): Promise<RunResult> {
    const mapErr = (e: unknown) => this.mapErr(e);
    return new Promise((resolve, reject) => {
      this.raw.run(sql, params as never, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(mapErr(err));
        else resolve({ lastID: this.lastID, changes: this.changes });
      });
    });
  }
  private rawGet<T>(sql: string, params: Params = []): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      this.raw.get(sql, params as never, (err: Error | null, row: T) => (err ? reject(this.mapErr(err)) : resolve(row)));
    });
  }
  private rawAll<T>(sql: string, params: Params = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.raw.all(sql, params as never, (err: Error | null, rows: T[]) => (err ? reject(this.mapErr(err)) : resolve(rows)));
    });
  }
  private rawExec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => this.raw.exec(sql, (err) => (err ? reject(this.mapErr(err)) : resolve())));
  }

  run(sql: string, params?: Params): Promise<RunResult> {
    return this.enqueue(() => this.rawRun(sql, params));
  }
  get<T = Row>(sql: string, params?: Params): Promise<T | undefined> {
    return this.enqueue(() => this.rawGet<T>(sql, params));
  }
  all<T = Row>(sql: string, params?: Params): Promise<T[]> {
    return this.enqueue(() => this.rawAll<T>(sql, params));
  }
  exec(sql: string): Promise<void> {
    return this.enqueue(() => this.rawExec(sql));
  }

  /**
   * Runs `fn` inside BEGIN IMMEDIATE … COMMIT; any throw rolls everything back. IMMEDIATE takes the write lock up
   * front so two processes cannot both read the audit head and then both append after it.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.enqueue(async () => {
      const committed: (() => void)[] = [];
      const tx: Tx = {
        run: (s, p) => this.rawRun(s, p),
        get: <R = Row>(s: string, p?: Params) => this.rawGet<R>(s, p),
        all: <R = Row>(s: string, p?: Params) => this.rawAll<R>(s, p),
        exec: (s) => this.rawExec(s),
        afterCommit: (f) => { committed.push(f); },
      };
      await this.rawExec('BEGIN IMMEDIATE');
      let out: T;
      try {
        out = await fn(tx);
        await this.rawExec('COMMIT');
      } catch (err) {
        await this.rawExec('ROLLBACK').catch(() => undefined);
        throw err;
      }
      // Still inside the queue: the next transaction of this process starts only after these ran.
      for (const f of committed) f();
      return out;
    });
  }

  /** Outside a transaction a statement commits on its own, so "after commit" is now. */
  afterCommit(fn: () => void): void {
    fn();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    this.closed = true;
    await new Promise<void>((resolve, reject) => this.raw.close((err) => (err ? reject(err) : resolve())));
  }
}
