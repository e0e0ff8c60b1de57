'use client';
import { type ReactNode, useEffect, useRef } from 'react';

/**
 * Moves the keyboard focus to its content when it appears: after a server action the page is
 * rendered anew and the button that was pressed may be gone, which would leave focus on <body>.
 * Focusing the result also makes screen readers read it.
 *
 * With an `id`, an address ending in `#id` focuses it too, even without JavaScript (a browser
 * focuses a focusable fragment target; a target it cannot focus would take the focus away).
 */
export function FocusHere({ id, children }: { id?: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div ref={ref} id={id} tabIndex={-1} className="focus-target">
      {children}
    </div>
  );
}
