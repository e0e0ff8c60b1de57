import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { NextIntlClientProvider } from 'next-intl';
import { afterEach, beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import de from '../../../messages/de.json';
import en from '../../../messages/en.json';
import { ExportPanel, fill } from './export-panel';

const text = en.compliance.export;

type Fetch = typeof globalThis.fetch;
let fetchMock: Mock<Fetch>;
let createObjectURL: Mock<(blob: Blob) => string>;
let revokeObjectURL: Mock<(url: string) => void>;

beforeEach(() => {
  fetchMock = vi.fn<Fetch>();
  createObjectURL = vi.fn<(blob: Blob) => string>(() => 'blob:http://localhost/bundle-1');
  revokeObjectURL = vi.fn<(url: string) => void>();
  vi.stubGlobal('fetch', fetchMock);
  // jsdom has no object URLs.
  vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL }));
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function renderPanel(tenantId: string | null = 'tenant-a', locale: 'en' | 'de' = 'en') {
  return render(
    <NextIntlClientProvider locale={locale} messages={locale === 'de' ? de : en} timeZone="UTC">
      <ExportPanel locale={locale} tenantId={tenantId} text={(locale === 'de' ? de : en).compliance.export} />
    </NextIntlClientProvider>,
  );
}

/** A streamed response whose chunks the test releases one at a time. */
function streamedResponse(headers: Record<string, string>) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    response: new Response(body, {
      status: 201,
      headers: { 'content-type': 'application/x-tar', ...headers },
    }),
    send: (size: number) => controller.enqueue(new Uint8Array(size).fill(7)),
    end: () => controller.close(),
    /** Makes the next read() reject, as a dropped connection does. */
    breakOff: () => controller.error(new TypeError('network error')),
  };
}

const problem = (status: number, code: string) =>
  new Response(JSON.stringify({ type: 'about:blank', status, code }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });

const liveRegion = (container: HTMLElement) => {
  const region = container.querySelector<HTMLElement>('[aria-live="polite"]');
  if (!region) throw new Error('no live region');
  return region;
};

/** Fills the form from the keyboard alone and submits it with Enter on the button. */
async function fillAndSubmit(fields: { from?: string; to?: string; tenant?: string }) {
  const user = userEvent.setup();
  await user.tab();
  expect(document.activeElement).toBe(screen.getByLabelText(text.from));
  if (fields.from) await user.keyboard(fields.from);
  await user.tab();
  expect(document.activeElement).toBe(screen.getByLabelText(text.to));
  if (fields.to) await user.keyboard(fields.to);
  await user.tab();
  expect(document.activeElement).toBe(screen.getByLabelText(text.tenant));
  if (fields.tenant !== undefined) {
    await user.keyboard('{Control>}a{/Control}{Backspace}');
    if (fields.tenant) await user.keyboard(fields.tenant);
  }
  await user.tab();
  expect(document.activeElement).toBe(screen.getByRole('button', { name: text.submit }));
  await user.keyboard('{Enter}');
}

const sentBody = () => {
  const init = fetchMock.mock.calls[0]?.[1];
  return JSON.parse(String(init?.body));
};

describe('ExportPanel', () => {
  it('posts the period, shows progress while the bundle streams in, then offers the download', async () => {
    const stream = streamedResponse({
      'content-disposition': 'attachment; filename="custos-audit-tenant-a.tar"',
    });
    fetchMock.mockResolvedValue(stream.response);
    const { container, unmount } = renderPanel();

    await fillAndSubmit({ from: '2026-01-01T08:00', to: '2026-01-31T12:30:15' });

    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] ?? [];
    expect(url).toBe('/api/audit-exports');
    expect(init?.method).toBe('POST');
    expect(new Headers(init?.headers).get('content-type')).toBe('application/json');
    expect(sentBody()).toEqual({ from: '2026-01-01T08:00', to: '2026-01-31T12:30:15', tenantId: 'tenant-a' });

    // Building: the button says so and refuses a second export, yet keeps the keyboard focus;
    // the live region announces the state once, the bytes received are shown beside it.
    const button = screen.getByRole('button', { name: text.building });
    expect(button.getAttribute('aria-disabled')).toBe('true');
    expect(document.activeElement).toBe(button);
    expect(liveRegion(container).textContent).toBe(text.progressLabel);
    expect(screen.getByRole('progressbar', { name: text.progressLabel })).toBeTruthy();
    stream.send(2048);
    await waitFor(() => expect(screen.getByText('Received so far: 2 kB')).toBeTruthy());
    stream.send(1024);
    await waitFor(() => expect(screen.getByText('Received so far: 3 kB')).toBeTruthy());
    expect(liveRegion(container).textContent).not.toContain('Received so far');
    // A second Enter while building starts nothing.
    await userEvent.setup().keyboard('{Enter}');
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(createObjectURL).not.toHaveBeenCalled();
    stream.end();

    const link = await screen.findByRole('link', { name: 'Download custos-audit-tenant-a.tar' });
    expect(link.getAttribute('download')).toBe('custos-audit-tenant-a.tar');
    expect(link.getAttribute('href')).toBe('blob:http://localhost/bundle-1');
    await waitFor(() => expect(document.activeElement).toBe(link));
    expect(liveRegion(container).textContent).toContain('The bundle is ready (3 kB).');
    expect(screen.queryByText(/Received so far/)).toBeNull();
    expect(screen.getByRole('button', { name: text.submit }).getAttribute('aria-disabled')).toBe('false');

    expect(createObjectURL).toHaveBeenCalledTimes(1);
    const blob = createObjectURL.mock.calls[0]?.[0];
    expect(blob?.size).toBe(3072);
    expect(blob?.type).toBe('application/x-tar');

    // The object URL is released when the panel goes away.
    expect(revokeObjectURL).not.toHaveBeenCalled();
    unmount();
    expect(revokeObjectURL).toHaveBeenCalledWith('blob:http://localhost/bundle-1');
  });

  it('sends only the filled fields, and names the file itself without Content-Disposition', async () => {
    const stream = streamedResponse({});
    fetchMock.mockResolvedValue(stream.response);
    renderPanel(null);

    await fillAndSubmit({ to: '2026-02-01T00:00' });
    expect(sentBody()).toEqual({ to: '2026-02-01T00:00' });

    stream.send(10);
    stream.end();
    const link = await screen.findByRole('link', { name: 'Download custos-audit.tar' });
    expect(link.getAttribute('download')).toBe('custos-audit.tar');
  });

  it('uses a tenant typed over the default', async () => {
    fetchMock.mockResolvedValue(problem(422, 'validation_failed'));
    renderPanel('tenant-a');

    await fillAndSubmit({ tenant: 'tenant-b' });
    expect(sentBody()).toEqual({ tenantId: 'tenant-b' });
    expect((await screen.findByRole('alert')).textContent).toBe(text.errors.validation_failed);
  });

  it('shows the translated error of a problem response', async () => {
    fetchMock.mockResolvedValue(problem(403, 'forbidden'));
    renderPanel();

    await fillAndSubmit({});
    expect((await screen.findByRole('alert')).textContent).toBe(text.errors.forbidden);
    expect(screen.queryByRole('link')).toBeNull();
    expect(screen.getByRole('button', { name: text.submit }).getAttribute('aria-disabled')).toBe('false');
    // Focus moves to the message, so a keyboard or screen-reader user lands on it.
    expect(document.activeElement).toBe(screen.getByRole('alert'));
  });

  it.for<[string, () => Response]>([
    ['a code it has no message for', () => problem(500, 'something_new')],
    ['a response without a problem body', () => new Response('<html>Bad gateway</html>', { status: 502 })],
  ])('shows the general error for %s', async ([, response]) => {
    fetchMock.mockResolvedValue(response());
    renderPanel();

    await fillAndSubmit({});
    expect((await screen.findByRole('alert')).textContent).toBe(text.errors.failed);
  });

  it('shows the network message when the connection fails', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    renderPanel();

    await fillAndSubmit({});
    expect((await screen.findByRole('alert')).textContent).toBe(text.errors.network);
  });

  it('shows the network message when the stream breaks off', async () => {
    const stream = streamedResponse({});
    fetchMock.mockResolvedValue(stream.response);
    renderPanel();

    await fillAndSubmit({});
    stream.send(512);
    await waitFor(() => expect(screen.getByText(/Received so far/)).toBeTruthy());
    stream.breakOff();
    expect((await screen.findByRole('alert')).textContent).toBe(text.errors.network);
    expect(createObjectURL).not.toHaveBeenCalled();
  });

  it('takes its labels from the locale', () => {
    renderPanel('tenant-a', 'de');
    expect(screen.getByRole('button', { name: de.compliance.export.submit })).toBeTruthy();
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe(de.compliance.export.title);
    expect(screen.getByLabelText(de.compliance.export.tenant)).toBeTruthy();
  });

  it('has no label of its own: every text comes from the messages', () => {
    // A marked copy of the German messages: each label must come from them, none from the code.
    const marked = {
      ...de.compliance.export,
      submit: '[de] submit',
      title: '[de] title',
      tenant: '[de] tenant',
    };
    render(
      <NextIntlClientProvider locale="de" messages={de}>
        <ExportPanel locale="de" tenantId={null} text={marked} />
      </NextIntlClientProvider>,
    );
    expect(screen.getByRole('button').textContent).toBe('[de] submit');
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('[de] title');
    expect(screen.getByLabelText('[de] tenant')).toBeTruthy();
  });

  it('stops the download when the page goes away', async () => {
    const stream = streamedResponse({});
    fetchMock.mockResolvedValue(stream.response);
    const { unmount } = renderPanel();
    await fillAndSubmit({});
    const signal = fetchMock.mock.calls[0]?.[1]?.signal;
    expect(signal?.aborted).toBe(false);
    unmount();
    expect(signal?.aborted).toBe(true);
  });

  it('fills simple arguments and leaves unknown ones', () => {
    expect(fill('Download {fileName} ({size})', { fileName: 'a.tar' })).toBe('Download a.tar ({size})');
  });
});
