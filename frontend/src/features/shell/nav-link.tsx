'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';

/**
 * A navigation link that marks the current section with aria-current. `href` carries the locale
 * already; `home` is the locale's dashboard, current only on itself.
 */
export function NavLink({ href, home, children }: { href: string; home: boolean; children: ReactNode }) {
  const pathname = usePathname();
  const current = home ? pathname === href : pathname === href || pathname.startsWith(`${href}/`);
  return (
    <Link href={href} aria-current={current ? 'page' : undefined}>
      {children}
    </Link>
  );
}
