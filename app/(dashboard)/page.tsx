import { Overview } from './overview';

export const metadata = { title: 'Overview · flatmachines-hub' };

export default function OverviewPage() {
  return <Overview />;
}
