'use client';
import { useEffect, useState } from 'react';

/**
 * The browser's time zone as a hidden field, so due dates can be shown (and counted) in the
 * requester's own zone. Without JavaScript it stays empty and the platform uses UTC.
 */
export function TimeZoneField() {
  const [zone, setZone] = useState('');
  useEffect(() => setZone(Intl.DateTimeFormat().resolvedOptions().timeZone ?? ''), []);
  return <input type="hidden" name="timeZone" value={zone} />;
}
