'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';

/**
 * A link of the privacy pages' own menu, marked current (aria-current) on its page and, for the
 * request queue, on a request's page too. `href` carries the locale already.
 */
export function SectionLink({ href, also, children }: { href: string; also?: string; children: ReactNode }) {
  const pathname = usePathname();
  const current = pathname === href || (also !== undefined && pathname.startsWith(also));
  return (
    <Link href={href} aria-current={current ? 'page' : undefined}>
      {children}
    </Link>
  );
}
