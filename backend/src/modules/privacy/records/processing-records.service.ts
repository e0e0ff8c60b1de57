/** The tenant's record of processing (GDPR art. 30): read it, or export it as a file (audited). */
import { loadPrivacyDeclarations } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../../../core/audit/audit-recorder.js';
import type { Actor } from '../../../core/authz/actor.js';
import { AppError } from '../../../core/errors/app-error.js';
import { buildProcessingRecord } from './processing-record.builder.js';
import { contentTypes, render } from './processing-record.formats.js';
import type { ExportFormat, ProcessingRecord } from './processing-records.dto.js';
import { ProcessingRecordsRepository } from './processing-records.repository.js';

export interface ProcessingRecordFile {
  filename: string;
  contentType: string;
  body: string;
}

@Injectable()
export class ProcessingRecordsService {
  constructor(
    @Inject(ProcessingRecordsRepository) private readonly repository: ProcessingRecordsRepository,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  async get(actor: Actor): Promise<Partial<ProcessingRecord>> {
    const { record } = await this.generate(actor, 'read');
    return actor.visible('ProcessingRecord', record);
  }

  async export(actor: Actor, format: ExportFormat): Promise<ProcessingRecordFile> {
    const { record, slug } = await this.generate(actor, 'export');
    // Recorded before the file leaves: an export that cannot be accounted for does not happen.
    await this.audit.recordDurably(actor, {
      type: 'privacy.processing_record_exported',
      resource: { type: 'ProcessingRecord', id: null, tenantId: record.tenantId },
      payload: { format, activities: record.activities.length },
    });
    return {
      filename: `record-of-processing-${slug}-${record.generatedAt.slice(0, 10)}.${format}`,
      contentType: contentTypes[format],
      body: render(actor.visible('ProcessingRecord', record) as ProcessingRecord, format),
    };
  }

  private async generate(actor: Actor, action: 'read' | 'export') {
    const tenantId = actor.principal.tenantId;
    // The caller's own organisation's record; a caller without one has no rule that matches (403).
    actor.assert(action, 'ProcessingRecord', { tenantId });
    const tenant = tenantId
      ? await this.repository.tenant(tenantId, actor.condition(action, 'ProcessingRecord'))
      : null;
    if (!tenantId || !tenant) throw AppError.notFound('Tenant');
    const record = buildProcessingRecord(
      loadPrivacyDeclarations(),
      { id: tenantId, name: tenant.name, retentionDays: await this.repository.retentionDays(tenantId) },
      new Date(),
    );
    return { record, slug: tenant.slug };
  }
}
