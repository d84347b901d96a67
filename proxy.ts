import { NextResponse, type NextRequest } from 'next/server';
import { pageCsp } from '@/lib/http/security-headers';
import { PATH_HEADER } from '@/lib/http/page-headers';

/**
 * A fresh CSP nonce for every page. Next.js reads it from the request's Content-Security-Policy
 * and puts it on the scripts and styles it renders; the browser gets the same policy. Pages are
 * rendered per request (the root layout awaits `connection()`), so no page is served with a
 * nonce from another request.
 */
export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  // NODE_ENV is fixed by `next dev` / `next build` when this file is compiled, not a setting.
  const csp = pageCsp(nonce, process.env.NODE_ENV === 'development');
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', csp);
  headers.set('x-nonce', nonce);
  // Where sign-in returns to, for the dashboard layout's redirect (layouts are not told the path).
  headers.set(PATH_HEADER, request.nextUrl.pathname + request.nextUrl.search);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', csp);
  return response;
}

export const config = {
  // API routes get their (stricter) policy from next.config.js; static files need none.
  matcher: [
    {
      source: '/((?!api/|_next/static|_next/image|favicon.ico).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
