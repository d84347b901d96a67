import type { items } from '@/db/schema/pg';
import { rowMappers } from '../rows';

/** An item row as the write operations return it (db/store/ops/shape.ts ITEM_COLUMNS): all but `history`. */
export type WorkItemRow = Omit<typeof items.$inferSelect, 'history'>;

/** jsonb arrives parsed. */
export const { toWorkItem, toItemDetail, toWorkerRecord } = rowMappers((value) => value);
