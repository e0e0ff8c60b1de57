/**
 * What Next.js passes to pages under `[locale]`. Written out rather than Next's generated
 * `PageProps<…>` globals, which exist only after a build: the type check runs before one.
 */
export type SearchParams = Record<string, string | string[] | undefined>;

export interface LocalePageProps<Params extends object = object> {
  params: Promise<{ locale: string } & Params>;
  searchParams: Promise<SearchParams>;
}
