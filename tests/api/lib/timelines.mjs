// Helpers for the timeline tests (home, public, tag): reading whole timelines,
// bounded polling for eventually consistent state, marker barriers, readable
// labels for statuses, the operator commands (import-graph, token), and a
// brute-force model of the home-timeline rules.
//
//   const items = await homeItems(srv, alice);                 // every page, limit=40
//   await waitHome(srv, alice, (items) => ..., 'what we wait for');
//   await barrier(srv, alice, bob);                            // bob posts a marker, alice sees it
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHIRPD_BIN, show } from './server.mjs';
import { as, page, postOk, htmlText, cmpId } from './social.mjs';

export const HOME = '/api/v1/timelines/home';
export const PUBLIC = '/api/v1/timelines/public';
export const tagPath = (tag, qs = '') => `/api/v1/timelines/tag/${encodeURIComponent(tag)}${qs ? `?${qs}` : ''}`;

// Every timeline test runs without rate limits.
export const NO_LIMITS = ['--rate-limits', 'off'];

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

// Bounded polling. `fn` returns { ok, value, detail }; errors count as "not yet"
// (their message becomes the detail). Fails with `what` and the last detail.
export async function eventually(what, fn, { timeoutMs = 5000, intervalMs = 25 } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
    } catch (e) {
      last = { ok: false, detail: `last attempt threw: ${e?.message ?? e}` };
    }
    if (last.ok) return last.value;
    if (Date.now() >= end) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}\n${last.detail ?? ''}`);
    await delay(intervalMs);
  }
}

// Reads a whole listing by following rel="next" (page() checks the Link header
// of every page: absolute URLs, next and prev on non-empty pages, none on empty).
export async function readAll(srv, user, path, { limit = 40, maxPages = 60 } = {}) {
  const sep = path.includes('?') ? '&' : '?';
  let next = `${path}${sep}limit=${limit}`;
  const out = [];
  for (let i = 0; i < maxPages; i += 1) {
    const p = await page(srv, user, next);
    if (p.items.length === 0) return out;
    out.push(...p.items);
    next = p.link.next;
  }
  assert.fail(`readAll ${path}: more than ${maxPages} pages`);
}

export const homeItems = (srv, user, opts) => readAll(srv, user, HOME, opts);

// One GET; returns the array (asserting 200).
export async function getList(srv, user, path) {
  const res = await as(srv, user, 'GET', path);
  assert.equal(res.status, 200, `GET ${path}: ${show(res)}`);
  assert.ok(Array.isArray(res.body), `GET ${path} returns an array: ${show(res)}`);
  return res.body;
}

// The id of what an entry shows: the original for a reblog, else itself.
export const contentId = (s) => (s.reblog ? s.reblog.id : s.id);

// Checks that a timeline is sorted newest first with no duplicate entries.
export function assertOrdered(items, what) {
  const seen = new Set();
  for (let i = 0; i < items.length; i += 1) {
    assert.ok(!seen.has(items[i].id), `${what}: entry ${items[i].id} listed twice`);
    seen.add(items[i].id);
    if (i > 0) assert.equal(cmpId(items[i - 1].id, items[i].id), 1, `${what}: newest first (${items[i - 1].id} before ${items[i].id})`);
  }
}

// Labels: a status by its text, a reblog as "<reblogger>↻<original text>".
// `names` maps account id → short name.
export function labeler(users) {
  const names = new Map(users.map((u) => [u.id, u.name ?? u.username]));
  const nameOf = (acc) => names.get(acc.id) ?? acc.username;
  const text = (s) => htmlText(s.content).trim();
  const label = (s) => (s.reblog ? `${nameOf(s.account)}↻${text(s.reblog)}` : text(s));
  return { label, labels: (items) => items.map(label), nameOf };
}

// Polls the home timeline (all pages) until `pred(items)` holds.
export async function waitHome(srv, user, pred, what, { timeoutMs = 5000, describe } = {}) {
  return eventually(what, async () => {
    const items = await homeItems(srv, user);
    if (pred(items)) return { ok: true, value: items };
    const d = describe ? describe(items) : items.map((s) => `${s.id}${s.reblog ? `↻${s.reblog.id}` : ''}`).join(' ');
    return { ok: false, detail: `home of ${user.name ?? user.username} now: ${d}` };
  }, { timeoutMs });
}

export const hasIds = (items, wanted) => {
  const got = new Set(items.map((s) => s.id));
  return wanted.every((id) => got.has(id));
};

// Waits until every one of `statuses` (ids or objects) is in `user`'s home.
export function waitInHome(srv, user, statuses, what = 'statuses in home', opts) {
  const want = statuses.map((s) => (typeof s === 'object' ? s.id : s));
  return waitHome(srv, user, (items) => hasIds(items, want), what, opts);
}

// Waits until none of `statuses` is in `user`'s home (and no reblog of them if
// `withReblogs`).
export function waitNotInHome(srv, user, statuses, what = 'statuses gone from home', { withReblogs = false, ...opts } = {}) {
  const gone = new Set(statuses.map((s) => (typeof s === 'object' ? s.id : s)));
  return waitHome(srv, user, (items) => items.every((s) => !gone.has(s.id) && !(withReblogs && s.reblog && gone.has(s.reblog.id))), what, opts);
}

let markerSeq = 0;
// A positive barrier: `poster` (followed by every reader, or a reader itself)
// posts a marker; waits until each reader's home shows it. Returns the marker
// and each reader's home at that moment.
export async function barrier(srv, readers, poster, { text, timeoutMs } = {}) {
  markerSeq += 1;
  const marker = await postOk(srv, poster, { status: text ?? `marker ${markerSeq} ${Date.now()}` });
  const list = Array.isArray(readers) ? readers : [readers];
  const homes = [];
  for (const r of list) {
    homes.push(await waitInHome(srv, r, [marker], `marker by ${poster.name ?? poster.username} in the home of ${r.name ?? r.username}`, { timeoutMs }));
  }
  return { marker, homes: Array.isArray(readers) ? homes : homes[0] };
}

// ---------------------------------------------------------------------------
// Operator commands

export function runChirpd(args, { timeoutMs = 60_000 } = {}) {
  return new Promise((res, rej) => {
    const env = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CHIRP_')) env[k] = v;
    execFile(CHIRPD_BIN, args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return rej(new Error(`chirpd ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      const line = stdout.trim().split('\n').pop();
      try { res(JSON.parse(line)); } catch { rej(new Error(`chirpd ${args.join(' ')} printed no JSON: ${stdout}\n${stderr}`)); }
    });
  });
}

// chirpd admin import-graph → { accounts, follows }
export const importGraph = (dataDir, edgesFile, extra = []) => runChirpd(['admin', 'import-graph', '--data', dataDir, '--edges', edgesFile, ...extra]);

// chirpd admin token → { access_token, account_id }
export const adminToken = (dataDir, username, scopes = 'read write follow push') => runChirpd(['admin', 'token', '--data', dataDir, '--username', username, '--scopes', scopes]);

// Tokens for many accounts, `parallel` processes at a time (each holds a
// worker id of its own, so their token ids never collide).
// → Map(username → { token, id, username, name })
export async function adminTokens(dataDir, usernames, { parallel = 1 } = {}) {
  const out = new Map();
  for (let i = 0; i < usernames.length; i += parallel) {
    const slice = usernames.slice(i, i + parallel);
    const got = await Promise.all(slice.map((u) => adminToken(dataDir, u)));
    got.forEach((g, j) => {
      assert.equal(typeof g.access_token, 'string', `admin token for ${slice[j]}: ${JSON.stringify(g)}`);
      out.set(slice[j], { token: g.access_token, id: String(g.account_id), username: slice[j], name: slice[j] });
    });
  }
  return out;
}

// Starts a server on a data dir loaded with `chirpd admin import-graph` (from
// `edgesFile`, or `edgesText` written to a temp file) and issues admin tokens
// for `tokensFor` (usernames) before the server starts.
// → { srv, imported: {accounts, follows}, tokens: Map(username → user) }
export async function graphServer(start, t, { edgesFile, edgesText, tokensFor = [], args = [] }) {
  let file = edgesFile;
  if (!file) {
    const dir = await mkdtemp(join(tmpdir(), 'chirp-edges-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    file = join(dir, 'edges.txt');
    await writeFile(file, edgesText);
  }
  let imported;
  let tokens;
  const srv = await start({
    args: [...NO_LIMITS, ...args],
    prepare: async (dataDir) => {
      imported = await importGraph(dataDir, file);
      tokens = await adminTokens(dataDir, tokensFor);
    },
  });
  return { srv, imported, tokens };
}

// Parses a file of "a b" lines into undirected adjacency: Map(node → Set(node)).
export function parseEdges(text) {
  const adj = new Map();
  const add = (a, b) => {
    if (!adj.has(a)) adj.set(a, new Set());
    adj.get(a).add(b);
  };
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)/.exec(line);
    if (!m) continue;
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (a === b) continue;
    add(a, b);
    add(b, a);
  }
  return adj;
}

// ---------------------------------------------------------------------------
// A brute-force model of the home timeline (follows fixed before any post).
//
// Entries are added in posting order: { key, author, visibility, replyToAuthor,
// mentions: Set, reblogOf: key|null, deleted }. Rules (contract + Mastodon's
// FeedManager): the reader's own entries and those of followed accounts; a
// reply to another account only if the reader follows that account, is it, or
// is mentioned; direct only to the author and the mentioned; a reblog not if
// the follow hides reblogs, not of the reader's own status, and not when the
// original or another reblog of it is already among the newest `window`
// entries; nothing of muted or blocked accounts; nothing deleted.
export class HomeModel {
  constructor({ window = 40 } = {}) {
    this.window = window;
    this.follows = new Map(); // reader → Map(target → { reblogs })
    this.hidden = new Map(); // reader → Set(accounts muted or blocked)
    this.entries = [];
    this.byKey = new Map();
    this.byId = new Map();
  }

  follow(a, b, { reblogs = true } = {}) {
    if (!this.follows.has(a)) this.follows.set(a, new Map());
    this.follows.get(a).set(b, { reblogs });
  }

  following(a, b) { return this.follows.get(a)?.has(b) ?? false; }

  hide(reader, account) {
    if (!this.hidden.has(reader)) this.hidden.set(reader, new Set());
    this.hidden.get(reader).add(account);
  }

  add(e) {
    const entry = { mentions: new Set(), replyToAuthor: null, reblogOf: null, deleted: false, visibility: 'public', ...e };
    entry.seq = this.entries.length;
    this.entries.push(entry);
    this.byKey.set(entry.key, entry);
    if (entry.id) this.byId.set(entry.id, entry);
    return entry;
  }

  setId(key, id) {
    const e = this.byKey.get(key);
    e.id = id;
    this.byId.set(id, e);
  }

  // Why `reader` does not get `e` given the feed so far (oldest first), or null.
  reject(reader, e, feed) {
    if (e.deleted) return 'deleted';
    const orig = e.reblogOf !== null ? this.byKey.get(e.reblogOf) : null;
    if (orig?.deleted) return 'original deleted';
    const hidden = this.hidden.get(reader);
    if (hidden?.has(e.author)) return 'author muted/blocked';
    if (orig && hidden?.has(orig.author)) return 'reblogged author muted/blocked';
    const own = e.author === reader;
    if (!own && !this.following(reader, e.author)) return 'author not followed';
    if (e.visibility === 'direct' && !own && !e.mentions.has(reader)) return 'direct, not mentioned';
    if (e.replyToAuthor !== null && e.replyToAuthor !== e.author && !own
      && e.replyToAuthor !== reader && !this.following(reader, e.replyToAuthor) && !e.mentions.has(reader)) {
      return 'reply to an account the reader does not follow';
    }
    if (orig) {
      if (!own && !this.follows.get(reader).get(e.author).reblogs) return 'follow hides reblogs';
      if (orig.author === reader) return 'reblog of the reader\'s own status';
      const top = feed.slice(-this.window);
      if (top.some((x) => x.key === orig.key || x.reblogOf === orig.key)) return 'original or another reblog already in the newest entries';
    }
    return null;
  }

  // The expected home timeline, newest first (entries).
  home(reader) {
    const feed = [];
    for (const e of this.entries) if (this.reject(reader, e, feed) === null) feed.push(e);
    return feed.reverse();
  }

  // Why each entry is in or out of `reader`'s timeline: Map(key → reason|null).
  reasons(reader) {
    const feed = [];
    const out = new Map();
    for (const e of this.entries) {
      const r = this.reject(reader, e, feed);
      out.set(e.key, r);
      if (r === null) feed.push(e);
    }
    return out;
  }

  describe(e) {
    if (!e) return '?';
    let s = `${e.key} (${e.author}, ${e.visibility}`;
    if (e.replyToAuthor !== null) s += `, reply to ${e.replyToAuthor}`;
    if (e.mentions.size) s += `, mentions ${[...e.mentions].join('+')}`;
    if (e.reblogOf !== null) s += `, reblog of ${e.reblogOf} by ${this.byKey.get(e.reblogOf).author}`;
    return `${s})`;
  }

  // A readable diff between the expected keys and the server's ids (both newest first).
  diff(reader, expected, actualIds) {
    const reasons = this.reasons(reader);
    const exp = expected.map((e) => e.key);
    const act = actualIds.map((id) => this.byId.get(id)?.key ?? `unknown:${id}`);
    const expSet = new Set(exp);
    const actSet = new Set(act);
    const lines = [];
    for (const k of exp) if (!actSet.has(k)) lines.push(`  missing ${this.describe(this.byKey.get(k))}`);
    for (const k of act) {
      if (!expSet.has(k)) {
        const e = this.byKey.get(k);
        lines.push(`  unexpected ${e ? `${this.describe(e)}: model excludes it: ${reasons.get(k)}` : k}`);
      }
    }
    if (!lines.length) lines.push('  same entries, different order');
    return `${lines.join('\n')}\n  expected: ${exp.join(' ')}\n  actual:   ${act.join(' ')}`;
  }
}
