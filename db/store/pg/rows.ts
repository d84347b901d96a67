import type { items } from '@/db/schema/pg';
import { rowMappers } from '../rows';

/** An item row as the prepared hot path returns it (statements.ts): all but `history`. */
export type WorkItemRow = Omit<typeof items.$inferSelect, 'history'>;

/** jsonb arrives parsed. */
export const { toWorkItem, toItemDetail, toWorkerRecord } = rowMappers((value) => value);
