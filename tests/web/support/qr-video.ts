/**
 * A video of a QR code for Chromium's fake camera (`--use-file-for-fake-video-capture`): a Y4M
 * file, which is a one-line header and raw YUV 4:2:0 frames. The QR matrix from the `qrcode`
 * package is drawn black on white with a quiet zone of 4 modules, centred in each frame; chroma is
 * neutral (128), so the picture is grey-scale. Chromium plays the file in a loop.
 */
import { writeFile } from 'node:fs/promises';
import QRCode from 'qrcode';

const WHITE = 235;
const BLACK = 16;
const QUIET_ZONE = 4;

export async function writeQrVideo(
  text: string,
  file: string,
  { width = 640, height = 480, frames = 5 } = {},
): Promise<void> {
  const { size, data } = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules;
  const modules = size + 2 * QUIET_ZONE;
  const scale = Math.floor((Math.min(width, height) * 0.9) / modules);
  if (scale < 2) throw new Error(`a QR code of ${size} modules does not fit ${width}x${height}`);
  const left = Math.floor((width - modules * scale) / 2) + QUIET_ZONE * scale;
  const top = Math.floor((height - modules * scale) / 2) + QUIET_ZONE * scale;

  const luma = Buffer.alloc(width * height, WHITE);
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      if (!data[row * size + column]) continue;
      for (let y = 0; y < scale; y++) {
        const start = (top + row * scale + y) * width + left + column * scale;
        luma.fill(BLACK, start, start + scale);
      }
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  await writeFile(file, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}
