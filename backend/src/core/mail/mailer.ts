/**
 * Sends mail over SMTP (MAIL_URL) from MAIL_FROM: to requesters (their code, and what happened to
 * their request) and to privacy officers (reminders). With the embedded stack and in tests MAIL_URL
 * points at the development mail catcher. Addresses, subjects and bodies are never logged: a failure
 * is reported by its SMTP error code only.
 */
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { APP_LOGGER } from '../core.tokens.js';

export interface MailMessage {
  to: string | string[];
  subject: string;
  text: string;
  html: string;
  /** The message's language, as a Content-Language header (screen readers and filters use it). */
  language?: string;
}

/** A message that could not be handed to the SMTP server; `code` is nodemailer's (EENVELOPE, ECONNECTION, …). */
export class MailNotSent extends Error {
  override name = 'MailNotSent';
  constructor(readonly code: string) {
    super(`mail not sent (${code})`);
  }
}

type Transport = ReturnType<typeof createTransport>;

@Injectable()
export class Mailer implements OnModuleDestroy {
  private readonly transport: Transport | null;
  private warned = false;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.transport = config.MAIL_URL
      ? createTransport(
          {
            url: config.MAIL_URL,
            // Fail within seconds rather than the library's minutes: callers retry (jobs) or report.
            connectionTimeout: 10_000,
            greetingTimeout: 10_000,
            socketTimeout: 30_000,
            // The transport logs envelopes (addresses) when logging is on; it stays off.
            logger: false,
          },
          { from: config.MAIL_FROM },
        )
      : null;
  }

  /** Whether mail goes anywhere: without MAIL_URL (and no catcher) messages are dropped with a warning. */
  get enabled(): boolean {
    return this.transport !== null;
  }

  /** Hands the message to the SMTP server; throws MailNotSent. Returns false when mail is not configured. */
  async send(message: MailMessage): Promise<boolean> {
    if (!this.transport) {
      if (!this.warned) this.logger.warn('mail is not configured (MAIL_URL): messages are dropped');
      this.warned = true;
      return false;
    }
    try {
      await this.transport.sendMail({
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        ...(message.language ? { headers: { 'Content-Language': message.language } } : {}),
      });
      return true;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new MailNotSent(typeof code === 'string' ? code : 'EMAIL');
    }
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}
