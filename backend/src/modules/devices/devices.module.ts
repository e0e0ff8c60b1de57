import { Module } from '@nestjs/common';
import { SitesModule } from '../sites/sites.module.js';
import { DeviceCertificatesController } from './certificates/device-certificates.controller.js';
import { DeviceCertificatesRepository } from './certificates/device-certificates.repository.js';
import { DeviceCertificatesService } from './certificates/device-certificates.service.js';
import { DeviceRevocation } from './certificates/device-revocation.js';
import { PkiController } from './certificates/pki.controller.js';
import { DevicesController } from './devices.controller.js';
import { DevicesRepository } from './devices.repository.js';
import { DevicesService } from './devices.service.js';

@Module({
  imports: [SitesModule],
  controllers: [DevicesController, DeviceCertificatesController, PkiController],
  providers: [
    DevicesService,
    DevicesRepository,
    DeviceCertificatesService,
    DeviceCertificatesRepository,
    DeviceRevocation,
  ],
  exports: [DevicesRepository],
})
export class DevicesModule {}
