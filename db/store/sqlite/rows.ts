import type { items } from '@/db/schema/sqlite';
import { rowMappers } from '../rows';

export type ItemRow = typeof items.$inferSelect;
/** An item row as the prepared hot path returns it (statements.ts): all but `history`. */
export type WorkItemRow = Omit<ItemRow, 'history'>;

/**
 * SQLite keeps JSON as text, and a completed item's completing attempt only in its columns
 * (migration 0008; see `complete` in statements.ts).
 */
export const { toWorkItem, toItemDetail, toWorkerRecord } = rowMappers((text) => JSON.parse(text as string), { completionImplied: true });
