import type { ItemStatus, WorkerStatus } from '@/lib/contracts';
import { Badge, type Tone } from './ui';

const TONE: Record<ItemStatus | WorkerStatus, Tone> = {
  scheduled: 'amber',
  pending: 'neutral',
  claimed: 'blue',
  completed: 'green',
  poisoned: 'red',
  active: 'green',
  terminating: 'amber',
  terminated: 'neutral',
  lost: 'red',
};

export function StatusBadge({ status }: { status: ItemStatus | WorkerStatus }) {
  return <Badge tone={TONE[status]}>{status}</Badge>;
}
