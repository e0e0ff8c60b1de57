import { getTranslations } from 'next-intl/server';
import { myPermissions } from '@/features/api/me';
import { localeHref } from '@/i18n/link';
import type { Locale } from '@/i18n/routing';
import { SectionLink } from './section-link';
import { sectionPath, visibleSections } from './sections';

/** The privacy office's pages this user may open (none shown when there is only one). */
export async function SectionNav({ locale }: { locale: Locale }) {
  const t = await getTranslations('privacy.nav');
  const sections = visibleSections(await myPermissions());
  if (sections.length < 2) return null;
  return (
    <nav aria-label={t('label')} className="sub-nav">
      <ul>
        {sections.map((section) => {
          const href = localeHref(locale, sectionPath[section]);
          return (
            <li key={section}>
              <SectionLink href={href} also={section === 'requests' ? `${href}/requests/` : `${href}/`}>
                {t(section)}
              </SectionLink>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
