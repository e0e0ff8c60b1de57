import { notFound } from 'next/navigation';

/** Any path under a locale that no page matches: the translated not-found page. */
export default function CatchAll() {
  notFound();
}
