/** The query string a refused portal form comes back with: the chosen right, the error, its details. */
export function refusalQuery(type: string, error: string, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams({ type, error, ...extra });
  for (const [name, value] of [...query]) if (!value) query.delete(name);
  return query.toString();
}
