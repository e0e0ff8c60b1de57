'use client';
import { type ReactNode, useEffect, useRef } from 'react';

/**
 * Moves the keyboard focus to its content when it appears: after a server action the page is
 * rendered anew and the button that was pressed may be gone, which would leave focus on <body>.
 * Focusing the result also makes screen readers read it.
 */
export function FocusHere({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div ref={ref} tabIndex={-1} className="focus-target">
      {children}
    </div>
  );
}
