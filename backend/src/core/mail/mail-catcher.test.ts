/**
 * The Mailer against the development mail catcher, over real SMTP: the message arrives with its
 * recipients, subject, text, HTML and language; the catcher keeps only the newest messages, lists
 * them as JSON and as an HTML page that escapes what senders wrote; a dead server is a MailNotSent
 * naming a code, never an address.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../tests/support/free-port.js';
import { startTestMailCatcher, type TestMailCatcher } from '../../../../tests/support/mail-catcher.js';
import type { AppConfig } from '../config/config.js';
import { startMailCatcher } from './mail-catcher.js';
import { Mailer, MailNotSent } from './mailer.js';

const silent = pino({ level: 'silent' });
const mailerFor = (url: string | undefined) =>
  new Mailer({ MAIL_URL: url, MAIL_FROM: 'Custos <privacy@custos.localhost>' } as AppConfig, silent);

let mail: TestMailCatcher;
beforeAll(async () => {
  mail = await startTestMailCatcher();
});
afterAll(() => mail?.stop());

describe('mailer and mail catcher', () => {
  it('delivers a message with its text, HTML, language and every recipient', async () => {
    const mailer = mailerFor(mail.mailUrl);
    await mailer.send({
      to: ['Ada@Example.org', 'bob@example.org'],
      subject: 'Ihr Antrag DSR-AAAA-BBBB',
      text: 'Hallo\nZeile zwei',
      html: '<p>Hallo</p>',
      language: 'de',
    });
    const caught = await mail.waitForMail('ada@example.org', { subject: 'DSR-AAAA-BBBB' });
    expect(caught).toMatchObject({
      to: ['ada@example.org', 'bob@example.org'],
      from: expect.stringContaining('privacy@custos.localhost'),
      text: expect.stringContaining('Zeile zwei'),
      html: '<p>Hallo</p>',
      language: 'de',
    });
    mailer.onModuleDestroy();
  });

  it('serves the messages as JSON and as an escaped, accessible HTML page', async () => {
    const mailer = mailerFor(mail.mailUrl);
    await mailer.send({
      to: 'eve@example.org',
      subject: '<script>x</script>',
      text: 'a < b',
      html: '<b>hi</b>',
    });
    const caught = await mail.waitForMail('eve@example.org');
    const list = (await (await fetch(`${mail.catcher.httpUrl}/messages`)).json()) as Array<{ id: number }>;
    expect(list[0]).toMatchObject({ id: caught.id, subject: '<script>x</script>' });
    const page = await (await fetch(`${mail.catcher.httpUrl}/`)).text();
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(page).not.toContain('<script>');
    const view = await fetch(`${mail.catcher.httpUrl}/messages/${caught.id}/view`);
    expect(view.headers.get('content-security-policy')).toContain("default-src 'none'");
    const body = await view.text();
    expect(body).toContain('<pre>a &lt; b</pre>');
    expect(body).toContain('sandbox srcdoc="&lt;b&gt;hi&lt;/b&gt;"');
    expect((await fetch(`${mail.catcher.httpUrl}/messages/999999`)).status).toBe(404);
    mailer.onModuleDestroy();
  });

  it('keeps only the newest messages', async () => {
    const small = await startMailCatcher({ smtpPort: 0, httpPort: 0, keep: 2 });
    const mailer = mailerFor(small.smtpUrl);
    for (const n of [1, 2, 3])
      await mailer.send({ to: 'x@example.org', subject: `n${n}`, text: '', html: '' });
    expect(small.messages().map((m) => m.subject)).toEqual(['n3', 'n2']);
    mailer.onModuleDestroy();
    await small.stop();
  });

  it('refuses a taken port with EADDRINUSE and leaves nothing listening', async () => {
    const taken = new URL(mail.catcher.httpUrl).port;
    const smtpPort = await freePort();
    const error = await startMailCatcher({ smtpPort, httpPort: Number(taken) }).catch((e) => e);
    expect(error.code).toBe('EADDRINUSE');
    // The SMTP side it had opened is closed again: the port can be taken once more.
    const again = await startMailCatcher({ smtpPort, httpPort: 0 });
    await again.stop();
  });

  it('reports an unreachable server by code, and drops mail when none is configured', async () => {
    const nowhere = mailerFor(`smtp://127.0.0.1:${await freePort()}`);
    const error = await nowhere
      .send({ to: 'x@example.org', subject: 's', text: 't', html: 'h' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(MailNotSent);
    expect(error.code).toBe('ESOCKET');
    expect(error.message).not.toContain('x@example.org');
    expect(await mailerFor(undefined).send({ to: 'x@example.org', subject: 's', text: 't', html: 'h' })).toBe(
      false,
    );
  });
});
