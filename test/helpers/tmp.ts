import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../.test-tmp');

/** A fresh directory under .test-tmp/ (git-ignored); removed by the returned cleanup. */
export function tempDir(prefix = 'hub-'): { dir: string; cleanup: () => void } {
  mkdirSync(ROOT, { recursive: true });
  const dir = mkdtempSync(path.join(ROOT, prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A path for a SQLite file that does not exist yet, in a fresh directory. */
export function tempDbFile(): { file: string; cleanup: () => void } {
  const { dir, cleanup } = tempDir('db-');
  return { file: path.join(dir, 'hub.db'), cleanup };
}
