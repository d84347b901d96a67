import { rowMappers } from '../rows';

/** jsonb arrives parsed. */
export const { toWorkItem, toItemDetail, toWorkerRecord } = rowMappers((value) => value);
