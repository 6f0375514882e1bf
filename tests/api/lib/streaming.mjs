// Helpers for the streaming API tests (reference §1.7): WebSocket clients on
// /api/v1/streaming (the `ws` package), a server-sent-events reader (fetch),
// and a hand-made WebSocket handshake over a raw TCP socket.
//
//   const c = await openStream(srv, { t, token: alice.token, stream: 'user' });
//   const m = await c.waitFor(isUpdate(status.id, ['user']), 'alice sees her status');
//   c.forbid((m) => m.body?.id === secret.id, 'the private status');
//   ...; c.assertClean();                 // after a positive fence
//
// Every message a client receives is kept (c.messages), so waitFor() also finds
// messages that arrived before it was called. Events are parsed once:
//   { raw, data, stream, event, payload, body, index }
// where `data` is the parsed frame, `payload` its payload as sent (a string for
// every event) and `body` the parsed payload (JSON for update, notification,
// conversation, status.update; the id string for delete).
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import WebSocket from 'ws';

export { WebSocket };

export const STREAMING_PATH = '/api/v1/streaming';
// How long a test waits for an event that must arrive.
export const EVENT_TIMEOUT_MS = 5000;
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

// ws://host:port of the API server (what urls.streaming_api must say).
export function wsBase(srv) {
  return `ws://${new URL(srv.url).host}`;
}

// ws://host:port/api/v1/streaming?<params>; undefined params are left out.
export function streamingUrl(srv, params = {}, { base = wsBase(srv) } = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) q.set(k, v);
  const qs = q.toString();
  return `${base}${STREAMING_PATH}${qs ? `?${qs}` : ''}`;
}

// Same stream name array? (["hashtag","Foo"] vs m.stream)
export const sameStream = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// Predicates over parsed messages.
export const isUpdate = (id, stream) => (m) =>
  m.event === 'update' && m.body?.id === id && (stream === undefined || sameStream(m.stream, stream));
export const isDelete = (id, stream) => (m) =>
  m.event === 'delete' && m.payload === id && (stream === undefined || sameStream(m.stream, stream));
export const isNotification = (type, { account, status, stream } = {}) => (m) =>
  m.event === 'notification' && m.body?.type === type &&
  (account === undefined || m.body?.account?.id === account) &&
  (status === undefined || m.body?.status?.id === status) &&
  (stream === undefined || sameStream(m.stream, stream));
export const isConversation = (statusId, stream) => (m) =>
  m.event === 'conversation' && m.body?.last_status?.id === statusId &&
  (stream === undefined || sameStream(m.stream, stream));
export const isError = (m) => m.data !== null && typeof m.data === 'object' && 'error' in m.data;

// Every status id and account id a message refers to (for "nothing about X" checks).
export function mentionsOf(m) {
  const ids = new Set();
  const accounts = new Set();
  const addStatus = (s) => {
    if (!s || typeof s !== 'object') return;
    if (s.id) ids.add(s.id);
    if (s.account?.id) accounts.add(s.account.id);
    if (s.reblog) addStatus(s.reblog);
  };
  if (m.event === 'delete') ids.add(m.payload);
  const b = m.body;
  if (b && typeof b === 'object') {
    if (m.event === 'update' || m.event === 'status.update') addStatus(b);
    if (m.event === 'notification') {
      if (b.account?.id) accounts.add(b.account.id);
      addStatus(b.status);
    }
    if (m.event === 'conversation') {
      addStatus(b.last_status);
      for (const a of b.accounts ?? []) if (a?.id) accounts.add(a.id);
    }
  }
  return { ids, accounts };
}
export const refersToStatus = (id) => (m) => mentionsOf(m).ids.has(id);
export const refersToAccount = (id) => (m) => mentionsOf(m).accounts.has(id);

const PARSED_PAYLOAD = new Set(['update', 'notification', 'conversation', 'status.update']);

// Parses one text frame (or one SSE event: { event, data }).
export function parseMessage(raw, index) {
  let data = null;
  try { data = JSON.parse(raw); } catch { /* not JSON: kept as raw */ }
  const m = { raw, data, index, stream: undefined, event: undefined, payload: undefined, body: undefined, payloadError: undefined };
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    m.stream = data.stream;
    m.event = data.event;
    m.payload = data.payload;
    if (PARSED_PAYLOAD.has(m.event)) {
      if (typeof m.payload !== 'string') {
        m.payloadError = `payload is a ${typeof m.payload}, not a JSON string`;
      } else {
        try { m.body = JSON.parse(m.payload); } catch (e) { m.payloadError = `payload is not JSON: ${e.message}`; }
      }
    } else if (m.event === 'delete') {
      m.body = m.payload;
      if (typeof m.payload !== 'string') m.payloadError = `delete payload is a ${typeof m.payload}, not the id as a string`;
    }
  }
  return m;
}

function short(m) {
  return m.raw.length > 300 ? `${m.raw.slice(0, 300)}…` : m.raw;
}

// A list of received messages with waiting, forbidding and describing.
// Also usable on its own for a client library's events: log.add(event).
export class Inbox {
  constructor(label) {
    this.label = label;
    this.messages = [];
    this.waiters = new Set();
    this.forbidden = [];
    this.violations = [];
    this.ended = null; // why no more messages will come
  }

  _push(m) {
    this.messages.push(m);
    for (const f of this.forbidden) {
      if (f.pred(m)) this.violations.push(`${this.label} received ${f.what}: ${short(m)}`);
    }
    for (const w of [...this.waiters]) w.check();
  }

  // Adds a message from elsewhere (e.g. masto's events); `raw` is made up if missing.
  add(m) {
    const raw = m.raw ?? JSON.stringify(m);
    this._push({ ...m, raw, index: this.messages.length });
  }

  // No more messages will come (reason shown in failures).
  end(reason) {
    this._end(reason);
  }

  _end(reason) {
    if (this.ended) return;
    this.ended = reason;
    for (const w of [...this.waiters]) w.check();
  }

  find(pred, from = 0) {
    for (let i = from; i < this.messages.length; i += 1) if (pred(this.messages[i])) return this.messages[i];
    return undefined;
  }

  filter(pred) {
    return this.messages.filter(pred);
  }

  describe(max = 12) {
    const list = this.messages.slice(-max).map((m) => `    #${m.index} ${short(m)}`);
    const more = this.messages.length > max ? `    (… ${this.messages.length - max} earlier)\n` : '';
    return `${this.label}: ${this.messages.length} message(s)${this.ended ? `, ended: ${this.ended}` : ''}\n${more}${list.join('\n')}`;
  }

  // Resolves with the first message (from index `from` on) matching `pred`,
  // including those already received; fails after `timeoutMs`.
  waitFor(pred, what = 'a matching message', { timeoutMs = EVENT_TIMEOUT_MS, from = 0 } = {}) {
    const found = this.find(pred, from);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = {
        check: () => {
          const m = this.find(pred, from);
          if (m) {
            done();
            resolve(m);
          } else if (this.ended) {
            done();
            reject(new assert.AssertionError({ message: `${this.label}: ${what}: no such message, and the stream ended (${this.ended})\n${this.describe()}` }));
          }
        },
      };
      const timer = setTimeout(() => {
        done();
        reject(new assert.AssertionError({ message: `${this.label}: timed out after ${timeoutMs} ms waiting for ${what}\n${this.describe()}` }));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(w);
      };
      this.waiters.add(w);
      w.check();
    });
  }

  // Records every message (past or future) matching `pred` as a violation;
  // assertClean() reports them. Use it before the action, check after a fence.
  forbid(pred, what) {
    this.forbidden.push({ pred, what });
    for (const m of this.messages) if (pred(m)) this.violations.push(`${this.label} received ${what}: ${short(m)}`);
  }

  assertClean(context = '') {
    if (this.violations.length) {
      assert.fail(`${context ? `${context}: ` : ''}${this.violations.join('\n')}\n${this.describe()}`);
    }
  }

  // Asserts exactly `n` messages match `pred` (after a fence).
  assertCount(pred, n, what) {
    const got = this.filter(pred);
    assert.equal(got.length, n, `${this.label}: expected ${n} × ${what}, got ${got.length}\n${this.describe()}`);
  }
}

// One WebSocket connection to /api/v1/streaming.
export class StreamClient extends Inbox {
  constructor(ws, label) {
    super(label);
    this.ws = ws;
    this.closeInfo = null;
    this.pongs = [];
    ws.on('message', (data, isBinary) => {
      const raw = isBinary ? `<binary ${data.length} bytes>` : data.toString('utf8');
      this._push(parseMessage(raw, this.messages.length));
    });
    ws.on('pong', (data) => {
      this.pongs.push(Buffer.from(data));
      for (const w of [...this.waiters]) w.check();
    });
    ws.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      this._end(`closed with code ${code} ${reason}`);
    });
    ws.on('error', (e) => {
      this._end(`error ${e.message}`);
    });
  }

  get protocol() {
    return this.ws.protocol;
  }

  get open() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(obj) {
    this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
  }

  // A ping/pong round trip. Frames on one connection are handled in order,
  // so after the pong the server has read everything sent before the ping
  // (subscribe/unsubscribe messages). Resolves with the pong's data.
  async sync({ timeoutMs = EVENT_TIMEOUT_MS } = {}) {
    const tag = randomBytes(6).toString('hex');
    const before = this.pongs.length;
    this.ws.ping(Buffer.from(tag));
    const end = Date.now() + timeoutMs;
    for (;;) {
      const got = this.pongs.slice(before).find((p) => p.toString() === tag);
      if (got) return got;
      if (this.ended) assert.fail(`${this.label}: connection ended while waiting for a pong (${this.ended})`);
      if (Date.now() > end) {
        assert.fail(`${this.label}: no pong with the ping's data "${tag}" within ${timeoutMs} ms (the server must answer pings)`);
      }
      await delay(10);
    }
  }

  // Sends {"type":"subscribe","stream":..., ...extra} and syncs.
  async subscribe(stream, extra = {}) {
    this.send({ type: 'subscribe', stream, ...extra });
    await this.sync();
  }

  async unsubscribe(stream, extra = {}) {
    this.send({ type: 'unsubscribe', stream, ...extra });
    await this.sync();
  }

  // Closes (idempotent) and waits (bounded) for the close to finish.
  async close() {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((r) => this.ws.once('close', r));
    try { this.ws.close(1000); } catch { /* connecting */ }
    const timer = setTimeout(() => this.ws.terminate(), 2000);
    await closed;
    clearTimeout(timer);
  }
}

// Cleanup that runs before the server is stopped: node:test runs after-hooks
// in the order they were registered, and withLogs' start() registers the
// server's, so call streamScope(t) before start(). openStream/openSse/... with
// the same `t` then add their connections to it.
const scopes = new WeakMap();
export function streamScope(t) {
  let scope = scopes.get(t);
  if (scope) return scope;
  const items = new Set();
  scope = {
    add(closable) {
      items.add(closable);
      return closable;
    },
    async closeAll() {
      const list = [...items];
      items.clear();
      await Promise.all(list.map(async (c) => {
        try { await c.close(); } catch { /* already gone */ }
      }));
    },
  };
  scopes.set(t, scope);
  t.after(() => scope.closeAll());
  return scope;
}

function authOptions({ token, auth }) {
  const headers = {};
  const params = {};
  let protocols;
  if (token !== undefined && token !== null) {
    if (auth === 'header') headers.authorization = `Bearer ${token}`;
    else if (auth === 'query') params.access_token = token;
    else if (auth === 'protocol') protocols = [token];
    else throw new Error(`unknown auth mode ${auth}`);
  }
  return { headers, params, protocols };
}

// Opens a WebSocket. Resolves { ws } once open, or rejects with an Error that
// has .statusCode/.body when the upgrade was answered with a plain HTTP response.
// `attach(ws)` runs right after the socket is created, so that listeners see
// even a message that arrives together with the 101 response.
export function connectWebSocket(url, { protocols, headers = {}, timeoutMs = EVENT_TIMEOUT_MS, attach } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers, handshakeTimeout: timeoutMs });
    if (attach) attach(ws);
    let settled = false;
    const fail = (err) => {
      if (settled) return;
      settled = true;
      try { ws.terminate(); } catch { /* gone */ }
      reject(err);
    };
    ws.once('unexpected-response', (req, res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      const finish = () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const e = new Error(`WebSocket upgrade to ${url} answered HTTP ${res.statusCode} instead of 101: ${body.slice(0, 300)}`);
        e.statusCode = res.statusCode;
        e.body = body;
        e.headers = res.headers;
        fail(e);
      };
      res.on('end', finish);
      res.on('error', finish);
      setTimeout(finish, 1000);
    });
    ws.once('error', (e) => fail(Object.assign(new Error(`WebSocket ${url}: ${e.message}`), { cause: e })));
    ws.once('open', () => {
      if (settled) return;
      settled = true;
      resolve({ ws });
    });
  });
}

// Opens a streaming connection and returns a StreamClient.
//   token     access token (omit for none)
//   auth      'header' (Authorization: Bearer), 'protocol' (Sec-WebSocket-Protocol), 'query' (?access_token=)
//   stream    ?stream=... (optional; more with `params`, e.g. { tag: 'Foo' })
//   tag       shortcut for params.tag
//   base      ws://host:port to use instead of the server's (e.g. from urls.streaming_api)
//   t         node:test context: the socket is closed after the test
//   label     a name for failure messages
export async function openStream(srv, {
  t, token, auth = 'header', stream, tag, params = {}, base, label, sync = true, timeoutMs = EVENT_TIMEOUT_MS,
} = {}) {
  const a = authOptions({ token, auth });
  const url = streamingUrl(srv, { stream, tag, ...params, ...a.params }, { base: base ?? wsBase(srv) });
  let c;
  await connectWebSocket(url, {
    protocols: a.protocols, headers: a.headers, timeoutMs,
    attach: (ws) => { c = new StreamClient(ws, label ?? `stream ${stream ?? '(none)'}${tag !== undefined ? ` #${tag}` : ''}`); },
  });
  if (t) streamScope(t).add(c);
  if (sync) await c.sync();
  return c;
}

// Expects the upgrade to be refused; returns { statusCode, body } (statusCode
// undefined if the connection failed some other way).
export async function expectUpgradeRefused(srv, { token, auth = 'header', stream, params = {}, protocols } = {}) {
  const a = authOptions({ token, auth });
  const url = streamingUrl(srv, { stream, ...params, ...a.params });
  let ws;
  try {
    ({ ws } = await connectWebSocket(url, { protocols: protocols ?? a.protocols, headers: a.headers }));
  } catch (e) {
    return { statusCode: e.statusCode, body: e.body, error: e };
  }
  ws.terminate();
  assert.fail(`WebSocket upgrade to ${url} succeeded; it must be refused`);
}

// ---------------------------------------------------------------------------
// Server-sent events

// Parses an SSE byte stream incrementally: feed(text) → [{ event, data, id }].
export function sseParser() {
  let buf = '';
  return {
    comments: [],
    feed(text) {
      buf += text.replace(/\r\n?/g, '\n');
      const out = [];
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        let event;
        let id;
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) { this.comments.push(line.slice(1).trim()); continue; }
          const c = line.indexOf(':');
          const field = c < 0 ? line : line.slice(0, c);
          let value = c < 0 ? '' : line.slice(c + 1);
          if (value.startsWith(' ')) value = value.slice(1);
          if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
          else if (field === 'id') id = value;
        }
        if (event !== undefined || data.length) out.push({ event: event ?? 'message', data: data.join('\n'), id });
      }
      return out;
    },
  };
}

// An SSE connection read with fetch. Events are kept as messages shaped like
// the WebSocket ones: { event, payload: data, body, raw }.
export class SseClient extends Inbox {
  constructor(label, res, controller) {
    super(label);
    this.res = res;
    this.status = res.status;
    this.headers = res.headers;
    this.contentType = res.headers.get('content-type') || '';
    this.controller = controller;
    this.parser = sseParser();
    this.text = ''; // the body as received (first 4 MiB)
    this.done = this._read();
  }

  async _read() {
    const reader = this.res.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const chunk = decoder.decode(value, { stream: true });
        if (this.text.length < 4 << 20) this.text += chunk;
        for (const ev of this.parser.feed(chunk)) {
          const m = {
            raw: `event: ${ev.event}\ndata: ${ev.data}`,
            data: null,
            index: this.messages.length,
            stream: undefined,
            event: ev.event,
            payload: ev.data,
            body: undefined,
            payloadError: undefined,
          };
          if (PARSED_PAYLOAD.has(ev.event)) {
            try { m.body = JSON.parse(ev.data); } catch (e) { m.payloadError = `data is not JSON: ${e.message}`; }
          } else if (ev.event === 'delete') {
            m.body = ev.data;
          }
          this._push(m);
        }
      }
      this._end('the response ended');
    } catch (e) {
      this._end(this.controller.signal.aborted ? 'aborted' : `read error ${e.message}`);
    }
  }

  async close() {
    this.controller.abort();
    await this.done;
  }
}

// GET an SSE endpoint. Returns an SseClient when the answer is 200; otherwise
// { status, text, contentType, headers } (the body read in full).
//   token  sent as Authorization: Bearer, or as ?access_token= with auth: 'query'
export async function openSse(srv, path, { t, token, auth = 'header', query = {}, label, timeoutMs = EVENT_TIMEOUT_MS } = {}) {
  const q = new URLSearchParams(query);
  const headers = { accept: 'text/event-stream' };
  if (token !== undefined) {
    if (auth === 'query') q.set('access_token', token);
    else headers.authorization = `Bearer ${token}`;
  }
  const qs = q.toString();
  const url = `${srv.url}${path}${qs ? `${path.includes('?') ? '&' : '?'}${qs}` : ''}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let res;
  try {
    res = await fetch(url, { headers, signal: controller.signal });
  } catch (e) {
    throw new Error(`GET ${path}: no response headers within ${timeoutMs} ms or connection error: ${e.message}`);
  } finally {
    clearTimeout(timer);
  }
  if (res.status !== 200) {
    const text = await res.text();
    return { status: res.status, text, contentType: res.headers.get('content-type') || '', headers: res.headers };
  }
  const c = new SseClient(label ?? `SSE ${path}`, res, controller);
  if (t) streamScope(t).add(c);
  return c;
}

// ---------------------------------------------------------------------------
// A WebSocket handshake over a raw TCP socket (for the slow-reader test).

// Sends the upgrade request and reads the response head. Resolves
// { socket, statusCode, headers, head, rest, key }; the socket is paused and
// has no 'data' listener. `rest` holds any bytes after the head.
export function rawUpgrade(srv, path, { headers = {}, timeoutMs = EVENT_TIMEOUT_MS } = {}) {
  const u = new URL(srv.url);
  const key = randomBytes(16).toString('base64');
  const lines = [
    `GET ${path} HTTP/1.1`, `Host: ${u.host}`, 'Upgrade: websocket', 'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13',
  ];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port) });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`raw upgrade ${path}: no response head within ${timeoutMs} ms`)); }, timeoutMs);
    const onError = (e) => { clearTimeout(timer); reject(new Error(`raw upgrade ${path}: ${e.message}`)); };
    socket.once('error', onError);
    socket.on('connect', () => socket.write(`${lines.join('\r\n')}\r\n\r\n`));
    const onData = (d) => {
      buf = Buffer.concat([buf, d]);
      const i = buf.indexOf('\r\n\r\n');
      if (i < 0) return;
      clearTimeout(timer);
      socket.pause();
      socket.off('data', onData);
      socket.off('error', onError);
      const head = buf.subarray(0, i).toString('latin1');
      const [statusLine, ...hl] = head.split('\r\n');
      const h = {};
      for (const l of hl) {
        const c = l.indexOf(':');
        if (c > 0) h[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
      }
      resolve({ socket, statusCode: Number(statusLine.split(' ')[1]), statusLine, headers: h, head, rest: buf.subarray(i + 4), key });
    };
    socket.on('data', onData);
  });
}

// The Sec-WebSocket-Accept value for a key (RFC 6455 §4.2.2).
export function acceptFor(key) {
  return createHash('sha1').update(key + WS_GUID).digest('base64');
}

// A masked client frame (RFC 6455 §5.2): opcode 0x1 text, 0x8 close, 0x9 ping.
export function clientFrame(opcode, payload = Buffer.alloc(0)) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const mask = randomBytes(4);
  let head;
  if (data.length < 126) {
    head = Buffer.from([0x80 | opcode, 0x80 | data.length]);
  } else if (data.length < 65536) {
    head = Buffer.alloc(4);
    head[0] = 0x80 | opcode;
    head[1] = 0x80 | 126;
    head.writeUInt16BE(data.length, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = 0x80 | opcode;
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(data.length), 2);
  }
  const masked = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i += 1) masked[i] = data[i] ^ mask[i % 4];
  return Buffer.concat([head, mask, masked]);
}
