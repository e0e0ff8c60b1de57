import { Module } from '@nestjs/common';
import { Mailer } from './mailer.js';

/** Mail to people (requesters, privacy officers). Import it where a module sends mail. */
@Module({ providers: [Mailer], exports: [Mailer] })
export class MailModule {}
