'use client';
/**
 * Builds an export bundle: posts the period to the web app's own export route (which calls the
 * API with the user's token), shows progress while the signed bundle streams in, then offers it
 * as a download. Keyboard-operable; the live region announces only the changes of state.
 *
 * Its texts come from the server as plain strings (`text`), so the browser needs no ICU message
 * runtime (next-intl's formatter costs ~12 kB gzip on every route that uses it); the three texts
 * with a value in them have simple `{name}` arguments only.
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { fill } from '@/features/shell/fill';
import type en from '../../../messages/en.json';

export { fill };

export type ExportText = typeof en.compliance.export;

type ExportState =
  | { kind: 'idle' }
  | { kind: 'building'; bytes: number }
  | { kind: 'ready'; url: string; fileName: string; bytes: number }
  | { kind: 'failed'; code: string };

const fileNameOf = (disposition: string | null) =>
  /filename="([^"]+)"/.exec(disposition ?? '')?.[1] ?? 'custos-audit.tar';

export function ExportPanel({
  locale,
  tenantId,
  text,
}: {
  locale: string;
  tenantId: string | null;
  text: ExportText;
}) {
  const [state, setState] = useState<ExportState>({ kind: 'idle' });
  const downloadRef = useRef<HTMLAnchorElement>(null);
  const errorRef = useRef<HTMLParagraphElement>(null);
  const inFlight = useRef<AbortController | null>(null);

  // Leaving the page stops a download under way: nothing keeps streaming into memory.
  useEffect(() => () => inFlight.current?.abort(), []);

  useEffect(() => {
    if (state.kind === 'ready') downloadRef.current?.focus();
    if (state.kind === 'failed') errorRef.current?.focus();
    return () => {
      if (state.kind === 'ready') URL.revokeObjectURL(state.url);
    };
  }, [state]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (state.kind === 'building') return;
    const data = new FormData(event.currentTarget);
    const body = Object.fromEntries(
      ['from', 'to', 'tenantId']
        .map((name) => [name, String(data.get(name) ?? '')])
        .filter(([, v]) => v !== ''),
    );
    const controller = new AbortController();
    inFlight.current = controller;
    setState({ kind: 'building', bytes: 0 });
    try {
      const response = await fetch('/api/audit-exports', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      if (!response.ok || !response.body) {
        const problem = (await response.json().catch(() => ({}))) as { code?: string };
        setState({ kind: 'failed', code: problem.code ?? 'failed' });
        return;
      }
      const reader = response.body.getReader();
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      let bytes = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        bytes += value.byteLength;
        setState({ kind: 'building', bytes });
      }
      setState({
        kind: 'ready',
        url: URL.createObjectURL(new Blob(chunks, { type: 'application/x-tar' })),
        fileName: fileNameOf(response.headers.get('content-disposition')),
        bytes,
      });
    } catch {
      if (!controller.signal.aborted) setState({ kind: 'failed', code: 'network' });
    } finally {
      if (inFlight.current === controller) inFlight.current = null;
    }
  }

  const size = (bytes: number) =>
    new Intl.NumberFormat(locale, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 1 }).format(
      bytes / 1024,
    );
  const building = state.kind === 'building';
  const errors: Record<string, string> = text.errors;

  return (
    <section aria-labelledby="export-heading" className="card">
      <h2 id="export-heading">{text.title}</h2>
      <p>{text.intro}</p>
      <form onSubmit={submit} className="filters" aria-describedby="export-hint">
        <div className="field">
          <label htmlFor="export-from">{text.from}</label>
          <input id="export-from" name="from" type="datetime-local" step="1" />
        </div>
        <div className="field">
          <label htmlFor="export-to">{text.to}</label>
          <input id="export-to" name="to" type="datetime-local" step="1" />
        </div>
        <div className="field">
          <label htmlFor="export-tenant">{text.tenant}</label>
          <input
            id="export-tenant"
            name="tenantId"
            type="text"
            defaultValue={tenantId ?? ''}
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <p id="export-hint" className="hint full">
          {text.hint}
        </p>
        <div className="field actions">
          {/* aria-disabled, not disabled: a disabled button would drop the keyboard focus. */}
          <button type="submit" className="button" aria-disabled={building}>
            {building ? text.building : text.submit}
          </button>
        </div>
      </form>
      {building && (
        <div className="export-status">
          <progress aria-label={text.progressLabel} />
          <p>{fill(text.received, { size: size(state.bytes) })}</p>
        </div>
      )}
      <div aria-live="polite" className="export-status">
        {building && <p className="visually-hidden">{text.progressLabel}</p>}
        {state.kind === 'ready' && (
          <p>
            {fill(text.ready, { size: size(state.bytes) })}{' '}
            <a ref={downloadRef} href={state.url} download={state.fileName} className="button">
              {fill(text.download, { fileName: state.fileName })}
            </a>
          </p>
        )}
      </div>
      {state.kind === 'failed' && (
        <p role="alert" className="error-text" ref={errorRef} tabIndex={-1}>
          {errors[state.code] ?? errors.failed}
        </p>
      )}
      <p className="hint">{text.verifyHint}</p>
    </section>
  );
}
