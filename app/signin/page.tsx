import { Suspense } from 'react';
import { SignInView } from './signin-view';

export const metadata = { title: 'Sign in · flatmachines-hub' };

export default function SignInPage() {
  // SignInView reads `?next=` from the query string.
  return (
    <Suspense>
      <SignInView />
    </Suspense>
  );
}
