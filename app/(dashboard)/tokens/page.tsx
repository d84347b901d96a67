import { TokensView } from './tokens-view';

export const metadata = { title: 'Tokens · flatmachines-hub' };

export default function TokensPage() {
  return <TokensView />;
}
