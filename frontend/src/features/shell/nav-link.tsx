'use client';
import type { ReactNode } from 'react';
import { Link, usePathname } from '@/i18n/navigation';

/** A navigation link that marks the current section with aria-current. */
export function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const pathname = usePathname();
  const current = href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
  return (
    <Link href={href} aria-current={current ? 'page' : undefined}>
      {children}
    </Link>
  );
}
