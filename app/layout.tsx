import type { Metadata } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = { title: 'flatmachines-hub', description: 'Work distribution for fleets of workers' };

// Every page is rendered per request: its scripts carry that request's CSP nonce (proxy.ts),
// which a page built ahead of time could not.
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">{children}</body>
    </html>
  );
}
