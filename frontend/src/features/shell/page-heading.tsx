import type { ReactNode } from 'react';

/** A page's one h1, with an optional line under it. */
export function PageHeading({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="page-heading">
      <h1>{title}</h1>
      {children && <p className="lede">{children}</p>}
    </div>
  );
}
