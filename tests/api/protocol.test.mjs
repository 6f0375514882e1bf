// Request framing a proxy and a server could read differently (the ways of
// request smuggling): each is refused with 400 in the Mastodon error format
// and the connection closed, as nginx does, so nothing after the refused
// bytes is read as a request of its own. A well-formed twin of each request
// is answered, so the refusals are for the framing alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { withLogs, MANY_SIGNUPS } from './lib/server.mjs';
import { assertJsonError } from './lib/entities.mjs';

const APP = '{"client_name":"framing","redirect_uris":"urn:ietf:wg:oauth:2.0:oob"}';
const HEX = APP.length.toString(16);

// Writes `bytes` to a new connection and reads until the server closes it
// (or `timeoutMs` passes). → { responses: [{ status, contentType, text, body }], closed }
function exchange(srv, bytes, { timeoutMs = 5000 } = {}) {
  return new Promise((resolve) => {
    const chunks = [];
    let closed = false;
    const u = new URL(srv.url);
    const sock = connect({ host: u.hostname, port: Number(u.port) });
    const timer = setTimeout(() => sock.destroy(), timeoutMs);
    sock.on('connect', () => sock.write(bytes));
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', () => {});
    sock.on('end', () => { closed = true; });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ responses: splitResponses(Buffer.concat(chunks).toString('latin1')), closed });
    });
  });
}

// The responses in what the server wrote, each with a Content-Length body.
function splitResponses(raw) {
  const out = [];
  let rest = raw;
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const head = rest.slice(0, end).split('\r\n');
    const fields = new Headers();
    for (const line of head.slice(1)) {
      const colon = line.indexOf(':');
      fields.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    const length = Number(fields.get('content-length') ?? 0);
    const text = rest.slice(end + 4, end + 4 + length);
    let body = null;
    try { body = JSON.parse(text); } catch { body = undefined; }
    out.push({ status: Number(head[0].split(' ')[1]), contentType: fields.get('content-type') ?? '', text, body });
    rest = rest.slice(end + 4 + length);
  }
  return out;
}

// A POST of `body` (already framed) with the head lines given, followed by
// a second request the server must never read when it refuses the first.
function post(fieldLines, framedBody) {
  return `POST /api/v1/apps HTTP/1.1\r\n${fieldLines.join('\r\n')}\r\n\r\n${framedBody}` +
    'GET /api/v1/instance HTTP/1.1\r\nHost: chirp.test\r\nConnection: close\r\n\r\n';
}

const CHUNKED = ['Host: chirp.test', 'Content-Type: application/json', 'Transfer-Encoding: chunked'];
const LENGTH = ['Host: chirp.test', 'Content-Type: application/json', `Content-Length: ${APP.length}`];

const refused = {
  'a bare LF ending a chunk size': post(CHUNKED, `${HEX}\n${APP}\r\n0\r\n\r\n`),
  'a bare LF ending chunk data': post(CHUNKED, `${HEX}\r\n${APP}\n0\r\n\r\n`),
  'a bare LF ending the last chunk': post(CHUNKED, `${HEX}\r\n${APP}\r\n0\n\r\n`),
  'a bare LF ending the trailer': post(CHUNKED, `${HEX}\r\n${APP}\r\n0\r\n\n`),
  'Transfer-Encoding in the trailer': post(CHUNKED, `${HEX}\r\n${APP}\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n`),
  'Content-Length in the trailer': post(CHUNKED, `${HEX}\r\n${APP}\r\n0\r\nContent-Length: 5\r\n\r\n`),
  'a chunk extension with a space in its name': post(CHUNKED, `${HEX};a b\r\n${APP}\r\n0\r\n\r\n`),
  'a chunk extension without a name': post(CHUNKED, `${HEX};=v\r\n${APP}\r\n0\r\n\r\n`),
  'a chunk extension value that is neither token nor quoted-string': post(CHUNKED, `${HEX};a=b@c\r\n${APP}\r\n0\r\n\r\n`),
  'an unterminated quoted chunk extension': post(CHUNKED, `${HEX};a="open\r\n${APP}\r\n0\r\n\r\n`),
  'a chunk size with a sign': post(CHUNKED, `+${HEX}\r\n${APP}\r\n0\r\n\r\n`),
  'a chunk size followed by a space and text': post(CHUNKED, `${HEX} x\r\n${APP}\r\n0\r\n\r\n`),
  'Transfer-Encoding: chunked, chunked': post(
    ['Host: chirp.test', 'Content-Type: application/json', 'Transfer-Encoding: chunked, chunked'],
    `${HEX}\r\n${APP}\r\n0\r\n\r\n`),
  'Transfer-Encoding chunked in two fields': post(
    [...CHUNKED, 'Transfer-Encoding: chunked'], `${HEX}\r\n${APP}\r\n0\r\n\r\n`),
  'Transfer-Encoding: gzip, chunked': post(
    ['Host: chirp.test', 'Content-Type: application/json', 'Transfer-Encoding: gzip, chunked'],
    `${HEX}\r\n${APP}\r\n0\r\n\r\n`),
  'Transfer-Encoding: chunked, identity': post(
    ['Host: chirp.test', 'Content-Type: application/json', 'Transfer-Encoding: chunked, identity'],
    `${HEX}\r\n${APP}\r\n0\r\n\r\n`),
  'Transfer-Encoding: identity': post(
    ['Host: chirp.test', 'Content-Type: application/json', 'Transfer-Encoding: identity', `Content-Length: ${APP.length}`],
    APP),
  'Transfer-Encoding beside Content-Length': post([...CHUNKED, `Content-Length: ${APP.length}`], `${HEX}\r\n${APP}\r\n0\r\n\r\n`),
  'a repeated Host': post([...LENGTH, 'Host: other.test'], APP),
  'no Host on HTTP/1.1': post(['Content-Type: application/json', `Content-Length: ${APP.length}`], APP),
  'a Content-Length with a plus sign': post(
    ['Host: chirp.test', 'Content-Type: application/json', `Content-Length: +${APP.length}`], APP),
  'a Content-Length with a minus sign': post(
    ['Host: chirp.test', 'Content-Type: application/json', 'Content-Length: -1'], APP),
  'a Content-Length with a space inside': post(
    ['Host: chirp.test', 'Content-Type: application/json', `Content-Length: ${APP.length} 0`], APP),
  'a Content-Length list': post(
    ['Host: chirp.test', 'Content-Type: application/json', `Content-Length: ${APP.length}, ${APP.length}`], APP),
  'a repeated Content-Length': post([...LENGTH, `Content-Length: ${APP.length}`], APP),
  'a Content-Length past 64 bits': post(
    ['Host: chirp.test', 'Content-Type: application/json', 'Content-Length: 99999999999999999999'], APP),
  'obsolete line folding': post([...LENGTH, 'X-Folded: one', ' two'], APP),
};

test('each framing a proxy could read differently is refused with 400 and the connection closed', withLogs(async (t, start) => {
  const srv = await start({ args: MANY_SIGNUPS });
  for (const [name, bytes] of Object.entries(refused)) {
    const { responses, closed } = await exchange(srv, bytes);
    assert.equal(responses.length, 1, `${name}: one response, nothing read after the refused request`);
    assertJsonError({ ...responses[0], text: `${name}: ${responses[0].text}` }, 400);
    assert.ok(closed, `${name}: the server closes the connection`);
  }
}));

test('the well-formed twins of those requests are answered, and the next request on the connection too', withLogs(async (t, start) => {
  const srv = await start({ args: MANY_SIGNUPS });
  const accepted = {
    'chunked': post(CHUNKED, `${HEX}\r\n${APP}\r\n0\r\n\r\n`),
    'chunked in two pieces': post(CHUNKED, `5\r\n${APP.slice(0, 5)}\r\n${(APP.length - 5).toString(16)}\r\n${APP.slice(5)}\r\n0\r\n\r\n`),
    'a token chunk extension': post(CHUNKED, `${HEX};name=value\r\n${APP}\r\n0\r\n\r\n`),
    'a quoted chunk extension': post(CHUNKED, `${HEX} ; name = "a \\"quoted\\" value"\r\n${APP}\r\n0\r\n\r\n`),
    'a trailer field': post(CHUNKED, `${HEX}\r\n${APP}\r\n0\r\nX-Checksum: 1\r\n\r\n`),
    'Transfer-Encoding in capitals': post(
      ['Host: chirp.test', 'Content-Type: application/json', 'Transfer-Encoding: CHUNKED'], `${HEX}\r\n${APP}\r\n0\r\n\r\n`),
    'a Content-Length': post(LENGTH, APP),
    'a Content-Length with spaces around it': post(
      ['Host: chirp.test', 'Content-Type: application/json', `Content-Length:   ${APP.length}  `], APP),
  };
  for (const [name, bytes] of Object.entries(accepted)) {
    const { responses } = await exchange(srv, bytes);
    assert.equal(responses.length, 2, `${name}: both requests answered`);
    assert.equal(responses[0].status, 200, `${name}: ${responses[0].text}`);
    assert.equal(responses[0].body.name, 'framing', name);
    assert.equal(responses[1].status, 200, `${name}: ${responses[1].text}`);
  }
  // HTTP/1.0 needs no Host.
  const { responses } = await exchange(srv, 'GET /api/v1/instance HTTP/1.0\r\n\r\n');
  assert.equal(responses[0]?.status, 200);
}));
