import type { Metadata } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = { title: 'flatmachines-hub', description: 'Work distribution for fleets of workers' };

/**
 * Tells zod (before any bundle runs) not to probe `new Function`: it would fall back anyway, but
 * the probe is a CSP violation that the browser reports on every page.
 */
const ZOD_JITLESS = 'globalThis.__zod_globalConfig=Object.assign(globalThis.__zod_globalConfig||{},{jitless:true})';

// Reading the request makes every page render per request: its scripts carry that request's CSP
// nonce (proxy.ts), which a page built ahead of time could not.
export default async function RootLayout({ children }: { children: ReactNode }) {
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    <html lang="en">
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: ZOD_JITLESS }} />
      </head>
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">{children}</body>
    </html>
  );
}
