import { act, cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import de from '../../../messages/de.json';
import en from '../../../messages/en.json';
import ErrorPage from './error';

const params = vi.hoisted(() => ({ locale: 'de' }));
vi.mock('next/navigation', () => ({ useParams: () => params }));

afterEach(cleanup);

describe('the error page', () => {
  it('shows the texts of the page’s locale, loaded when it shows, and retries on request', async () => {
    params.locale = 'de';
    const reset = vi.fn();
    const retry = vi.fn();
    // act() lets React retry the render once the locale's texts have loaded.
    await act(async () => {
      render(<ErrorPage error={new Error('boom')} reset={reset} retry={retry} />);
    });
    expect(await screen.findByRole('heading', { level: 1, name: de.errors.unexpected.title })).toBeTruthy();
    expect(screen.getByText(de.errors.unexpected.body)).toBeTruthy();
    expect(screen.queryByText('boom')).toBeNull();
    await userEvent.setup().click(screen.getByRole('button', { name: de.errors.unexpected.retry }));
    // Retrying fetches the server data again (Next.js's retry), not only a client re-render.
    expect(retry).toHaveBeenCalledTimes(1);
    expect(reset).not.toHaveBeenCalled();
  });

  it('falls back to English for a locale it does not know', async () => {
    params.locale = 'xx';
    await act(async () => {
      render(<ErrorPage error={new Error('boom')} reset={() => undefined} />);
    });
    expect(await screen.findByRole('heading', { level: 1, name: en.errors.unexpected.title })).toBeTruthy();
  });
});
