// Real image files for the media tests, made with Debian's command-line
// tools (vips, exiftool): a picture is drawn here as a PPM, converted by
// vips, and given metadata by exiftool. Files are read back the same way.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function run(cmd, args) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// A scratch directory removed after the test.
export async function scratch(t) {
  const dir = await mkdtemp(join(tmpdir(), 'chirp-media-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// A PPM of `width` × `height`, its left half red and its right half blue.
function halvesPpm(width, height) {
  const head = Buffer.from(`P6\n${width} ${height}\n255\n`);
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      if (x < width / 2) pixels[i] = 255; else pixels[i + 2] = 255;
    }
  }
  return Buffer.concat([head, pixels]);
}

// A JPEG, red left and blue right, as `width` × `height`, written with an
// EXIF orientation (6: to be turned 90° clockwise to stand upright), a GPS
// position, a camera make and a comment. Returns its bytes.
export async function jpegWithExif(dir, { width = 1200, height = 800, orientation = 6 } = {}) {
  const ppm = join(dir, `halves-${width}x${height}.ppm`);
  const jpg = join(dir, `exif-${width}x${height}.jpg`);
  await writeFile(ppm, halvesPpm(width, height));
  run('vips', ['copy', ppm, `${jpg}[Q=90]`]);
  run('exiftool', ['-q', '-overwrite_original', `-Orientation#=${orientation}`,
    '-GPSLatitude=48.8584', '-GPSLatitudeRef=N', '-GPSLongitude=2.2945', '-GPSLongitudeRef=E',
    '-Make=ChirpTestCam', '-Comment=secret comment', jpg]);
  return readFile(jpg);
}

// A PNG with an alpha band (half transparent).
export async function pngWithAlpha(dir, { width = 300, height = 200 } = {}) {
  const ppm = join(dir, 'alpha.ppm');
  const png = join(dir, 'alpha.png');
  await writeFile(ppm, halvesPpm(width, height));
  run('vips', ['bandjoin_const', ppm, png, '128']);
  return readFile(png);
}

// What exiftool reads of a file's metadata, as one object.
export async function metadataOf(dir, bytes, name = 'read') {
  const file = join(dir, `${name}-${Math.random().toString(36).slice(2)}`);
  await writeFile(file, bytes);
  return JSON.parse(run('exiftool', ['-j', '-a', '-G1', file]))[0];
}

// The pixel at (x, y) of an image, as numbers per band.
export async function pixelOf(dir, bytes, x, y) {
  const file = join(dir, `pixel-${Math.random().toString(36).slice(2)}`);
  await writeFile(file, bytes);
  return run('vips', ['getpoint', file, String(x), String(y)]).trim().split(/\s+/).map(Number);
}

// How many files a directory holds, all the way down (0 when it is absent).
export async function countFiles(dir) {
  let entries;
  try { entries = await readdir(dir, { withFileTypes: true }); } catch { return 0; }
  let n = 0;
  for (const e of entries) {
    if (e.isDirectory()) n += await countFiles(join(dir, e.name));
    else if (e.isFile()) n += 1;
  }
  return n;
}

// A PNG whose header declares `width` × `height` pixels and that holds no
// image data after it: what a decompression bomb looks like from its header.
export function pngHeaderOnly(width, height) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;  // bit depth
  ihdr[9] = 2;  // RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IEND', Buffer.alloc(0))]);
}

// A file made by ffmpeg from its test sources: `args` are its inputs and
// codecs, `name` the file (its extension names the container).
export async function ffmpegFile(dir, name, args) {
  const out = join(dir, name);
  run('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args, out]);
  return readFile(out);
}

// Two seconds of 320×240 H.264 video at 25 fps with AAC sound, in MP4.
export const H264_WITH_SOUND = ['-f', 'lavfi', '-i', 'testsrc=duration=2:size=320x240:rate=25',
  '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p',
  '-c:a', 'aac', '-shortest'];
