/**
 * The hub's worker SDK: a typed HTTP client, flatmachines-compatible backends and a worker loop.
 * Imports only the shared contracts, so it can be lifted into its own package.
 */
export { HubClient, type ClaimOptions, type HubClientOptions, type WorkerQuery } from './client';
export { DEFAULT_RETRY, type RetryPolicy } from './transport';
export * from './errors';
export {
  HubRegistrationBackend,
  HubWorkBackend,
  HubWorkPool,
  type RegistrationBackend,
  type WorkBackend,
  type WorkPool,
  type WorkItem as FlatWorkItem,
  type WorkerRecord as FlatWorkerRecord,
  type WorkerRegistration,
  type WorkerFilter,
} from './flatmachines';
export { runWorker, type Handler, type RunWorkerOptions, type WorkerContext, type WorkerSummary, type StopReason } from './worker';
export type { Json, WorkItem, WorkerRecord, PoolSummary, ItemDetail, WorkerStatus, ItemStatus, PushOptions, Backoff, PoolSettings, PoolSettingsPatch } from '../contracts';
