import { ItemPageView } from './item-view';

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  return { title: `Item ${decodeURIComponent((await params).id)} · flatmachines-hub` };
}

export default async function ItemPage({ params }: { params: Promise<{ id: string }> }) {
  return <ItemPageView id={decodeURIComponent((await params).id)} />;
}
