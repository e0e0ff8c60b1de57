import type { ReactNode } from 'react';

/** A message about the page as a whole: forbidden, not found, a result, an error. */
export function Notice({
  id,
  tone = 'info',
  title,
  children,
}: {
  /** For fields that the message is about (aria-describedby). */
  id?: string;
  tone?: 'info' | 'success' | 'error';
  title: string;
  children?: ReactNode;
}) {
  return (
    <div id={id} className={`notice ${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      <p className="notice-title">{title}</p>
      {children}
    </div>
  );
}
