/**
 * A development mail catcher of the test's own, on free ports: pass `mailUrl` as MAIL_URL to
 * createTestApp, then wait for the message a step should have sent.
 */
import {
  type CaughtMail,
  type RunningMailCatcher,
  startMailCatcher,
} from '../../backend/src/core/mail/mail-catcher.js';

export interface TestMailCatcher {
  catcher: RunningMailCatcher;
  mailUrl: string;
  /**
   * The first message to `to` (whose subject contains or matches `subject`, if given) caught after
   * message `afterId`; waits up to `timeoutMs` for it to arrive.
   */
  waitForMail(
    to: string,
    options?: { subject?: string | RegExp; afterId?: number; timeoutMs?: number },
  ): Promise<CaughtMail>;
  /** Every message to `to`, oldest first. */
  mailTo(to: string): CaughtMail[];
  stop(): Promise<void>;
}

export async function startTestMailCatcher(): Promise<TestMailCatcher> {
  const catcher = await startMailCatcher({ smtpPort: 0, httpPort: 0 });
  const matches = (mail: CaughtMail, to: string, subject: string | RegExp | undefined, afterId: number) =>
    mail.id > afterId &&
    mail.to.includes(to.toLowerCase()) &&
    (subject === undefined ||
      (typeof subject === 'string' ? mail.subject.includes(subject) : subject.test(mail.subject)));
  return {
    catcher,
    mailUrl: catcher.smtpUrl,
    mailTo: (to) =>
      catcher
        .messages()
        .filter((m) => m.to.includes(to.toLowerCase()))
        .reverse(),
    waitForMail(to, { subject, afterId = 0, timeoutMs = 10_000 } = {}) {
      const already = [...catcher.messages()].reverse().find((m) => matches(m, to, subject, afterId));
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          stop();
          reject(
            new Error(`no mail to ${to}${subject ? ` about ${String(subject)}` : ''} within ${timeoutMs} ms`),
          );
        }, timeoutMs);
        const stop = catcher.onMail((mail) => {
          if (!matches(mail, to, subject, afterId)) return;
          clearTimeout(timer);
          stop();
          resolve(mail);
        });
      });
    },
    stop: () => catcher.stop(),
  };
}
