// Test harness for black-box tests of chirpd: one real server process per test,
// on an ephemeral port, with its own temporary data directory.
//
//   const srv = await startServer({ t, args: ['--password-grant', 'on'] });
//   const res = await api(srv, 'GET', '/api/v1/instance');
//
// Passing the test context `t` registers cleanup (kill + remove the data dir)
// and makes a failing test print the server's stderr.

import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash, randomBytes } from 'node:crypto';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..', '..', '..');
export const CHIRPD_BIN = process.env.CHIRPD_BIN
  ? resolve(process.env.CHIRPD_BIN)
  : join(REPO_ROOT, 'build', 'bin', 'chirpd');

// Instrumented builds (scripts/sanitize.sh sets CHIRP_SANITIZER) start
// several times slower, and an ASan chirpd on PostgreSQL, two test files at
// a time, was seen to need more than 10 s.
export const STARTUP_DEADLINE_MS = process.env.CHIRP_SANITIZER ? 30_000 : 10_000;
export const STOP_DEADLINE_MS = 10_000;
const LISTEN_RE = /chirpd listening on (http:\/\/\S+)/;
const WORKER_RE = /chirpd worker (\d+) running/;

// Options that let one test register more than the default 5 accounts per IP.
export const MANY_SIGNUPS = ['--rate-limit-registration', '1000/60'];

const live = new Set();
process.on('exit', () => {
  for (const s of live) {
    try { s.proc?.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

// The environment a server gets: ours minus any CHIRP_* variable that could
// leak configuration into a hermetic test, plus what the test asks for.
function serverEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('CHIRP_')) env[k] = v;
  }
  return { ...env, ...extra };
}

function tail(text, max = 4000) {
  return text.length > max ? '…' + text.slice(-max) : text;
}

// A chirpd process: `chirpd serve` (an API server, ready once it prints its
// URL) or `chirpd worker` (no HTTP, ready once it prints that it runs; its
// url stays null).
export class ChirpServer {
  constructor({ args = [], env = {}, dataDir, ownsDataDir, command = 'serve' }) {
    this.command = command;
    this.args = args;
    this.env = env;
    this.dataDir = dataDir;
    this.ownsDataDir = ownsDataDir;
    this.proc = null;
    this.url = null;
    this.stdout = '';
    this.stderr = '';
    this.exitCode = undefined;
    this.exitSignal = undefined;
    this.history = []; // logs of earlier processes (restarts)
    this.disposed = false;
  }

  get running() {
    return this.proc !== null && this.exitCode === undefined && this.exitSignal === undefined;
  }

  logs() {
    const parts = [...this.history];
    parts.push(`[current process] stdout:\n${tail(this.stdout)}\nstderr:\n${tail(this.stderr)}`);
    return parts.join('\n');
  }

  async _spawn() {
    if (!existsSync(CHIRPD_BIN)) {
      throw new Error(`chirpd binary not found at ${CHIRPD_BIN} (build it, or set CHIRPD_BIN)`);
    }
    this.stdout = '';
    this.stderr = '';
    this.exitCode = undefined;
    this.exitSignal = undefined;
    this.url = null;
    const worker = this.command === 'worker';
    const argv = worker
      ? ['worker', '--data', this.dataDir, ...this.args]
      : ['serve', '--listen', '127.0.0.1:0', '--data', this.dataDir, ...this.args];
    const ready = worker ? WORKER_RE : LISTEN_RE;
    const proc = spawn(CHIRPD_BIN, argv, {
      env: serverEnv(this.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    live.add(this);
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => { this.stderr += d; });
    this.exited = new Promise((res) => {
      proc.on('exit', (code, signal) => {
        this.exitCode = code ?? undefined;
        this.exitSignal = signal ?? undefined;
        if (code === null && signal === null) this.exitCode = -1;
        live.delete(this);
        res({ code, signal });
      });
    });

    await new Promise((res, rej) => {
      let settled = false;
      const finish = (err) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        err ? rej(err) : res();
      };
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        finish(new Error(
          `chirpd did not print its ${worker ? 'running' : 'listening'} line within ${STARTUP_DEADLINE_MS} ms\n` +
          `argv: ${argv.join(' ')}\n${this.logs()}`));
      }, STARTUP_DEADLINE_MS);
      proc.stdout.on('data', (d) => {
        this.stdout += d;
        const m = ready.exec(this.stdout);
        if (m && !settled) {
          if (worker) this.workerId = m[1];
          else this.url = m[1].replace(/\/+$/, '');
          finish();
        }
      });
      proc.on('error', (e) => finish(new Error(`cannot start chirpd: ${e.message}`)));
      proc.on('exit', (code, signal) => finish(new Error(
        `chirpd exited (code ${code}, signal ${signal}) before ${worker ? 'running' : 'listening'}\n` +
        `argv: ${argv.join(' ')}\n${this.logs()}`)));
    });
    return this;
  }

  _archiveLogs(label) {
    this.history.push(`[${label}] stdout:\n${tail(this.stdout)}\nstderr:\n${tail(this.stderr)}`);
  }

  // Sends `signal` and waits (bounded) for the process to end.
  async _terminate(signal) {
    if (!this.proc) return { code: this.exitCode, signal: this.exitSignal };
    if (this.running) this.proc.kill(signal);
    let timer;
    const deadline = new Promise((res) => { timer = setTimeout(() => res('timeout'), STOP_DEADLINE_MS); });
    const r = await Promise.race([this.exited, deadline]);
    clearTimeout(timer);
    if (r === 'timeout') {
      this.proc.kill('SIGKILL');
      await this.exited;
      throw new Error(`chirpd did not exit within ${STOP_DEADLINE_MS} ms of ${signal}\n${this.logs()}`);
    }
    return r;
  }

  // SIGTERM, wait for the exit, return the exit code (null if killed by a signal).
  // The data directory is removed unless { keep: true }.
  async stop({ keep = false } = {}) {
    const r = await this._terminate('SIGTERM');
    if (!keep) await this._removeData();
    return r.code;
  }

  // SIGKILL, wait for the exit; keeps the data directory for restart().
  async kill9() {
    const r = await this._terminate('SIGKILL');
    return r.signal;
  }

  // Stops the current process (gracefully) if it still runs, then starts a new
  // one on the same data directory and options. The URL (port) changes.
  async restart() {
    if (this.running) await this.stop({ keep: true });
    this._archiveLogs(`process before restart, exit code ${this.exitCode}, signal ${this.exitSignal}`);
    await this._spawn();
    return this;
  }

  async _removeData() {
    if (this.ownsDataDir && this.dataDir) {
      await rm(this.dataDir, { recursive: true, force: true });
    }
  }

  // Idempotent cleanup: end the process if needed and remove the data dir.
  async dispose() {
    if (this.disposed) return;
    this.disposed = true;
    if (this.running) {
      try { await this._terminate('SIGTERM'); } catch { /* killed */ }
    }
    await this._removeData();
  }
}

// Starts chirpd. Options:
//   t        node:test context: registers cleanup and shows stderr on failure
//   args     extra command-line options
//   env      extra environment variables
//   dataDir  use this directory instead of a fresh temp one (not removed)
//   prepare  async (dataDir) => {...} run on the fresh data dir before the
//            server starts (e.g. adminCreateAccount)
//   command  'serve' (the default) or 'worker' (see startWorker)
export async function startServer({ t, args = [], env = {}, dataDir, prepare, command = 'serve' } = {}) {
  const ownsDataDir = !dataDir;
  const dir = dataDir ?? await mkdtemp(join(tmpdir(), 'chirp-api-'));
  const srv = new ChirpServer({ args, env, dataDir: dir, ownsDataDir, command });
  if (t) {
    t.after(async () => {
      await srv.dispose();
    });
  }
  try {
    if (prepare) await prepare(dir);
    await srv._spawn();
  } catch (e) {
    await srv.dispose();
    throw e;
  }
  return srv;
}

// Starts `chirpd worker` (the event stream's durable consumers, no HTTP) and
// waits for its "running" line; the same options and the same object as
// startServer (stop, kill9, dispose, logs), with url null and workerId the
// id it printed. A worker needs a database: pass env { CHIRP_DATABASE_URL,
// CHIRP_WORKER_ID } (the CHIRP_* variables of this process never reach it).
// withLogs' start({ command: 'worker', ... }) does the same and adds its logs
// to a failing test's message.
export function startWorker(opts = {}) {
  return startServer({ ...opts, command: 'worker' });
}

// Runs chirpd expecting it to refuse: resolves once it exits, or once it
// prints a ready line (listening or running), in which case it is killed and
// `started` is true, or after `timeoutMs` (killed, `timedOut`).
// → { code, signal, stdout, stderr, started, timedOut }
export function runUntilExit(argv, { env = {}, timeoutMs = STARTUP_DEADLINE_MS, bin = CHIRPD_BIN } = {}) {
  return new Promise((res) => {
    const proc = spawn(bin, argv, { env: serverEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { code: null, signal: null, stdout: '', stderr: '', started: false, timedOut: false };
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => { out.stderr += d; });
    proc.stdout.on('data', (d) => {
      out.stdout += d;
      if (!out.started && (LISTEN_RE.test(out.stdout) || WORKER_RE.test(out.stdout))) {
        out.started = true;
        proc.kill('SIGKILL');
      }
    });
    const timer = setTimeout(() => { out.timedOut = true; proc.kill('SIGKILL'); }, timeoutMs);
    proc.on('error', (e) => { out.stderr += `\ncannot start ${bin}: ${e.message}`; });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      res({ ...out, code, signal });
    });
  });
}

// Wraps a test body so that a failure message carries the logs of every
// server the test started:  test('x', withLogs(async (t, start) => {...}))
export function withLogs(fn) {
  return async (t) => {
    const servers = [];
    const start = async (opts = {}) => {
      const s = await startServer({ t, ...opts });
      servers.push(s);
      return s;
    };
    try {
      await fn(t, start);
    } catch (e) {
      if (servers.length && e && typeof e === 'object') {
        const logs = servers.map((s, i) => `--- chirpd #${i} (${s.url ?? `chirpd ${s.command}`}) ---\n${s.logs()}`).join('\n');
        try { e.message = `${e.message}\n${logs}`; } catch { /* frozen */ }
      }
      throw e;
    }
  };
}

// Runs `chirpd admin create-account` on a data directory.
export function adminCreateAccount({ dataDir, username, email, password }) {
  return new Promise((res, rej) => {
    execFile(CHIRPD_BIN,
      ['admin', 'create-account', '--data', dataDir, '--username', username, '--email', email, '--password', password],
      { env: serverEnv({}), timeout: 10_000 },
      (err, stdout, stderr) => {
        if (err) return rej(new Error(`admin create-account failed: ${err.message}\n${stderr}`));
        const line = stdout.trim().split('\n').pop();
        try { res(JSON.parse(line)); } catch { rej(new Error(`admin create-account printed no JSON: ${stdout}\n${stderr}`)); }
      });
  });
}

// ---------------------------------------------------------------------------
// HTTP helpers

function baseOf(srv) {
  return typeof srv === 'string' ? srv : srv.url;
}

// api(srv, method, path, { token, json, form, multipart, body, headers, redirect })
// → { status, headers, text, body (parsed JSON or null), contentType }
export async function api(srv, method, path, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  let body = opts.body;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = opts.form instanceof URLSearchParams ? opts.form.toString() : new URLSearchParams(opts.form).toString();
  } else if (opts.multipart !== undefined) {
    const fd = new FormData();
    for (const [k, v] of Object.entries(opts.multipart)) fd.append(k, v);
    body = fd;
  }
  const res = await fetch(baseOf(srv) + path, {
    method,
    headers,
    body,
    redirect: opts.redirect ?? 'manual',
    signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
  });
  const text = await res.text();
  const contentType = res.headers.get('content-type') || '';
  let parsed = null;
  if (/application\/json/i.test(contentType) && text.length) {
    try { parsed = JSON.parse(text); } catch { parsed = undefined; }
  }
  return { status: res.status, headers: res.headers, text, body: parsed, contentType };
}

// Formats a response for assertion messages.
export function show(res) {
  return `HTTP ${res.status} ${res.contentType}\n${res.text.slice(0, 1500)}`;
}

let counter = 0;
export function uniq(prefix = 'u') {
  counter += 1;
  return `${prefix}${process.pid.toString(36)}${counter}${randomBytes(2).toString('hex')}`;
}

export async function registerApp(srv, {
  client_name = 'Chirp API tests',
  redirect_uris = 'urn:ietf:wg:oauth:2.0:oob',
  scopes = 'read write follow push',
  website,
} = {}) {
  const json = { client_name, redirect_uris, scopes };
  if (website !== undefined) json.website = website;
  const res = await api(srv, 'POST', '/api/v1/apps', { json });
  if (res.status !== 200) throw new Error(`POST /api/v1/apps failed: ${show(res)}`);
  return res.body;
}

export async function appToken(srv, app, scope = 'read write follow push') {
  const res = await api(srv, 'POST', '/oauth/token', {
    json: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret, scope },
  });
  if (res.status !== 200) throw new Error(`client_credentials grant failed: ${show(res)}`);
  return res.body.access_token;
}

// Registers a new user through POST /api/v1/accounts with an app token and
// returns { token, username, email, password, app, account }.
export async function createUserToken(srv, {
  username = uniq('user'),
  email,
  password = 'correct horse battery staple',
  app,
} = {}) {
  email ??= `${username}@example.com`;
  app ??= await registerApp(srv);
  const at = await appToken(srv, app);
  const res = await api(srv, 'POST', '/api/v1/accounts', {
    token: at,
    json: { username, email, password, agreement: true, locale: 'en' },
  });
  if (res.status !== 200) throw new Error(`POST /api/v1/accounts failed: ${show(res)}`);
  const token = res.body.access_token;
  const me = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token });
  if (me.status !== 200) throw new Error(`verify_credentials after sign-up failed: ${show(me)}`);
  return { token, username, email, password, app, appToken: at, account: me.body, tokenResponse: res.body };
}

// ---------------------------------------------------------------------------
// OAuth helpers

export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

function decodeEntities(s) {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&amp;/g, '&');
}

function parseAttrs(tag) {
  const attrs = {};
  const re = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  const inner = tag.replace(/^<\s*[a-zA-Z]+/, '').replace(/\/?>$/, '');
  let m;
  while ((m = re.exec(inner))) {
    const v = m[2] ?? m[3] ?? m[4] ?? '';
    attrs[m[1].toLowerCase()] = decodeEntities(v);
  }
  return attrs;
}

// Parses the first <form> of an HTML page: { method, action, inputs: [{...attrs}], buttons: [{...attrs}] }.
export function parseForm(html) {
  const fm = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!fm) return null;
  const formTag = /<form\b[^>]*>/i.exec(fm[0])[0];
  const form = parseAttrs(formTag);
  const inputs = [...fm[1].matchAll(/<input\b[^>]*>/gi)].map((m) => parseAttrs(m[0]));
  const buttons = [...fm[1].matchAll(/<button\b[^>]*>/gi)].map((m) => parseAttrs(m[0]));
  return { method: (form.method || 'get').toLowerCase(), action: form.action, inputs, buttons };
}

// Finds the text inside the element with the given id.
export function elementTextById(html, id) {
  const re = new RegExp(`<([a-zA-Z0-9]+)\\b[^>]*\\bid\\s*=\\s*["']${id}["'][^>]*>([\\s\\S]*?)</\\1>`, 'i');
  const m = re.exec(html);
  if (!m) return null;
  return decodeEntities(m[2].replace(/<[^>]*>/g, '')).trim();
}

// The fields a browser would submit from the authorize form (hidden inputs
// plus username/password plus the decision button).
export function authorizeSubmission(form, { username, password, decision = 'approve' }) {
  const params = new URLSearchParams();
  for (const i of form.inputs) {
    if (!i.name) continue;
    const type = (i.type || 'text').toLowerCase();
    if (type === 'hidden') params.append(i.name, i.value ?? '');
  }
  params.set('username', username);
  params.set('password', password);
  params.set('decision', decision);
  return params;
}

// Runs the browser flow: GET /oauth/authorize, parse the form, POST it.
// Returns { page, form, res } where res is the POST response (redirect not followed).
export async function authorizeViaForm(srv, { app, redirect_uri, scope, state, challenge, username, password, decision = 'approve' }) {
  const q = new URLSearchParams({ response_type: 'code', client_id: app.client_id, redirect_uri });
  if (scope !== undefined) q.set('scope', scope);
  if (state !== undefined) q.set('state', state);
  if (challenge !== undefined) {
    q.set('code_challenge', challenge);
    q.set('code_challenge_method', 'S256');
  }
  const page = await api(srv, 'GET', `/oauth/authorize?${q}`);
  if (page.status !== 200) throw new Error(`GET /oauth/authorize failed: ${show(page)}`);
  const form = parseForm(page.text);
  if (!form) throw new Error(`authorize page has no form:\n${page.text.slice(0, 2000)}`);
  const body = authorizeSubmission(form, { username, password, decision });
  const action = new URL(form.action || '/oauth/authorize', srv.url + '/oauth/authorize');
  const res = await api(srv, 'POST', action.pathname + action.search, { form: body });
  return { page, form, res };
}

// Polls `fn` until it returns a truthy value or the deadline passes.
export async function pollUntil(fn, { timeoutMs = 5000, intervalMs = 25, what = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// Sends one HTTP/1.1 request over a raw socket and returns whatever response
// arrives, even if the server stops reading the body and closes early (which
// makes fetch fail with EPIPE). → { status, headers, text, body, contentType, socketError }
import { connect } from 'node:net';
// `localAddress` picks the client's address on loopback (127.0.0.2, ...).
export function rawRequest(srv, { method = 'GET', path = '/', headers = {}, body, timeoutMs = 15_000, localAddress }) {
  const u = new URL(baseOf(srv));
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body);
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${u.host}`, 'Connection: close'];
  const hdrs = { ...headers };
  if (body !== undefined && !Object.keys(hdrs).some((k) => k.toLowerCase() === 'content-length')) {
    hdrs['Content-Length'] = String(payload.length);
  }
  for (const [k, v] of Object.entries(hdrs)) lines.push(`${k}: ${v}`);
  const head = Buffer.from(lines.join('\r\n') + '\r\n\r\n');
  return new Promise((res) => {
    const chunks = [];
    let socketError = null;
    const sock = connect({ host: u.hostname, port: Number(u.port), localAddress });
    const timer = setTimeout(() => { socketError ??= 'timeout'; sock.destroy(); }, timeoutMs);
    sock.on('connect', () => {
      sock.write(head);
      if (payload.length) sock.write(payload, () => {});
    });
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', (e) => { socketError ??= e.code || e.message; });
    sock.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('utf8');
      const idx = raw.indexOf('\r\n\r\n');
      if (!raw.startsWith('HTTP/') || idx < 0) {
        return res({ status: 0, headers: new Headers(), text: raw, body: null, contentType: '', socketError });
      }
      const [statusLine, ...hl] = raw.slice(0, idx).split('\r\n');
      const h = new Headers();
      for (const l of hl) {
        const c = l.indexOf(':');
        if (c > 0) h.append(l.slice(0, c).trim(), l.slice(c + 1).trim());
      }
      let text = raw.slice(idx + 4);
      if (/chunked/i.test(h.get('transfer-encoding') || '')) {
        let out = '';
        let rest = text;
        for (;;) {
          const nl = rest.indexOf('\r\n');
          if (nl < 0) break;
          const n = parseInt(rest.slice(0, nl), 16);
          if (!n) break;
          out += rest.slice(nl + 2, nl + 2 + n);
          rest = rest.slice(nl + 2 + n + 2);
        }
        text = out;
      }
      const contentType = h.get('content-type') || '';
      let parsed = null;
      if (/application\/json/i.test(contentType) && text.length) {
        try { parsed = JSON.parse(text); } catch { parsed = undefined; }
      }
      res({ status: Number(statusLine.split(' ')[1]), headers: h, text, body: parsed, contentType, socketError });
    });
  });
}
