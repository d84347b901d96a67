/**
 * The hub's contracts: zod schemas of every request and response, shared by the route handlers,
 * the dashboard and the SDK. Nothing else defines these shapes.
 *
 * Glossary
 * - **worker**: a process that registers, heartbeats, and claims items. Status `active`,
 *   `terminating` (asked to drain), `terminated` (exited cleanly) or `lost` (stopped heartbeating).
 * - **pool**: a named queue of items; it exists once it holds an item.
 * - **item**: one unit of work: JSON `data`, a status (`pending`, `claimed`, `completed`,
 *   `poisoned`), `attempts` and `max_retries`.
 * - **claim**: handing a pending item to one worker; `attempts` grows by one. Atomic: no item is
 *   ever claimed by two workers at once.
 * - **lease**: the `lease_id` made fresh for each claim. Completing or failing with it proves the
 *   caller still holds that very claim (a fencing token).
 * - **release**: ending a claim without an outcome: the item goes back to `pending`, `attempts` kept.
 * - **poisoned**: an item that failed (or lost its worker) with `attempts >= max_retries`; it is
 *   never claimed again until an operator retries it.
 * - **retry**: an operator sends a poisoned or completed item back to `pending` with `attempts` 0.
 */
export * from './common';
export * from './workers';
export * from './items';
export * from './operator';
export * from './security';
export * from './outcomes';
