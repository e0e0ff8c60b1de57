/**
 * Reading mail the platform sent, from the development mail catcher the web stack started (its JSON
 * list at `/messages`), as a person would read their inbox: the one-time code a requester is sent.
 */
import { expect } from '@playwright/test';

export interface CaughtMail {
  id: number;
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  language: string | null;
}

const mailUrl = () => {
  const url = process.env.CUSTOS_MAIL_URL;
  if (!url) throw new Error('CUSTOS_MAIL_URL is not set: the global setup did not run');
  return url;
};

/** Every message to `to` caught so far, newest first. */
export async function mailTo(to: string): Promise<CaughtMail[]> {
  const response = await fetch(`${mailUrl()}/messages`);
  expect(response.status, 'the mail catcher answers').toBe(200);
  const messages = (await response.json()) as CaughtMail[];
  return messages.filter((mail) => mail.to.includes(to.toLowerCase()));
}

/** The newest message to `to` that `matches` (waits up to `timeoutMs` for it to arrive). */
export async function waitForMail(
  to: string,
  matches: (mail: CaughtMail) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<CaughtMail> {
  let found: CaughtMail | undefined;
  await expect(async () => {
    found = (await mailTo(to)).find(matches);
    expect(found, `a mail to ${to}`).toBeDefined();
  }).toPass({ timeout: timeoutMs, intervals: [250, 500, 1000] });
  return found as CaughtMail;
}

/** The 6-digit one-time code in the newest code mail to `to` (a mail with another id than `notId`). */
export async function oneTimeCode(to: string, notId?: number): Promise<{ code: string; mailId: number }> {
  const mail = await waitForMail(to, (m) => m.id !== notId && /\b\d{6}\b/.test(m.text));
  const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
  if (!code) throw new Error('no code in the mail');
  return { code, mailId: mail.id };
}

/** A fresh address for one test, so tests never read each other's mail. */
export const freshAddress = (label: string) =>
  `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.org`;
