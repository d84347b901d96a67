import { Card, Loading } from '@/components/ui';

/**
 * Shown in the dashboard's frame while a page's server part is on its way (a navigation). Here,
 * not in app/: a loading boundary above this group's layout would make the layout's redirect to
 * sign-in arrive inside a streamed 200 instead of as a 307 before anything of the page is sent.
 */
export default function PageLoading() {
  return (
    <Card>
      <Loading what="page" />
    </Card>
  );
}
