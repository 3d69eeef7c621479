import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { deleteDatabase, type Migration, openDatabase } from '../../../src/storage/indexedDb';

describe('openDatabase', () => {
  it('runs every migration in order on a new database', async () => {
    const factory = new IDBFactory();
    const ran: number[] = [];
    const migrations: Migration[] = [() => ran.push(1), () => ran.push(2), () => ran.push(3)];
    const db = await openDatabase(factory, 'test', migrations);
    expect(ran).toEqual([1, 2, 3]);
    expect(db.version).toBe(3);
  });

  it('runs only the migrations a database has not had yet', async () => {
    const factory = new IDBFactory();
    const first = await openDatabase(factory, 'test', [(db) => db.createObjectStore('a')]);
    first.close();
    const ran: string[] = [];
    const db = await openDatabase(factory, 'test', [
      () => ran.push('a again'),
      (database) => {
        ran.push('b');
        database.createObjectStore('b');
      },
    ]);
    expect(ran).toEqual(['b']);
    expect([...db.objectStoreNames].sort()).toEqual(['a', 'b']);
  });

  it('leaves the old version intact when a migration fails', async () => {
    const factory = new IDBFactory();
    (await openDatabase(factory, 'test', [(db) => db.createObjectStore('a')])).close();
    const failing = openDatabase(factory, 'test', [
      () => undefined,
      (db) => {
        db.createObjectStore('b');
        throw new Error('migration bug');
      },
    ]);
    await expect(failing).rejects.toBeDefined();
    const db = await openDatabase(factory, 'test', [(database) => database.createObjectStore('a')]);
    expect(db.version).toBe(1);
    expect([...db.objectStoreNames]).toEqual(['a']);
  });

  it('steps aside when a newer version of the code wants to upgrade', async () => {
    const factory = new IDBFactory();
    await openDatabase(factory, 'test', [() => undefined]);
    const newer = await openDatabase(factory, 'test', [() => undefined, (db) => db.createObjectStore('new')]);
    expect(newer.version).toBe(2);
  });

  it('deletes a database', async () => {
    const factory = new IDBFactory();
    (await openDatabase(factory, 'test', [(db) => db.createObjectStore('a')])).close();
    await deleteDatabase(factory, 'test');
    expect((await factory.databases()).map((d) => d.name)).not.toContain('test');
  });
});
