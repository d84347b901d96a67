import { defineConfig } from 'drizzle-kit';

// One config per dialect: `drizzle-kit generate --config drizzle.config.ts` writes the SQLite
// migrations. PostgreSQL has its own: drizzle.pg.config.ts.
export default defineConfig({
  dialect: 'sqlite',
  schema: './db/schema/sqlite.ts',
  out: './db/migrations/sqlite',
});
