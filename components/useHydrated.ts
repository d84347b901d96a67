'use client';

import { useEffect, useState } from 'react';

/**
 * False in the server's HTML and until React has taken over the page. A form's submit button waits
 * for it: before that, a click would submit the form natively, putting what was typed (a token)
 * in the address.
 */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}
