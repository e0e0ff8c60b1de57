/** Why a factory step failed, as stable codes a production line (or the simulator) can branch on. */
export type FactoryErrorCode =
  /** The chip's configuration zone is already locked: it was personalised before (see personalise.ts). */
  | 'chip_not_blank'
  /** The device was registered but did not get its certificate; `deviceId` names it. */
  | 'provisioning_incomplete';

export class FactoryError extends Error {
  /** The platform's id of the device the failure left behind, so it can be retried or decommissioned. */
  readonly deviceId: string | undefined;

  constructor(
    readonly code: FactoryErrorCode,
    message: string,
    options: { cause?: unknown; deviceId?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'FactoryError';
    this.deviceId = options.deviceId;
  }
}
