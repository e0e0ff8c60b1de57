'use client';
/**
 * The serial number and claim code fields of the claim form, and a button that reads both from the
 * QR code on the device's sticker with the camera. The QR reader (@zxing/browser, about 100 kB) is
 * loaded only when the button is pressed; typing always works, with or without JavaScript or a
 * camera. A QR code that is not a claim address of this installation fills nothing.
 *
 * Texts come from the server as plain strings (no i18n runtime in the browser: ADR 0016).
 */
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { fill } from '@/features/shell/fill';
import type en from '../../../messages/en.json';
import { readClaimUrl } from './claim-input';

export type ClaimFieldText = Pick<typeof en.claim, 'serial' | 'serialHint' | 'code' | 'codeHint'>;
export type ScanText = typeof en.claim.scan;

type ScanState =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'scanning'; foreign: boolean }
  | { kind: 'read'; serial: string }
  | { kind: 'failed'; reason: 'denied' | 'noCamera' | 'unavailable' };

interface Scanner {
  stop(): void;
}

/** Why the camera could not be used, from the DOMException getUserMedia threw. */
function failureOf(error: unknown): 'denied' | 'noCamera' | 'unavailable' {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'noCamera';
  return 'unavailable';
}

export function ClaimCodeFields({
  origin,
  serial,
  code,
  invalid,
  errorId,
  nextFieldId,
  fields,
  text,
}: {
  /** The web app's public address: the only origin whose claim addresses are read. */
  origin: string;
  serial: string;
  code: string;
  invalid: ReadonlyArray<'serial' | 'code' | 'site'>;
  /** The id of the error message about these fields, if there is one. */
  errorId?: string;
  /** Where the focus goes once a code is read (the site select). */
  nextFieldId: string;
  fields: ClaimFieldText;
  text: ScanText;
}) {
  const serialRef = useRef<HTMLInputElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const scanner = useRef<Scanner | null>(null);
  /** Bumped by every start and stop: a camera that opens after its scan was stopped is closed at once. */
  const attempt = useRef(0);
  const [state, setState] = useState<ScanState>({ kind: 'idle' });
  const active = state.kind === 'starting' || state.kind === 'scanning';

  useEffect(
    () => () => {
      attempt.current++;
      scanner.current?.stop();
    },
    [],
  );

  function stop(next: ScanState = { kind: 'idle' }) {
    attempt.current++;
    scanner.current?.stop();
    scanner.current = null;
    setState(next);
  }

  function found(scanned: string, controls: Scanner) {
    const reading = readClaimUrl(scanned, origin);
    if (!reading.ok) {
      // Said once, not at every frame that shows the same code.
      setState((current) =>
        current.kind === 'scanning' && current.foreign ? current : { kind: 'scanning', foreign: true },
      );
      return;
    }
    controls.stop();
    if (serialRef.current) serialRef.current.value = reading.serial;
    if (codeRef.current) codeRef.current.value = reading.code;
    stop({ kind: 'read', serial: reading.serial });
    document.getElementById(nextFieldId)?.focus();
  }

  async function start() {
    if (!navigator.mediaDevices?.getUserMedia) {
      setState({ kind: 'failed', reason: 'unavailable' });
      return;
    }
    const mine = ++attempt.current;
    setState({ kind: 'starting' });
    try {
      const { BrowserQRCodeReader } = await import('@zxing/browser');
      const video = videoRef.current;
      if (mine !== attempt.current || !video) return;
      const controls = await new BrowserQRCodeReader(undefined, {
        delayBetweenScanAttempts: 150,
      }).decodeFromConstraints(
        { video: { facingMode: 'environment' } },
        video,
        (result, _error, controls) => {
          if (result && mine === attempt.current) found(result.getText(), controls);
        },
      );
      if (mine !== attempt.current) {
        controls.stop();
        return;
      }
      scanner.current = controls;
      setState((current) => (current.kind === 'starting' ? { kind: 'scanning', foreign: false } : current));
    } catch (error) {
      if (mine === attempt.current) stop({ kind: 'failed', reason: failureOf(error) });
    }
  }

  /** Escape turns the camera off (the focus stays on the button while it is on). */
  function onKeyDown(event: KeyboardEvent) {
    if (event.key === 'Escape' && active) {
      event.preventDefault();
      stop();
    }
  }

  const described = (hint: string, field: 'serial' | 'code') =>
    [hint, invalid.includes(field) ? errorId : undefined].filter(Boolean).join(' ');

  return (
    <div className="claim-fields">
      <div className="scan">
        <button
          type="button"
          className="button secondary"
          aria-controls="claim-scan-status"
          onClick={() => (active ? stop() : start())}
          onKeyDown={onKeyDown}
        >
          {active ? text.stop : text.start}
        </button>
        {/* Always in the page (hidden when idle), so the reader has it as soon as it has loaded. */}
        <video
          ref={videoRef}
          className="scan-preview"
          aria-label={text.preview}
          muted
          playsInline
          hidden={!active}
        />
        <p id="claim-scan-status" role="status" className="scan-status">
          {state.kind === 'starting' && text.starting}
          {state.kind === 'scanning' && (state.foreign ? text.foreign : text.scanning)}
          {state.kind === 'read' && fill(text.read, { serial: state.serial })}
        </p>
        {state.kind === 'failed' && (
          <p role="alert" className="error-text">
            {text[state.reason]}
          </p>
        )}
        <p className="hint">{text.typeInstead}</p>
      </div>
      <div className="field">
        <label htmlFor="claim-serial">{fields.serial}</label>
        <input
          ref={serialRef}
          id="claim-serial"
          name="serialNumber"
          type="text"
          dir="ltr"
          required
          maxLength={64}
          defaultValue={serial}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={invalid.includes('serial') || undefined}
          aria-describedby={described('claim-serial-hint', 'serial')}
        />
        <p id="claim-serial-hint" className="hint">
          {fields.serialHint}
        </p>
      </div>
      <div className="field">
        <label htmlFor="claim-code">{fields.code}</label>
        <input
          ref={codeRef}
          id="claim-code"
          name="code"
          type="text"
          dir="ltr"
          required
          maxLength={39}
          defaultValue={code}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          aria-invalid={invalid.includes('code') || undefined}
          aria-describedby={described('claim-code-hint', 'code')}
        />
        <p id="claim-code-hint" className="hint">
          {fields.codeHint}
        </p>
      </div>
    </div>
  );
}
