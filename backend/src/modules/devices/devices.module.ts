import { Module } from '@nestjs/common';
import { SitesModule } from '../sites/sites.module.js';
import { CertificateRotation } from './certificates/certificate-rotation.js';
import { DeviceCertificatesController } from './certificates/device-certificates.controller.js';
import { DeviceCertificatesRepository } from './certificates/device-certificates.repository.js';
import { DeviceCertificatesService } from './certificates/device-certificates.service.js';
import { DeviceRevocation } from './certificates/device-revocation.js';
import { PkiController } from './certificates/pki.controller.js';
import { ChipPossessionVerifier } from './claiming/chip-possession.js';
import { ClaimCodesService } from './claiming/claim-codes.service.js';
import { ClaimingController } from './claiming/claiming.controller.js';
import { ClaimingRepository } from './claiming/claiming.repository.js';
import { DeviceOwnershipService } from './claiming/device-ownership.service.js';
import { PROOF_OF_POSSESSION } from './claiming/proof-of-possession.js';
import { CommandOutcomes } from './commands/command-outcomes.js';
import { CommandSweeper } from './commands/command-sweeper.js';
import { CommandsController } from './commands/commands.controller.js';
import { CommandsRepository } from './commands/commands.repository.js';
import { CommandsService } from './commands/commands.service.js';
import { DeviceMessagesConsumer } from './commands/device-messages.consumer.js';
import { DevicesController } from './devices.controller.js';
import { DevicesRepository } from './devices.repository.js';
import { DevicesService } from './devices.service.js';
import { ManifestSigners } from './manifests/manifest-signers.js';
import { ManifestsController } from './manifests/manifests.controller.js';
import { ManifestsRepository } from './manifests/manifests.repository.js';
import { ManifestsService } from './manifests/manifests.service.js';

@Module({
  imports: [SitesModule],
  controllers: [
    DevicesController,
    DeviceCertificatesController,
    PkiController,
    CommandsController,
    ClaimingController,
    ManifestsController,
  ],
  providers: [
    DevicesService,
    DevicesRepository,
    DeviceCertificatesService,
    DeviceCertificatesRepository,
    DeviceRevocation,
    CommandsService,
    CommandsRepository,
    DeviceMessagesConsumer,
    CommandSweeper,
    CommandOutcomes,
    CertificateRotation,
    { provide: PROOF_OF_POSSESSION, useClass: ChipPossessionVerifier },
    ClaimCodesService,
    ClaimingRepository,
    DeviceOwnershipService,
    ManifestSigners,
    ManifestsService,
    ManifestsRepository,
  ],
  exports: [DevicesRepository],
})
export class DevicesModule {}
