import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import de from '../../../messages/de.json';
import en from '../../../messages/en.json';
import { ClaimCodeFields } from './claim-code-fields';

/**
 * The camera and the QR reader are stand-ins: jsdom has neither. The fake reader hands the test the
 * callback the component gives it, so the test plays the part of the camera seeing a QR code.
 */
const reader = vi.hoisted(() => ({
  onResult: undefined as undefined | ((text: string) => void),
  stop: vi.fn(),
  start: vi.fn<() => Promise<void>>(async () => {}),
  constraints: undefined as unknown,
}));

vi.mock('@zxing/browser', () => ({
  BrowserQRCodeReader: class {
    async decodeFromConstraints(
      constraints: unknown,
      _video: HTMLVideoElement,
      callback: (
        result: { getText(): string } | undefined,
        error: unknown,
        controls: { stop(): void },
      ) => void,
    ) {
      reader.constraints = constraints;
      await reader.start();
      const controls = { stop: reader.stop };
      reader.onResult = (text) => callback({ getText: () => text }, undefined, controls);
      return controls;
    }
  },
}));

const origin = 'http://localhost:3000';
const text = en.claim.scan;
const fields = {
  serial: en.claim.serial,
  serialHint: en.claim.serialHint,
  code: en.claim.code,
  codeHint: en.claim.codeHint,
};

beforeEach(() => {
  reader.onResult = undefined;
  reader.stop.mockClear();
  reader.start.mockReset();
  reader.start.mockImplementation(async () => {});
  Object.defineProperty(navigator, 'mediaDevices', {
    configurable: true,
    value: { getUserMedia: vi.fn() },
  });
});

afterEach(() => {
  cleanup();
  Object.defineProperty(navigator, 'mediaDevices', { configurable: true, value: undefined });
});

function renderFields(props: Partial<Parameters<typeof ClaimCodeFields>[0]> = {}) {
  return render(
    <form>
      <ClaimCodeFields
        origin={origin}
        serial=""
        code=""
        invalid={[]}
        nextFieldId="claim-site"
        fields={fields}
        text={text}
        {...props}
      />
      <select id="claim-site" aria-label="Site">
        <option>North</option>
      </select>
    </form>,
  );
}

const serialField = () => screen.getByLabelText<HTMLInputElement>(en.claim.serial);
const codeField = () => screen.getByLabelText<HTMLInputElement>(en.claim.code);
const status = () => screen.getByRole('status');

async function startScanning() {
  const user = userEvent.setup();
  await user.click(screen.getByRole('button', { name: text.start }));
  await waitFor(() => expect(reader.onResult).toBeDefined());
  await waitFor(() => expect(status().textContent).toBe(text.scanning));
  return user;
}

describe('ClaimCodeFields', () => {
  it('offers typing: both fields, prefilled from the QR address, with their hints', () => {
    renderFields({ serial: 'ACME-U-0001', code: 'K7QF-9XMB-2TRW-HC4D' });
    expect(serialField().value).toBe('ACME-U-0001');
    expect(codeField().value).toBe('K7QF-9XMB-2TRW-HC4D');
    expect(serialField().getAttribute('aria-describedby')).toBe('claim-serial-hint');
    expect(screen.getByText(en.claim.codeHint)).toBeTruthy();
    expect(screen.getByText(text.typeInstead)).toBeTruthy();
    // Nothing is loaded and no camera opened until the button is pressed.
    expect(reader.start).not.toHaveBeenCalled();
  });

  it('fills both fields from a claim QR code, stops the camera and moves on to the site', async () => {
    renderFields();
    await startScanning();
    expect(screen.getByRole('button', { name: text.stop })).toBeTruthy();
    expect(reader.constraints).toEqual({ video: { facingMode: 'environment' } });
    expect(screen.getByLabelText(text.preview).hidden).toBe(false);

    act(() => reader.onResult?.(`${origin}/claim?serial=ACME-U-0001&code=K7QF-9XMB-2TRW-HC4D`));

    expect(serialField().value).toBe('ACME-U-0001');
    expect(codeField().value).toBe('K7QF-9XMB-2TRW-HC4D');
    expect(reader.stop).toHaveBeenCalled();
    expect(status().textContent).toBe(text.read.replace('{serial}', 'ACME-U-0001'));
    expect(document.activeElement).toBe(screen.getByLabelText('Site'));
    expect(screen.getByRole('button', { name: text.start })).toBeTruthy();
    expect(screen.getByLabelText(text.preview).hidden).toBe(true);
  });

  it('ignores a QR code that is not a claim address of this installation, and keeps scanning', async () => {
    renderFields({ serial: 'typed' });
    await startScanning();

    for (const foreign of [
      'https://evil.example.com/claim?serial=EVIL-1&code=K7QF-9XMB',
      `${origin}/en/devices?serial=EVIL-1&code=K7QF-9XMB`,
      'WIFI:S:guest;T:WPA;P:secret;;',
    ]) {
      act(() => reader.onResult?.(foreign));
      expect(status().textContent).toBe(text.foreign);
      expect(serialField().value).toBe('typed');
      expect(codeField().value).toBe('');
    }
    expect(reader.stop).not.toHaveBeenCalled();

    // The right code after a wrong one is still read.
    act(() => reader.onResult?.(`${origin}/claim?serial=ACME-U-0001&code=K7QF-9XMB-2TRW-HC4D`));
    expect(serialField().value).toBe('ACME-U-0001');
  });

  it('stops the camera with the same button, keeping the focus on it', async () => {
    renderFields();
    const user = await startScanning();
    const button = screen.getByRole('button', { name: text.stop });
    await user.click(button);
    expect(reader.stop).toHaveBeenCalled();
    expect(button.textContent).toBe(text.start);
    expect(document.activeElement).toBe(button);
    expect(status().textContent).toBe('');
  });

  it('stops the camera with Escape', async () => {
    renderFields();
    const user = await startScanning();
    await user.keyboard('{Escape}');
    expect(reader.stop).toHaveBeenCalled();
    expect(screen.getByRole('button', { name: text.start })).toBeTruthy();
  });

  it('closes a camera that opens only after the scan was stopped', async () => {
    let open!: () => void;
    reader.start.mockImplementation(() => new Promise<void>((resolve) => (open = resolve)));
    renderFields();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: text.start }));
    await waitFor(() => expect(status().textContent).toBe(text.starting));
    await user.click(screen.getByRole('button', { name: text.stop }));
    await act(async () => open());
    expect(reader.stop).toHaveBeenCalled();
    expect(status().textContent).toBe('');
  });

  it.each([
    ['NotAllowedError', text.denied],
    ['NotFoundError', text.noCamera],
    ['NotReadableError', text.unavailable],
  ])('says so when the camera fails with %s, and typing still works', async (name, message) => {
    reader.start.mockRejectedValue(Object.assign(new Error('camera'), { name }));
    renderFields();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: text.start }));
    expect((await screen.findByRole('alert')).textContent).toBe(message);
    await user.type(serialField(), 'ACME-U-0001');
    expect(serialField().value).toBe('ACME-U-0001');
  });

  it('says the camera cannot be used where the browser offers none (no HTTPS, say)', async () => {
    Object.defineProperty(navigator, 'mediaDevices', { configurable: true, value: undefined });
    renderFields();
    await userEvent.setup().click(screen.getByRole('button', { name: text.start }));
    expect((await screen.findByRole('alert')).textContent).toBe(text.unavailable);
    expect(reader.start).not.toHaveBeenCalled();
  });

  it('stops the camera when the form goes away', async () => {
    const { unmount } = renderFields();
    await startScanning();
    unmount();
    expect(reader.stop).toHaveBeenCalled();
  });

  it('marks the fields a refusal is about and points them at its message', () => {
    renderFields({ invalid: ['serial', 'code'], errorId: 'claim-error' });
    expect(serialField().getAttribute('aria-invalid')).toBe('true');
    expect(codeField().getAttribute('aria-describedby')).toBe('claim-code-hint claim-error');
  });

  it('takes every text from the messages it is given', () => {
    render(
      <ClaimCodeFields
        origin={origin}
        serial=""
        code=""
        invalid={[]}
        nextFieldId="x"
        fields={{ serial: de.claim.serial, serialHint: '', code: de.claim.code, codeHint: '' }}
        text={de.claim.scan}
      />,
    );
    expect(screen.getByRole('button', { name: de.claim.scan.start })).toBeTruthy();
    expect(screen.getByLabelText(de.claim.serial)).toBeTruthy();
    expect(screen.getByLabelText(de.claim.code)).toBeTruthy();
  });
});
