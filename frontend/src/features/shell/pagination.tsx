import { type AppHref, Link } from '@/i18n/link';

/**
 * Forward-only paging, as the API's cursors go: back to the first page, and on to the next one.
 * Either link is left out when there is nowhere to go.
 */
export function Pagination({
  label,
  first,
  next,
}: {
  label: string;
  first?: { href: AppHref; text: string };
  next?: { href: AppHref; text: string };
}) {
  if (!first && !next) return null;
  return (
    <nav aria-label={label} className="pagination">
      {first && <Link href={first.href}>{first.text}</Link>}
      {next && (
        <Link href={next.href} rel="next">
          {next.text}
        </Link>
      )}
    </nav>
  );
}
