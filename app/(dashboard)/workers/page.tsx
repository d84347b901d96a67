import { WorkersView } from './workers-view';

export const metadata = { title: 'Workers · flatmachines-hub' };

export default function WorkersPage() {
  return <WorkersView />;
}
