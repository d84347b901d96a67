import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '@/db';
import { tempDbFile, tempDir } from '../helpers/tmp';
import { storeContract, type OpenStore } from './contract';
import { operatorContract } from './operator-contract';
import { securityContract } from './security-contract';

const openSqlite: OpenStore = async ({ clock, onChange }) => {
  const { file, cleanup } = tempDbFile();
  const store = openStore(file, { clock, onChange });
  return { store, cleanup: async () => (await store.close(), cleanup()) };
};
storeContract('sqlite', openSqlite);
operatorContract('sqlite', openSqlite);
securityContract('sqlite', openSqlite);

describe('sqlite file', () => {
  it('creates the file and its folders on first open, and keeps data across reopen', async () => {
    const { dir, cleanup } = tempDir();
    const file = path.join(dir, 'nested/deeper/hub.db');
    const first = openStore(file);
    const [id] = await first.push('q', [{ data: { kept: true } }]);
    await first.close();
    expect(existsSync(file)).toBe(true);
    const second = openStore(`sqlite:${file}`);
    expect((await second.getItem(id!))!.data).toEqual({ kept: true });
    await second.close();
    cleanup();
  });

  it('leaves a postgres URL to the PostgreSQL engine', async () => {
    const store = openStore('postgresql://postgres@127.0.0.1:1/none');
    expect(store.engine).toBe('postgres');
    await store.close();
  });
});
