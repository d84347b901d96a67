import { defineConfig } from 'drizzle-kit';

// PostgreSQL's migrations: `npm run db:generate:pg`. Applied at start-up by the store
// (db/store/pg/migrate.ts), under an advisory lock so instances starting together take turns.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/pg.ts',
  out: './db/migrations/pg',
});
