/**
 * Erasure of a data subject from the audit trail (GDPR art. 17) without breaking verification:
 * their key is destroyed and an erasure receipt is appended, in one transaction. The sealed data
 * stays in the trail, unreadable; every hash, proof and signed head stays valid. The privacy
 * request workflow calls this; it is the only code path that destroys a subject key.
 */
import { Inject, Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import { AuditRecorder, type EventAuthor, type EventSubject } from './audit-recorder.js';
import { SubjectVault } from './subject-vault.js';

@Injectable()
export class SubjectErasure {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(SubjectVault) private readonly vault: SubjectVault,
    @Inject(AuditRecorder) private readonly recorder: AuditRecorder,
  ) {}

  /** Returns the subject's pseudonym (what the receipt and the trail know them by). */
  async erase(author: EventAuthor, subject: EventSubject, reason: string): Promise<string> {
    const pseudonym = await this.vault.pseudonym(subject.kind, subject.tenantId, subject.id);
    await this.db.transaction(async (tx) => {
      const keyExisted = await this.vault.erase(pseudonym, tx);
      await this.recorder.record(tx, author, {
        type: 'audit.subject_erased',
        resource: { type: 'DataSubject', id: null, tenantId: subject.tenantId },
        subject,
        payload: { reason: reason.slice(0, 500), keyExisted },
      });
    });
    return pseudonym;
  }
}
