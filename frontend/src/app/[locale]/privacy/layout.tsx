import type { ReactNode } from 'react';
import { SectionNav } from '@/features/privacy/section-nav';
import type { Locale } from '@/i18n/routing';

/** The privacy office's pages share a menu of their own above each page. */
export default async function PrivacyLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ locale: string }>;
}) {
  const { locale } = await params;
  return (
    <>
      <SectionNav locale={locale as Locale} />
      {children}
    </>
  );
}
