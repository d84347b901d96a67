import { createPgStore } from './store/pg';
import { createSqliteStore } from './store/sqlite';
import type { HubStore, StoreOptions } from './store/types';

export type { Actor, ErrorFilter, HubStore, HubEvent, StoreOptions, Outcome, FailureCode } from './store/types';

export { loggable, storeProblemOf } from './store/errors';
export { TOUCH_EVERY_MS } from './store/tokens-audit';

/**
 * Opens the store that `databaseUrl` names: `postgres://…` (or `postgresql://…`) for PostgreSQL,
 * else a SQLite file path or `:memory:`. On PostgreSQL it returns before connecting (see
 * createPgStore); SQLite opens and migrates its file at once.
 */
export function openStore(databaseUrl: string, opts: StoreOptions = {}): HubStore {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return createPgStore(databaseUrl, opts);
  return createSqliteStore(databaseUrl.replace(/^(sqlite|file):(\/\/)?/, ''), opts);
}
