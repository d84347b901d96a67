import { createSqliteStore } from './store/sqlite';
import type { HubStore, StoreOptions } from './store/types';

export type { HubStore, HubEvent, StoreOptions, Outcome, FailureCode } from './store/types';

/** Opens the store that `databaseUrl` names: a SQLite file path or `:memory:`. */
export function openStore(databaseUrl: string, opts: StoreOptions = {}): HubStore {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('PostgreSQL is not supported yet: DATABASE_URL must be a SQLite file path');
  }
  return createSqliteStore(databaseUrl.replace(/^(sqlite|file):(\/\/)?/, ''), opts);
}
