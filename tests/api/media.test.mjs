// Media (POST /api/v2/media and /api/v1/media, GET/PUT/DELETE
// /api/v1/media/:id, the files under /media): real JPEG and PNG files made
// in the test setup, what is served of them (upright, no metadata, right
// sizes), attaching to statuses, byte ranges, bad input, and the client
// libraries (masto's v2.media.create, megalodon's uploadMedia).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { createRestAPIClient } from 'masto';
import megalodonPkg from 'megalodon';
import { withLogs, show, api, rawRequest } from './lib/server.mjs';
import { socialServer, postOk, post, as, ok } from './lib/social.mjs';
import { streamScope, openStream, isUpdate } from './lib/streaming.mjs';
import { scratch, jpegWithExif, pngWithAlpha, metadataOf, pixelOf, countFiles, pngHeaderOnly, ffmpegFile, H264_WITH_SOUND } from './lib/media.mjs';

const generator = megalodonPkg.default ?? megalodonPkg;

function upload(srv, user, bytes, { type = 'image/jpeg', name = 'photo.jpg', fields = {}, path = '/api/v2/media' } = {}) {
  const multipart = { file: new File([bytes], name, { type }), ...fields };
  return as(srv, user, 'POST', path, { multipart, timeoutMs: 60_000 });
}

async function uploadOk(srv, user, bytes, opts) {
  const res = await upload(srv, user, bytes, opts);
  assert.equal(res.status, 200, show(res));
  return res.body;
}

async function fetchFile(url, headers = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

function assertAttachment(m) {
  for (const key of ['id', 'type', 'url', 'preview_url', 'remote_url', 'meta', 'description', 'blurhash']) {
    assert.ok(key in m, `MediaAttachment has ${key}: ${JSON.stringify(m)}`);
  }
  assert.equal(typeof m.id, 'string');
}

test('a JPEG is served upright, without its metadata, with an original, a preview and a blurhash', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const dir = await scratch(t);
  const jpeg = await jpegWithExif(dir, { width: 1200, height: 800, orientation: 6 });
  const before = await metadataOf(dir, jpeg, 'before');
  assert.ok(Object.keys(before).some((k) => k.startsWith('GPS:')), 'the upload carries a GPS position');

  const m = await uploadOk(srv, alice, jpeg, { fields: { description: 'red over blue', focus: '0.25,-0.5' } });
  assertAttachment(m);
  assert.equal(m.type, 'image');
  assert.equal(m.description, 'red over blue');
  assert.deepEqual(m.meta.focus, { x: 0.25, y: -0.5 });
  // Turned upright: 800 wide, 1200 high; the preview within the area of
  // 640 × 360 (230,400 pixels), its shape kept.
  assert.deepEqual([m.meta.original.width, m.meta.original.height], [800, 1200]);
  assert.equal(m.meta.original.size, '800x1200');
  assert.ok(Math.abs(m.meta.original.aspect - 800 / 1200) < 1e-6);
  assert.deepEqual([m.meta.small.width, m.meta.small.height], [391, 587]);
  assert.match(m.blurhash, /^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{36}$/, 'a 4×4 blurhash');
  assert.match(m.url, /\/media\/[0-9a-f]{32}\/original\.jpg$/, 'the file name carries 128 random bits');
  assert.match(m.preview_url, /\/media\/[0-9a-f]{32}\/small\.jpg$/);

  const original = await fetchFile(m.url);
  assert.equal(original.status, 200);
  assert.equal(original.headers.get('content-type'), 'image/jpeg');
  assert.equal(original.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(original.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(original.headers.get('content-security-policy'), "default-src 'none'");
  assert.equal(original.headers.get('accept-ranges'), 'bytes');
  assert.ok(original.headers.get('etag'));
  const after = await metadataOf(dir, original.bytes, 'after');
  const leaked = Object.keys(after).filter((k) => /^(GPS|IFD0|IFD1|ExifIFD|XMP|IPTC|Photoshop|MakerNotes)/.test(k) || /Comment|Make|Orientation/.test(k));
  assert.deepEqual(leaked, [], `no metadata is left: ${JSON.stringify(after)}`);
  assert.equal(after['File:ImageWidth'], 800);
  assert.equal(after['File:ImageHeight'], 1200);
  // Red was on the left: turned clockwise, it is on top.
  const top = await pixelOf(dir, original.bytes, 400, 100);
  const bottom = await pixelOf(dir, original.bytes, 400, 1100);
  assert.ok(top[0] > 200 && top[2] < 60, `red on top: ${top}`);
  assert.ok(bottom[2] > 200 && bottom[0] < 60, `blue at the bottom: ${bottom}`);
  const preview = await fetchFile(m.preview_url);
  assert.equal(preview.status, 200);
  assert.equal((await metadataOf(dir, preview.bytes, 'preview'))['File:ImageHeight'], 587);

  // GET /api/v1/media/:id shows it to its owner.
  const shown = await ok(srv, alice, 'GET', `/api/v1/media/${m.id}`);
  assert.equal(shown.url, m.url);
}));

test('a PNG with transparency stays a PNG; the older synchronous form works too', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const dir = await scratch(t);
  const m = await uploadOk(srv, alice, await pngWithAlpha(dir), { type: 'image/png', name: 'alpha.png', path: '/api/v1/media' });
  assert.match(m.url, /\/original\.png$/);
  const file = await fetchFile(m.url);
  assert.equal(file.headers.get('content-type'), 'image/png');
  const pixel = await pixelOf(dir, file.bytes, 10, 10);
  assert.equal(pixel.length, 4, 'the alpha band is kept');
  assert.ok(Math.abs(pixel[3] - 128) <= 1, `half transparent: ${pixel}`);
}));

test('files answer Range, HEAD and If-None-Match as a video player and a cache expect', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const dir = await scratch(t);
  const m = await uploadOk(srv, alice, await jpegWithExif(dir, { width: 600, height: 400 }));
  const whole = await fetchFile(m.url);
  const size = whole.bytes.length;

  const part = await fetchFile(m.url, { range: 'bytes=10-19' });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 10-19/${size}`);
  assert.deepEqual(part.bytes, whole.bytes.subarray(10, 20));
  const tail = await fetchFile(m.url, { range: 'bytes=-5' });
  assert.deepEqual(tail.bytes, whole.bytes.subarray(size - 5));
  const open = await fetchFile(m.url, { range: `bytes=${size - 3}-` });
  assert.equal(open.headers.get('content-range'), `bytes ${size - 3}-${size - 1}/${size}`);
  const beyond = await fetchFile(m.url, { range: `bytes=${size}-` });
  assert.equal(beyond.status, 416);
  assert.equal(beyond.headers.get('content-range'), `bytes */${size}`);
  const several = await fetchFile(m.url, { range: 'bytes=0-1,5-6' });
  assert.equal(several.status, 200, 'several ranges: the whole file');
  assert.equal(several.bytes.length, size);
  const stale = await fetchFile(m.url, { range: 'bytes=0-1', 'if-range': '"another"' });
  assert.equal(stale.status, 200, 'If-Range of another version: the whole file');

  const head = await fetch(m.url, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers.get('content-length')), size);
  assert.equal((await head.arrayBuffer()).byteLength, 0);

  const cached = await fetchFile(m.url, { 'if-none-match': whole.headers.get('etag') });
  assert.equal(cached.status, 304);
  assert.equal(cached.bytes.length, 0);

  const path = new URL(m.url).pathname;
  for (const bad of [path.replace(/[0-9a-f]{32}/, '0'.repeat(32)), '/media/..%2F..%2Fetc/passwd', '/media/x/y.jpg', `${path}.gz`]) {
    const res = await fetchFile(new URL(bad, m.url).toString());
    assert.equal(res.status, 404, bad);
  }
}));

test('media is attached to a status once, only by its owner, and shown complete in every status', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const dir = await scratch(t);
  const jpeg = await jpegWithExif(dir, { width: 400, height: 300, orientation: 1 });
  const media = [];
  for (let i = 0; i < 5; i++) media.push(await uploadOk(srv, alice, jpeg, { fields: { description: `photo ${i}` } }));

  const five = await post(srv, alice, { status: 'five', media_ids: media.map((m) => m.id) });
  assert.equal(five.status, 422, show(five));
  const theirs = await post(srv, bob, { status: 'not mine', media_ids: [media[0].id] });
  assert.equal(theirs.status, 422, show(theirs));
  assert.equal((await as(srv, bob, 'GET', `/api/v1/media/${media[0].id}`)).status, 404, "someone else's upload");
  assert.equal((await as(srv, bob, 'PUT', `/api/v1/media/${media[0].id}`, { json: { description: 'x' } })).status, 404);
  assert.equal((await as(srv, bob, 'DELETE', `/api/v1/media/${media[0].id}`)).status, 404);

  // The description changes before attaching; the order given is kept.
  const changed = await ok(srv, alice, 'PUT', `/api/v1/media/${media[1].id}`, { json: { description: 'second, described again', focus: '0,1' } });
  assert.equal(changed.description, 'second, described again');
  const order = [media[2].id, media[1].id, media[0].id];
  const status = await postOk(srv, alice, { status: 'three photos', media_ids: order });
  assert.deepEqual(status.media_attachments.map((m) => m.id), order);
  assert.equal(status.media_attachments[1].description, 'second, described again');
  for (const m of status.media_attachments) assertAttachment(m);

  const again = await post(srv, alice, { status: 'again', media_ids: [media[0].id] });
  assert.equal(again.status, 422, 'attached once only');
  assert.equal((await as(srv, alice, 'DELETE', `/api/v1/media/${media[0].id}`)).status, 422, 'an attached upload is not deleted');
  assert.equal((await as(srv, alice, 'PUT', `/api/v1/media/${media[0].id}`, { json: { description: 'late' } })).status, 404, 'an attached upload does not change');

  // Shown in full wherever the status is: its page, the account's, with only_media, a reblog.
  const shown = await ok(srv, bob, 'GET', `/api/v1/statuses/${status.id}`);
  assert.deepEqual(shown.media_attachments, status.media_attachments);
  await postOk(srv, alice, 'no photo here');
  const onlyMedia = await ok(srv, bob, 'GET', `/api/v1/accounts/${alice.id}/statuses?only_media=true`);
  assert.deepEqual(onlyMedia.map((s) => s.id), [status.id]);
  const reblog = await ok(srv, bob, 'POST', `/api/v1/statuses/${status.id}/reblog`);
  assert.deepEqual(reblog.media_attachments, []);
  assert.deepEqual(reblog.reblog.media_attachments, status.media_attachments);

  // An unattached upload is deleted with its files.
  const files = await countFiles(join(srv.dataDir, 'media'));
  const gone = await ok(srv, alice, 'DELETE', `/api/v1/media/${media[4].id}`);
  assert.deepEqual(gone, {});
  assert.equal(await countFiles(join(srv.dataDir, 'media')), files - 2);
  assert.equal((await fetchFile(media[4].url)).status, 404);
  assert.equal((await as(srv, alice, 'GET', `/api/v1/media/${media[4].id}`)).status, 404);
}));

test('a status with media reaches public:media and the public timeline\'s only_media, one without does not', withLogs(async (t, start) => {
  streamScope(t);
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const dir = await scratch(t);
  const stream = await openStream(srv, { t, token: bob.token, stream: 'public:media', label: 'bob public:media' });
  const plain = await postOk(srv, alice, 'words only');
  stream.forbid(isUpdate(plain.id), 'a status without media');
  const photo = await uploadOk(srv, alice, await jpegWithExif(dir, { width: 320, height: 240, orientation: 1 }));
  const withPhoto = await postOk(srv, alice, { status: 'a photo', media_ids: [photo.id] });
  const m = await stream.waitFor(isUpdate(withPhoto.id, ['public:media']), 'the status with a photo on public:media');
  const shown = JSON.parse(m.payload);
  assert.equal(shown.media_attachments.length, 1);
  assert.equal(shown.media_attachments[0].id, photo.id);
  assert.match(shown.media_attachments[0].url, /\/original\.jpg$/);
  const last = await postOk(srv, alice, 'words again');
  stream.forbid(isUpdate(last.id), 'a status without media');
  const second = await uploadOk(srv, alice, await jpegWithExif(dir, { width: 64, height: 48, orientation: 1 }));
  const withSecond = await postOk(srv, alice, { status: 'another photo', media_ids: [second.id] });
  await stream.waitFor(isUpdate(withSecond.id, ['public:media']), 'the second photo on public:media');
  stream.assertClean('after the second photo');

  const listed = await ok(srv, bob, 'GET', '/api/v1/timelines/public?only_media=true');
  assert.ok(listed.length === 2 && listed.every((s) => s.media_attachments.length === 1), JSON.stringify(listed.map((s) => s.content)));
  assert.ok(!listed.some((s) => s.id === plain.id || s.id === last.id));
}));

test('bad uploads get a clear 4xx, leave no file behind, and the server keeps serving', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const dir = await scratch(t);
  const jpeg = await jpegWithExif(dir, { width: 300, height: 200 });
  const mediaDir = join(srv.dataDir, 'media');
  const cases = [
    ['a truncated JPEG', jpeg.subarray(0, Math.floor(jpeg.length / 2)), {}, 422],
    ['a PNG declaring 100,000 × 100,000 pixels', pngHeaderOnly(100_000, 100_000), { type: 'image/png', name: 'bomb.png' }, 422],
    ['a JPEG declared as a PNG', jpeg, { type: 'image/png', name: 'photo.png' }, 422],
    ['an SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'), { type: 'image/svg+xml', name: 'x.svg' }, 422],
    ['a PDF', Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'), { type: 'application/pdf', name: 'x.pdf' }, 422],
    ['a zero-byte file', Buffer.alloc(0), {}, 422],
    ['a description of 1,501 characters', jpeg, { fields: { description: 'é'.repeat(1501) } }, 422],
    ['a focus of "2,0"', jpeg, { fields: { focus: '2,0' } }, 422],
  ];
  for (const [what, bytes, opts, status] of cases) {
    const res = await upload(srv, alice, bytes, opts);
    assert.equal(res.status, status, `${what}: ${show(res)}`);
    assert.equal(typeof res.body?.error, 'string', `${what}: Mastodon's error format`);
    assert.equal(await countFiles(mediaDir), 0, `${what}: no file left behind`);
  }
  const noFile = await as(srv, alice, 'POST', '/api/v2/media', { multipart: { description: 'no file' } });
  assert.equal(noFile.status, 422, show(noFile));

  // 200 MB declared: refused from its head, before the body is sent.
  const huge = await rawRequest(srv, {
    method: 'POST',
    path: '/api/v2/media',
    headers: { Authorization: `Bearer ${alice.token}`, 'Content-Type': 'multipart/form-data; boundary=x', 'Content-Length': String(200 * 1024 * 1024) },
    body: Buffer.from('--x\r\n'),
  });
  assert.equal(huge.status, 413, show(huge));
  // Just over the limit of an image, and sent in full (through a raw socket:
  // the server may answer before it has read it all).
  const boundary = 'chirpboundary';
  const form = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    jpeg,
    Buffer.alloc(16 * 1024 * 1024 + 1 - jpeg.length),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const over = await rawRequest(srv, {
    method: 'POST',
    path: '/api/v2/media',
    headers: { Authorization: `Bearer ${alice.token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    body: form,
    timeoutMs: 60_000,
  });
  assert.equal(over.status, 413, show(over));
  // JSON keeps its own limit of 1 MiB on a route that takes files.
  const json = await rawRequest(srv, {
    method: 'POST',
    path: '/api/v2/media',
    headers: { Authorization: `Bearer ${alice.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ description: 'x'.repeat(2 * 1024 * 1024) }),
  });
  assert.equal(json.status, 413, show(json));
  assert.equal(await countFiles(mediaDir), 0);

  const anonymous = await upload(srv, null, jpeg);
  assert.equal(anonymous.status, 401);
  assert.equal((await as(srv, alice, 'GET', '/api/v1/media/12345')).status, 404);
  assert.equal((await as(srv, alice, 'GET', '/api/v1/media/not-a-number')).status, 404);
  assert.equal((await api(srv, 'GET', '/health')).status, 200, 'still serving');
  await uploadOk(srv, alice, jpeg);
}));

test('the client libraries upload: masto v2.media.create, megalodon uploadMedia', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const dir = await scratch(t);
  const jpeg = await jpegWithExif(dir, { width: 500, height: 500 });

  const masto = createRestAPIClient({ url: srv.url, accessToken: alice.token });
  const viaMasto = await masto.v2.media.create({ file: new Blob([jpeg], { type: 'image/jpeg' }), description: 'from masto' });
  assert.equal(viaMasto.type, 'image');
  assert.equal(viaMasto.description, 'from masto');
  assert.ok(viaMasto.url);
  const status = await masto.v1.statuses.create({ status: 'with a photo', mediaIds: [viaMasto.id] });
  assert.equal(status.mediaAttachments[0].id, viaMasto.id);
  assert.equal(status.mediaAttachments[0].meta.original.width, 500);

  const file = join(dir, 'megalodon.jpg');
  await writeFile(file, jpeg);
  const client = generator('mastodon', srv.url, alice.token);
  const viaMegalodon = await client.uploadMedia(createReadStream(file), { description: 'from megalodon' });
  assert.equal(viaMegalodon.status, 200);
  assert.equal(viaMegalodon.data.type, 'image');
  assert.equal(viaMegalodon.data.description, 'from megalodon');
  const fetched = await client.getMedia(viaMegalodon.data.id);
  assert.equal(fetched.data.url, viaMegalodon.data.url);
  const updated = await client.updateMedia(viaMegalodon.data.id, { description: 'changed' });
  assert.equal(updated.data.description, 'changed');

  const instance = await masto.v2.instance.fetch();
  assert.ok(instance.configuration.mediaAttachments.supportedMimeTypes.includes('image/jpeg'));
  assert.equal(instance.configuration.mediaAttachments.imageSizeLimit, 16 * 1024 * 1024);
  assert.equal(instance.configuration.mediaAttachments.descriptionLimit, 1500);
}));

test('an avatar and a header: uploaded, cropped or fitted, shown on the account, replaced and removed', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const dir = await scratch(t);
  const photo = await jpegWithExif(dir, { width: 1200, height: 800, orientation: 6 });
  const wide = await jpegWithExif(dir, { width: 2400, height: 600, orientation: 1 });
  const mediaDir = join(srv.dataDir, 'media');

  const res = await as(srv, alice, 'PATCH', '/api/v1/accounts/update_credentials', {
    multipart: {
      avatar: new File([photo], 'me.jpg', { type: 'image/jpeg' }),
      header: new File([wide], 'banner.jpg', { type: 'image/jpeg' }),
      display_name: 'Alice',
    },
    timeoutMs: 60_000,
  });
  assert.equal(res.status, 200, show(res));
  const me = res.body;
  assert.equal(me.display_name, 'Alice');
  assert.match(me.avatar, /\/media\/[0-9a-f]{32}\/avatar\.jpg$/);
  assert.equal(me.avatar_static, me.avatar);
  assert.match(me.header, /\/media\/[0-9a-f]{32}\/header\.jpg$/);
  const avatar = await fetchFile(me.avatar);
  assert.equal(avatar.status, 200);
  const avatarMeta = await metadataOf(dir, avatar.bytes, 'avatar');
  assert.deepEqual([avatarMeta['File:ImageWidth'], avatarMeta['File:ImageHeight']], [400, 400], 'cropped to 400 × 400');
  assert.ok(!Object.keys(avatarMeta).some((k) => k.startsWith('GPS')), 'no GPS position');
  const header = await fetchFile(me.header);
  const headerMeta = await metadataOf(dir, header.bytes, 'header');
  assert.deepEqual([headerMeta['File:ImageWidth'], headerMeta['File:ImageHeight']], [1500, 375], 'within 1500 × 500');

  // Others see it on the account and on its statuses.
  const seen = await ok(srv, bob, 'GET', `/api/v1/accounts/${alice.id}`);
  assert.equal(seen.avatar, me.avatar);
  assert.equal(seen.header, me.header);
  const status = await postOk(srv, alice, 'with my new face');
  assert.equal(status.account.avatar, me.avatar);

  // A new avatar replaces the old one, whose file goes.
  assert.equal(await countFiles(mediaDir), 2);
  const again = await as(srv, alice, 'PATCH', '/api/v1/accounts/update_credentials', {
    multipart: { avatar: new File([wide], 'other.jpg', { type: 'image/jpeg' }) },
    timeoutMs: 60_000,
  });
  assert.equal(again.status, 200, show(again));
  assert.notEqual(again.body.avatar, me.avatar);
  assert.equal(again.body.header, me.header, 'the header stays');
  assert.equal((await fetchFile(me.avatar)).status, 404, 'the old avatar is gone');
  assert.equal(await countFiles(mediaDir), 2);

  // A refused image changes nothing and keeps nothing.
  const bad = await as(srv, alice, 'PATCH', '/api/v1/accounts/update_credentials', {
    multipart: { avatar: new File([Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')], 'x.svg', { type: 'image/svg+xml' }), display_name: 'Not applied' },
  });
  assert.equal(bad.status, 422, show(bad));
  const unchanged = await ok(srv, alice, 'GET', '/api/v1/accounts/verify_credentials');
  assert.equal(unchanged.display_name, 'Alice');
  assert.equal(unchanged.avatar, again.body.avatar);
  assert.equal(await countFiles(mediaDir), 2);

  // Removed: back to the placeholder, the file gone.
  const removed = await ok(srv, alice, 'DELETE', '/api/v1/profile/avatar');
  assert.match(removed.avatar, /\/avatars\/original\/missing\.png$/);
  assert.equal(removed.header, me.header);
  assert.equal(await countFiles(mediaDir), 1);
  const placeholder = await fetchFile(removed.avatar);
  assert.equal(placeholder.status, 200);
  const noHeader = await ok(srv, alice, 'DELETE', '/api/v1/profile/header');
  assert.match(noHeader.header, /\/headers\/original\/missing\.png$/);
  assert.equal(await countFiles(mediaDir), 0);
}));

test('an animated avatar and header stay animated, with a still first frame beside them', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const dir = await scratch(t);
  const gif = await ffmpegFile(dir, 'wave.gif', ['-f', 'lavfi', '-i', 'testsrc=duration=1:size=800x600:rate=5']);
  const res = await as(srv, alice, 'PATCH', '/api/v1/accounts/update_credentials', {
    multipart: {
      avatar: new File([gif], 'wave.gif', { type: 'image/gif' }),
      header: new File([gif], 'wave.gif', { type: 'image/gif' }),
    },
    timeoutMs: 60_000,
  });
  assert.equal(res.status, 200, show(res));
  const me = res.body;
  assert.match(me.avatar, /\/media\/[0-9a-f]{32}\/avatar\.gif$/);
  assert.equal(me.avatar_static, me.avatar.replace(/\.gif$/, '.png'));
  assert.match(me.header, /\/header\.gif$/);
  assert.equal(me.header_static, me.header.replace(/\.gif$/, '.png'));

  const moving = await metadataOf(dir, (await fetchFile(me.avatar)).bytes, 'moving');
  assert.deepEqual([moving['GIF:ImageWidth'], moving['GIF:ImageHeight']], [400, 400], 'each frame cropped to 400 × 400');
  assert.equal(moving['GIF:FrameCount'], 5, 'every frame kept');
  const still = await fetchFile(me.avatar_static);
  assert.equal(still.headers.get('content-type'), 'image/png');
  const stillMeta = await metadataOf(dir, still.bytes, 'still');
  assert.deepEqual([stillMeta['PNG:ImageWidth'], stillMeta['PNG:ImageHeight']], [400, 400]);
  const header = await metadataOf(dir, (await fetchFile(me.header)).bytes, 'header');
  assert.deepEqual([header['GIF:ImageWidth'], header['GIF:ImageHeight']], [667, 500], 'within 1500 × 500');
  assert.equal(header['GIF:FrameCount'], 5);

  // Both files go with the avatar.
  const mediaDir = join(srv.dataDir, 'media');
  assert.equal(await countFiles(mediaDir), 4);
  await ok(srv, alice, 'DELETE', '/api/v1/profile/avatar');
  assert.equal((await fetchFile(me.avatar)).status, 404);
  assert.equal((await fetchFile(me.avatar_static)).status, 404);
  assert.equal(await countFiles(mediaDir), 2);
}));

// Polls GET /api/v1/media/:id until it is no longer 206.
async function processed(srv, user, id) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await as(srv, user, 'GET', `/api/v1/media/${id}`);
    if (res.status !== 206) return res;
    assert.equal(res.body.url, null, 'no file while processing');
    if (Date.now() > deadline) throw new Error(`media ${id} still processing`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('video goes 202 → 206 → 200 with its poster and metadata; a GIF becomes a gifv; audio becomes MP3', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const dir = await scratch(t);
  const mp4 = await ffmpegFile(dir, 'clip.mp4', H264_WITH_SOUND);
  const accepted = await upload(srv, alice, mp4, { type: 'video/mp4', name: 'clip.mp4', fields: { description: 'a test card' } });
  assert.equal(accepted.status, 202, show(accepted));
  assert.equal(accepted.body.type, 'video');
  assert.equal(accepted.body.url, null);
  // Not attachable while it is processed.
  const early = await post(srv, alice, { status: 'too soon', media_ids: [accepted.body.id] });
  assert.ok(early.status === 422 || early.status === 200, show(early));
  const early_ok = early.status === 200;
  assert.equal((await as(srv, bob, 'GET', `/api/v1/media/${accepted.body.id}`)).status, 404);
  const done = await processed(srv, alice, accepted.body.id);
  assert.equal(done.status, 200, show(done));
  const video = done.body;
  assert.equal(video.type, 'video');
  assert.equal(video.description, 'a test card');
  assert.match(video.url, /\/original\.mp4$/);
  assert.match(video.preview_url, /\/small\.(png|jpg)$/);
  assert.deepEqual([video.meta.original.width, video.meta.original.height], [320, 240]);
  assert.equal(video.meta.original.frame_rate, '25/1');
  assert.ok(Math.abs(video.meta.original.duration - 2) < 0.2, JSON.stringify(video.meta));
  assert.ok(video.meta.original.bitrate > 0);
  assert.ok(video.blurhash);
  const file = await fetchFile(video.url);
  assert.equal(file.headers.get('content-type'), 'video/mp4');
  const part = await fetchFile(video.url, { range: 'bytes=0-99' });
  assert.equal(part.status, 206, 'a video player seeks by ranges');
  assert.equal(part.bytes.length, 100);
  if (!early_ok) {
    // A video goes alone: with a photo, refused, and nothing attached.
    const photo = await uploadOk(srv, alice, await jpegWithExif(dir, { width: 64, height: 48, orientation: 1 }));
    const mixed = await post(srv, alice, { status: 'mixed', media_ids: [photo.id, video.id] });
    assert.equal(mixed.status, 422, show(mixed));
    assert.match(mixed.body.error, /video/);
    await postOk(srv, alice, { status: 'my photo', media_ids: [photo.id] });
    const status = await postOk(srv, alice, { status: 'my video', media_ids: [video.id] });
    assert.equal(status.media_attachments[0].type, 'video');
    const five = await post(srv, alice, { status: 'with more', media_ids: [video.id] });
    assert.equal(five.status, 422, 'attached once');
  }

  // Video without sound is a gifv; described while it is processed, it
  // keeps the description.
  const silent = await ffmpegFile(dir, 'silent.mp4', ['-f', 'lavfi', '-i', 'testsrc=duration=2:size=320x240:rate=25',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
  const pending = await upload(srv, alice, silent, { type: 'video/mp4', name: 'silent.mp4' });
  assert.equal(pending.status, 202, show(pending));
  const described = await as(srv, alice, 'PUT', `/api/v1/media/${pending.body.id}`, { json: { description: 'no sound', focus: '0.5,0.5' } });
  assert.ok(described.status === 206 || described.status === 200, show(described));
  assert.equal(described.body.description, 'no sound');
  const loop = await processed(srv, alice, pending.body.id);
  assert.equal(loop.status, 200, show(loop));
  assert.equal(loop.body.type, 'gifv');
  assert.equal(loop.body.description, 'no sound');
  assert.deepEqual(loop.body.meta.focus, { x: 0.5, y: 0.5 });

  const gif = await ffmpegFile(dir, 'anim.gif', ['-f', 'lavfi', '-i', 'testsrc=duration=1:size=64x48:rate=10']);
  const gifv = await processed(srv, alice, (await upload(srv, alice, gif, { type: 'image/gif', name: 'anim.gif' })).body.id);
  assert.equal(gifv.status, 200, show(gifv));
  assert.equal(gifv.body.type, 'gifv');
  assert.match(gifv.body.url, /\/original\.mp4$/);

  const wav = await ffmpegFile(dir, 'tone.wav', ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1']);
  const audio = await processed(srv, alice, (await upload(srv, alice, wav, { type: 'audio/wav', name: 'tone.wav' })).body.id);
  assert.equal(audio.status, 200, show(audio));
  assert.equal(audio.body.type, 'audio');
  assert.match(audio.body.url, /\/original\.mp3$/);
  assert.equal((await fetchFile(audio.body.url)).headers.get('content-type'), 'audio/mpeg');

  // A "video" ffmpeg cannot decode: accepted, then failed (422 on GET).
  const broken = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom'), Buffer.alloc(4096, 0x78)]);
  const bad = await upload(srv, alice, broken, { type: 'video/mp4', name: 'broken.mp4' });
  assert.equal(bad.status, 202, show(bad));
  const failed = await processed(srv, alice, bad.body.id);
  assert.equal(failed.status, 422, show(failed));
  assert.equal(typeof failed.body.error, 'string');
  const refused = await post(srv, alice, { status: 'broken', media_ids: [bad.body.id] });
  assert.equal(refused.status, 422);

  // The older form waits for the video.
  const sync = await upload(srv, alice, mp4, { type: 'video/mp4', name: 'clip.mp4', path: '/api/v1/media' });
  assert.equal(sync.status, 200, show(sync));
  assert.match(sync.body.url, /\/original\.mp4$/);
  assert.equal((await api(srv, 'GET', '/health')).status, 200, 'still serving');
}));

test('video and audio take a thumbnail of their owner\'s, on upload or later, shown as their preview', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const dir = await scratch(t);
  const wav = await ffmpegFile(dir, 'tone.wav', ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1']);
  const cover = await jpegWithExif(dir, { width: 1200, height: 800, orientation: 1 });
  const png = await pngWithAlpha(dir, { width: 300, height: 200 });
  const mediaDir = join(srv.dataDir, 'media');

  const accepted = await upload(srv, alice, wav, { type: 'audio/wav', name: 'tone.wav',
    fields: { thumbnail: new File([cover], 'cover.jpg', { type: 'image/jpeg' }) } });
  assert.equal(accepted.status, 202, show(accepted));
  assert.equal(accepted.body.url, null);
  assert.match(accepted.body.preview_url ?? '', /\/thumb[0-9a-f]{8}\.jpg$/, 'the thumbnail is there at once');
  const audio = await processed(srv, alice, accepted.body.id);
  assert.equal(audio.status, 200, show(audio));
  assert.equal(audio.body.preview_url, accepted.body.preview_url);
  assert.deepEqual([audio.body.meta.small.width, audio.body.meta.small.height], [587, 391], 'within 640 × 360 of area');
  assert.ok(audio.body.blurhash);
  const coverFile = await fetchFile(audio.body.preview_url);
  assert.equal(coverFile.status, 200);
  assert.equal(coverFile.headers.get('content-type'), 'image/jpeg');
  const coverMeta = await metadataOf(dir, coverFile.bytes, 'cover');
  assert.ok(!Object.keys(coverMeta).some((k) => k.startsWith('GPS')), 'no GPS position');

  // Replaced later: the old file goes, the blurhash follows.
  const replaced = await as(srv, alice, 'PUT', `/api/v1/media/${audio.body.id}`, {
    multipart: { thumbnail: new File([png], 'cover.png', { type: 'image/png' }) } });
  assert.equal(replaced.status, 200, show(replaced));
  assert.match(replaced.body.preview_url, /\/thumb[0-9a-f]{8}\.png$/);
  assert.notEqual(replaced.body.blurhash, audio.body.blurhash);
  assert.equal((await fetchFile(audio.body.preview_url)).status, 404, 'the replaced thumbnail is gone');
  assert.equal((await ok(srv, alice, 'GET', `/api/v1/media/${audio.body.id}`)).preview_url, replaced.body.preview_url);
  const status = await postOk(srv, alice, { status: 'a tune', media_ids: [audio.body.id] });
  assert.equal(status.media_attachments[0].preview_url, replaced.body.preview_url);

  // Refused: for an image, someone else's, an SVG; nothing kept.
  const files = await countFiles(mediaDir);
  const photo = await uploadOk(srv, alice, cover);
  const onImage = await as(srv, alice, 'PUT', `/api/v1/media/${photo.id}`, {
    multipart: { thumbnail: new File([png], 'cover.png', { type: 'image/png' }) } });
  assert.equal(onImage.status, 422, show(onImage));
  const withImage = await upload(srv, alice, cover, { fields: { thumbnail: new File([png], 'c.png', { type: 'image/png' }) } });
  assert.equal(withImage.status, 422, show(withImage));
  const pending = await upload(srv, alice, wav, { type: 'audio/wav', name: 'tone.wav' });
  assert.equal(pending.status, 202, show(pending));
  const notHers = await as(srv, bob, 'PUT', `/api/v1/media/${pending.body.id}`, {
    multipart: { thumbnail: new File([png], 'cover.png', { type: 'image/png' }) } });
  assert.equal(notHers.status, 404, show(notHers));
  const svg = await as(srv, alice, 'PUT', `/api/v1/media/${pending.body.id}`, {
    multipart: { thumbnail: new File([Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')], 'x.svg', { type: 'image/svg+xml' }) } });
  assert.equal(svg.status, 422, show(svg));
  assert.match(svg.body.error, /^Thumbnail/);
  const plain = await processed(srv, alice, pending.body.id);
  assert.equal(plain.status, 200, show(plain));
  assert.equal(plain.body.preview_url, null, 'audio without a thumbnail has no preview');
  assert.equal(await countFiles(mediaDir), files + 2 + 1, 'the photo\'s two files and the audio; no thumbnail');
}));

test('a video upload left processing is taken up again after a restart', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const dir = await scratch(t);
  // VP9, transcoded: processing takes long enough to be cut short.
  const webm = await ffmpegFile(dir, 'clip.webm', ['-f', 'lavfi', '-i', 'testsrc=duration=6:size=640x480:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:duration=6', '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-c:a', 'libopus', '-shortest']);
  const accepted = await upload(srv, alice, webm, { type: 'video/webm', name: 'clip.webm' });
  assert.equal(accepted.status, 202, show(accepted));
  await srv.kill9();
  await srv.restart();
  const done = await processed(srv, alice, accepted.body.id);
  assert.equal(done.status, 200, show(done));
  assert.match(done.body.url, /\/original\.mp4$/);
}));

test('masto waits for a video to be processed', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const dir = await scratch(t);
  const mp4 = await ffmpegFile(dir, 'clip.mp4', H264_WITH_SOUND);
  const masto = createRestAPIClient({ url: srv.url, accessToken: alice.token });
  const video = await masto.v2.media.create({ file: new Blob([mp4], { type: 'video/mp4' }) });
  assert.equal(video.type, 'video');
  assert.ok(video.url, 'masto returns it once it has a URL');
  const status = await masto.v1.statuses.create({ status: 'a video', mediaIds: [video.id] });
  assert.equal(status.mediaAttachments[0].type, 'video');
}));

test('clients that hang up in the middle of a large file leave the server serving', withLogs(async (t, start) => {
  const { srv } = await socialServer(start, { users: [] });
  // A large file where chirpd keeps an upload's versions.
  const key = 'ab'.repeat(16);
  const folder = join(srv.dataDir, 'media', key.slice(0, 2), key);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'original.mp4'), Buffer.alloc(40 * 1024 * 1024, 7));
  // wrk ends its run by closing every connection in the middle of a
  // file, as a client that navigates away does.
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => {
      execFile('wrk', ['-t1', '-c8', '-d1s', `${srv.url}/media/${key}/original.mp4`], { timeout: 20_000 }, () => resolve());
    });
  }
  assert.equal((await api(srv, 'GET', '/health')).status, 200, 'still serving');
  const whole = await fetchFile(`${srv.url}/media/${key}/original.mp4`);
  assert.equal(whole.status, 200);
  assert.equal(whole.bytes.length, 40 * 1024 * 1024);
}));

test('a slow client takes a large file for longer than the request time limit, as long as it keeps reading', withLogs(async (t, start) => {
  const { srv } = await socialServer(start, { users: [], args: ['--request-timeout', '1'] });
  const key = 'cd'.repeat(16);
  const folder = join(srv.dataDir, 'media', key.slice(0, 2), key);
  await mkdir(folder, { recursive: true });
  const size = 24 * 1024 * 1024;
  await writeFile(join(folder, 'original.mp4'), Buffer.alloc(size, 3));
  // About 8 MB a second: three seconds for the whole file.
  const received = await new Promise((resolve, reject) => {
    http.get(`${srv.url}/media/${key}/original.mp4`, (res) => {
      let got = 0;
      res.on('data', (chunk) => {
        got += chunk.length;
        res.pause();
        setTimeout(() => res.resume(), chunk.length / 8192);
      });
      res.on('end', () => resolve(got));
      res.on('error', reject);
    }).on('error', reject);
  });
  assert.equal(received, size);
}));
