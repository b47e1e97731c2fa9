import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Db } from '../../../src/main/store/db.ts';
import { loadMigrations, migrate, defaultMigrationsDir } from '../../../src/main/store/migrate.ts';
import { tempDir } from '../../helpers/temp-services.ts';

test('migrations apply from an empty file, in order, once', async () => {
  const dir = tempDir();
  const db = await Db.open(path.join(dir, 'a.sqlite'));
  const first = await migrate(db);
  assert.ok(first.applied.length >= 1);
  assert.equal(first.applied[0], '0001-core.sql');
  const again = await migrate(db);
  assert.deepEqual(again.applied, []);
  const tables = (await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")).map((r) => r.name);
  for (const t of ['users', 'patients', 'patient_phi', 'cases', 'slides', 'genomic_profiles', 'analyses', 'predictions', 'reports', 'audit_events', 'settings']) {
    assert.ok(tables.includes(t), `table ${t} exists`);
  }
  assert.equal((await db.get<{ journal_mode: string }>('PRAGMA journal_mode'))?.journal_mode, 'wal');
  assert.equal((await db.get<{ foreign_keys: number }>('PRAGMA foreign_keys'))?.foreign_keys, 1);
  await db.close();
});

test('an applied migration that was edited afterwards stops start-up', async () => {
  const dir = tempDir();
  const migDir = path.join(dir, 'migrations');
  fs.mkdirSync(migDir);
  fs.writeFileSync(path.join(migDir, '0001-a.sql'), 'CREATE TABLE a (x INTEGER);');
  const db = await Db.open(path.join(dir, 'b.sqlite'));
  await migrate(db, loadMigrations(migDir));
  fs.writeFileSync(path.join(migDir, '0001-a.sql'), 'CREATE TABLE a (x INTEGER, y TEXT);');
  await assert.rejects(migrate(db, loadMigrations(migDir)), /edited after it was applied/);
  await db.close();
});

test('a failing migration rolls back entirely and is not recorded', async () => {
  const dir = tempDir();
  const migDir = path.join(dir, 'migrations');
  fs.mkdirSync(migDir);
  fs.writeFileSync(path.join(migDir, '0001-ok.sql'), 'CREATE TABLE ok (x INTEGER);');
  fs.writeFileSync(path.join(migDir, '0002-bad.sql'), 'CREATE TABLE half (x INTEGER); INSERT INTO nope VALUES (1);');
  const db = await Db.open(path.join(dir, 'c.sqlite'));
  await assert.rejects(migrate(db, loadMigrations(migDir)), /no such table: nope/);
  const names = (await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type='table'")).map((r) => r.name);
  assert.ok(names.includes('ok'));
  assert.ok(!names.includes('half'), 'the failed migration left nothing behind');
  assert.deepEqual((await db.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version), [1]);
  await db.close();
});

test('constraints: foreign keys, checks and uniqueness are enforced', async () => {
  const dir = tempDir();
  const db = await Db.open(path.join(dir, 'd.sqlite'));
  await migrate(db, loadMigrations(defaultMigrationsDir()));
  const ts = new Date().toISOString();
  await assert.rejects(db.run("INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at) VALUES ('u', 'U', 'superuser', 'x', ?, ?)", [ts, ts]), /CHECK constraint failed/);
  await db.run("INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at) VALUES ('u', 'U', 'admin', 'x', ?, ?)", [ts, ts]);
  await assert.rejects(db.run("INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at) VALUES ('U', 'U2', 'admin', 'x', ?, ?)", [ts, ts]), /UNIQUE constraint failed/);
  await assert.rejects(db.run("INSERT INTO cases (patient_id, accession, created_by, created_at, updated_at) VALUES (999, 'A', 1, ?, ?)", [ts, ts]), /FOREIGN KEY constraint failed/);
  await db.close();
});

test('a transaction that throws leaves no trace, and concurrent transactions do not interleave', async () => {
  const dir = tempDir();
  const db = await Db.open(path.join(dir, 'e.sqlite'));
  await db.exec('CREATE TABLE t (x INTEGER NOT NULL)');
  await assert.rejects(db.transaction(async (tx) => {
    await tx.run('INSERT INTO t (x) VALUES (1)');
    await tx.run('INSERT INTO t (x) VALUES (NULL)');
  }), /NOT NULL/);
  assert.equal((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))?.n, 0);
  // Each transaction reads the max and inserts max+1 with an await in between; interleaving would duplicate values.
  await Promise.all(Array.from({ length: 20 }, () => db.transaction(async (tx) => {
    const m = (await tx.get<{ m: number | null }>('SELECT MAX(x) AS m FROM t'))?.m ?? 0;
    await new Promise((r) => setTimeout(r, 1));
    await tx.run('INSERT INTO t (x) VALUES (?)', [m + 1]);
  })));
  const xs = (await db.all<{ x: number }>('SELECT x FROM t ORDER BY x')).map((r) => r.x);
  assert.deepEqual(xs, Array.from({ length: 20 }, (_, i) => i + 1));
  await db.close();
});
