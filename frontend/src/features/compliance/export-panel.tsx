'use client';
/**
 * Builds an export bundle: posts the period to the web app's own export route (which calls the
 * API with the user's token), shows progress while the signed bundle streams in, then offers it
 * as a download. Everything here is keyboard-operable and announced through a live region.
 */
import { useFormatter, useTranslations } from 'next-intl';
import { type FormEvent, useEffect, useRef, useState } from 'react';

type ExportState =
  | { kind: 'idle' }
  | { kind: 'building'; bytes: number }
  | { kind: 'ready'; url: string; fileName: string; bytes: number }
  | { kind: 'failed'; code: string };

const fileNameOf = (disposition: string | null) =>
  /filename="([^"]+)"/.exec(disposition ?? '')?.[1] ?? 'custos-audit.tar';

export function ExportPanel({ tenantId }: { tenantId: string | null }) {
  const t = useTranslations('compliance.export');
  const format = useFormatter();
  const [state, setState] = useState<ExportState>({ kind: 'idle' });
  const downloadRef = useRef<HTMLAnchorElement>(null);

  useEffect(() => {
    if (state.kind === 'ready') downloadRef.current?.focus();
    return () => {
      if (state.kind === 'ready') URL.revokeObjectURL(state.url);
    };
  }, [state]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const body = Object.fromEntries(
      ['from', 'to', 'tenantId']
        .map((name) => [name, String(data.get(name) ?? '')])
        .filter(([, v]) => v !== ''),
    );
    setState({ kind: 'building', bytes: 0 });
    try {
      const response = await fetch('/api/audit-exports', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
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
      const blob = new Blob(chunks, { type: 'application/x-tar' });
      setState({
        kind: 'ready',
        url: URL.createObjectURL(blob),
        fileName: fileNameOf(response.headers.get('content-disposition')),
        bytes,
      });
    } catch {
      setState({ kind: 'failed', code: 'network' });
    }
  }

  const size = (bytes: number) =>
    format.number(bytes / 1024, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 1 });

  return (
    <section aria-labelledby="export-heading" className="card">
      <h2 id="export-heading">{t('title')}</h2>
      <p>{t('intro')}</p>
      <form onSubmit={submit} className="filters" aria-describedby="export-hint">
        <div className="field">
          <label htmlFor="export-from">{t('from')}</label>
          <input id="export-from" name="from" type="datetime-local" step="1" />
        </div>
        <div className="field">
          <label htmlFor="export-to">{t('to')}</label>
          <input id="export-to" name="to" type="datetime-local" step="1" />
        </div>
        <div className="field">
          <label htmlFor="export-tenant">{t('tenant')}</label>
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
          {t('hint')}
        </p>
        <div className="field actions">
          <button type="submit" className="button" disabled={state.kind === 'building'}>
            {state.kind === 'building' ? t('building') : t('submit')}
          </button>
        </div>
      </form>
      <div aria-live="polite" className="export-status">
        {state.kind === 'building' && (
          <>
            <progress aria-label={t('progressLabel')} />
            <p>{t('received', { size: size(state.bytes) })}</p>
          </>
        )}
        {state.kind === 'ready' && (
          <p>
            {t('ready', { size: size(state.bytes) })}{' '}
            <a ref={downloadRef} href={state.url} download={state.fileName} className="button">
              {t('download', { fileName: state.fileName })}
            </a>
          </p>
        )}
        {state.kind === 'failed' && (
          <p role="alert" className="error-text">
            {t.has(`errors.${state.code}` as never) ? t(`errors.${state.code}` as never) : t('errors.failed')}
          </p>
        )}
      </div>
      <p className="hint">{t('verifyHint')}</p>
    </section>
  );
}
