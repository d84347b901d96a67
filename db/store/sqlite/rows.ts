import type { items } from '@/db/schema/sqlite';
import { rowMappers } from '../rows';

export type ItemRow = typeof items.$inferSelect;

/** SQLite keeps JSON as text. */
export const { toWorkItem, toItemDetail, toWorkerRecord } = rowMappers((text) => JSON.parse(text as string));
