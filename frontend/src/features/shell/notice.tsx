import type { ReactNode } from 'react';

/** A message about the page as a whole: forbidden, not found, a result, an error. */
export function Notice({
  tone = 'info',
  title,
  children,
}: {
  tone?: 'info' | 'success' | 'error';
  title: string;
  children?: ReactNode;
}) {
  return (
    <div className={`notice ${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      <p className="notice-title">{title}</p>
      {children}
    </div>
  );
}
