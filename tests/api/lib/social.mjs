// Helpers for the statuses / social-graph tests: users, statuses, Link-header
// pagination, entity shape checks for Status and Relationship, a seeded PRNG.
//
//   const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
//   const s = await postOk(srv, alice, { status: 'hi' });
import assert from 'node:assert/strict';
import { api, show, registerApp, createUserToken, uniq } from './server.mjs';
import { assertAccount, assertIsoDatetime, assertAbsoluteUrl } from './entities.mjs';

// Every social test runs without rate limits unless it is about limits.
export const NO_LIMITS = ['--rate-limits', 'off'];

// Starts a server (through withLogs' `start`) and signs up users.
// `users` is a count or a list of name prefixes. Each user is
// { token, username, id, account, name }.
export async function socialServer(start, { users = 0, args = [], env } = {}) {
  const srv = await start({ args: [...NO_LIMITS, ...args], env });
  const names = typeof users === 'number' ? Array.from({ length: users }, (_, i) => `u${i}`) : users;
  const list = await signUpMany(srv, names);
  return { srv, users: list };
}

// Signs up users with one shared app, a few at a time.
export async function signUpMany(srv, names, { batch = 8 } = {}) {
  const app = await registerApp(srv);
  const out = new Array(names.length);
  for (let i = 0; i < names.length; i += batch) {
    const slice = names.slice(i, i + batch);
    const made = await Promise.all(slice.map((n) => createUserToken(srv, { app, username: uniq(n.replace(/[^a-z0-9_]/gi, '')) })));
    made.forEach((u, j) => {
      out[i + j] = { ...u, id: u.account.id, name: slice[j] };
    });
  }
  return out;
}

function tok(user) {
  if (user === null || user === undefined) return undefined;
  return typeof user === 'string' ? user : user.token;
}

// api() with a user (or null for anonymous) instead of a token.
export function as(srv, user, method, path, opts = {}) {
  return api(srv, method, path, { ...opts, token: tok(user) });
}

// POST /api/v1/statuses as JSON. `headers` e.g. { 'Idempotency-Key': 'k' }.
export function post(srv, user, json, { headers } = {}) {
  return api(srv, 'POST', '/api/v1/statuses', { token: tok(user), json, headers });
}

// Posts and asserts 200; returns the Status.
export async function postOk(srv, user, json, opts) {
  const body = typeof json === 'string' ? { status: json } : json;
  const res = await post(srv, user, body, opts);
  assert.equal(res.status, 200, `POST /api/v1/statuses ${JSON.stringify(body).slice(0, 300)}\n${show(res)}`);
  return res.body;
}

// Calls and asserts the HTTP status; returns the parsed body.
export async function expectStatus(srv, user, method, path, status, opts = {}) {
  const res = await as(srv, user, method, path, opts);
  assert.equal(res.status, status, `${method} ${path} as ${user?.name ?? user?.username ?? 'anonymous'}: expected ${status}\n${show(res)}`);
  return res.body;
}

export const ok = (srv, user, method, path, opts) => expectStatus(srv, user, method, path, 200, opts);

export async function account(srv, id, user = null) {
  return ok(srv, user, 'GET', `/api/v1/accounts/${id}`);
}

export async function counts(srv, id) {
  const a = await account(srv, id);
  return { statuses: a.statuses_count, followers: a.followers_count, following: a.following_count };
}

export const follow = (srv, user, target, json) => as(srv, user, 'POST', `/api/v1/accounts/${idOf(target)}/follow`, json ? { json } : {});
export const unfollow = (srv, user, target) => as(srv, user, 'POST', `/api/v1/accounts/${idOf(target)}/unfollow`);
export const block = (srv, user, target) => as(srv, user, 'POST', `/api/v1/accounts/${idOf(target)}/block`);
export const unblock = (srv, user, target) => as(srv, user, 'POST', `/api/v1/accounts/${idOf(target)}/unblock`);
export const statusAction = (srv, user, id, action) => as(srv, user, 'POST', `/api/v1/statuses/${idOf(id)}/${action}`);

export async function followOk(srv, user, target, json) {
  const res = await follow(srv, user, target, json);
  assert.equal(res.status, 200, `follow ${idOf(target)}: ${show(res)}`);
  return res.body;
}

export function idOf(x) {
  return typeof x === 'object' && x !== null ? x.id : String(x);
}

// Compares numeric-string ids (snowflakes) without losing precision.
export function cmpId(a, b) {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
export const newestFirst = (ids) => [...ids].sort((a, b) => cmpId(b, a));

// ---------------------------------------------------------------------------
// Link headers

// Parses a Link header the way masto.js does (regex), and checks that
// megalodon's stricter split (exactly two ';' sections per part) works too.
// Returns { next, prev } (absolute URL strings or undefined).
export function parseLink(value, base) {
  const out = {};
  if (!value) return out;
  const re = /<([^>]+)>;\s*rel="([^"]+)"/g;
  let m;
  while ((m = re.exec(value))) out[m[2]] = m[1];
  for (const part of value.split(',')) {
    const sections = part.split(';');
    assert.equal(sections.length, 2, `megalodon splits each Link part into exactly 2 sections: ${value}`);
    assert.match(sections[1].trim(), /^rel="(next|prev)"$/, `Link rel is quoted next/prev: ${value}`);
  }
  for (const [rel, url] of Object.entries(out)) {
    let u;
    try { u = new URL(url); } catch { assert.fail(`Link ${rel} URL is absolute: ${value}`); }
    if (base) {
      const b = new URL(base);
      assert.equal(`${u.protocol}//${u.host}`, `${b.protocol}//${b.host}`, `Link ${rel} points at the server: ${value}`);
    }
  }
  return out;
}

// Fetches a listing and returns { items, link: {next, prev}, res }.
export async function page(srv, user, pathOrUrl) {
  const path = pathOrUrl.startsWith('http') ? new URL(pathOrUrl).pathname + new URL(pathOrUrl).search : pathOrUrl;
  const res = await as(srv, user, 'GET', path);
  assert.equal(res.status, 200, `GET ${path}: ${show(res)}`);
  assert.ok(Array.isArray(res.body), `GET ${path} returns an array: ${show(res)}`);
  const raw = res.headers.get('link');
  const link = parseLink(raw, srv.url);
  if (res.body.length === 0) {
    assert.equal(raw, null, `GET ${path}: no Link header on an empty page, got ${raw}`);
  } else {
    assert.ok(link.next && link.prev, `GET ${path}: a non-empty page has rel="next" and rel="prev": ${raw}`);
  }
  return { items: res.body, link, res, path };
}

// Walks a listing by its rel="next" links until an empty page.
// Returns { items, pages } (pages = array of item arrays, without the final empty one).
export async function walk(srv, user, path, { direction = 'next', maxPages = 200 } = {}) {
  const pages = [];
  let next = path;
  for (let i = 0; i < maxPages; i += 1) {
    const p = await page(srv, user, next);
    if (p.items.length === 0) return { items: pages.flat(), pages };
    pages.push(p.items);
    next = p.link[direction];
  }
  assert.fail(`walk ${path}: more than ${maxPages} pages`);
}

// Reads a whole listing with the largest page size, following Link next.
export async function all(srv, user, path, limit) {
  const sep = path.includes('?') ? '&' : '?';
  return (await walk(srv, user, `${path}${sep}limit=${limit}`)).items;
}

export const ids = (list) => list.map((x) => x.id);

// ---------------------------------------------------------------------------
// Entity shape checks

const VISIBILITIES = ['public', 'unlisted', 'private', 'direct'];
const VIEWER_KEYS = ['favourited', 'reblogged', 'muted', 'bookmarked'];

// Status: every required key present with the right type, nullable keys present
// (reference §1.8). `authed`: whether the viewer was authenticated.
// `source`: the delete/source rendering (text instead of content).
export function assertStatus(s, { authed, source = false } = {}) {
  const ctx = JSON.stringify(s).slice(0, 1500);
  assert.equal(typeof s, 'object', ctx);
  assert.ok(s !== null, 'status is not null');
  assert.equal(typeof s.id, 'string', `Status.id is a string: ${ctx}`);
  assert.match(s.id, /^\d+$/, `Status.id is a numeric string: ${ctx}`);
  assertAbsoluteUrl(s.uri, 'Status.uri');
  assertIsoDatetime(s.created_at, 'Status.created_at');
  assertAccount(s.account);
  if (source) {
    assert.equal(typeof s.text, 'string', `Status.text (source) is a string: ${ctx}`);
  } else {
    assert.equal(typeof s.content, 'string', `Status.content is a string: ${ctx}`);
  }
  assert.ok(VISIBILITIES.includes(s.visibility), `Status.visibility: ${ctx}`);
  assert.equal(typeof s.sensitive, 'boolean', `Status.sensitive: ${ctx}`);
  assert.equal(typeof s.spoiler_text, 'string', `Status.spoiler_text is a string, never null: ${ctx}`);
  for (const k of ['media_attachments', 'mentions', 'tags', 'emojis']) {
    assert.ok(Array.isArray(s[k]), `Status.${k} is an array: ${ctx}`);
  }
  for (const m of s.mentions) {
    for (const k of ['id', 'username', 'url', 'acct']) assert.equal(typeof m[k], 'string', `mention.${k}: ${ctx}`);
  }
  for (const t of s.tags) {
    for (const k of ['name', 'url']) assert.equal(typeof t[k], 'string', `tag.${k}: ${ctx}`);
  }
  for (const k of ['reblogs_count', 'favourites_count', 'replies_count']) {
    assert.ok(Number.isInteger(s[k]) && s[k] >= 0, `Status.${k} is a non-negative integer: ${ctx}`);
  }
  for (const k of ['url', 'in_reply_to_id', 'in_reply_to_account_id', 'reblog', 'poll', 'card', 'language', 'edited_at']) {
    assert.ok(k in s, `Status.${k} is present (nullable): ${ctx}`);
  }
  if (s.url !== null) assertAbsoluteUrl(s.url, 'Status.url');
  for (const k of ['in_reply_to_id', 'in_reply_to_account_id']) {
    if (s[k] !== null) assert.match(s[k], /^\d+$/, `Status.${k} is a numeric string or null: ${ctx}`);
  }
  if (s.language !== null) assert.equal(typeof s.language, 'string');
  if (authed !== undefined) {
    for (const k of VIEWER_KEYS) {
      if (authed) assert.equal(typeof s[k], 'boolean', `authenticated Status.${k} is a boolean: ${ctx}`);
      else assert.ok(!(k in s), `anonymous Status has no ${k}: ${ctx}`);
    }
  }
  if (s.reblog !== null) assertStatus(s.reblog, { authed });
}

export const RELATIONSHIP_BOOLEANS = [
  'following', 'showing_reblogs', 'notifying', 'followed_by', 'blocking', 'blocked_by', 'muting',
  'muting_notifications', 'requested', 'requested_by', 'domain_blocking', 'endorsed',
];

// Relationship: every key (reference §1.8 and the contract).
export function assertRelationship(r, id) {
  const ctx = JSON.stringify(r);
  assert.equal(typeof r, 'object', ctx);
  assert.equal(typeof r.id, 'string', `Relationship.id: ${ctx}`);
  if (id !== undefined) assert.equal(r.id, String(id), `Relationship.id is the target: ${ctx}`);
  for (const k of RELATIONSHIP_BOOLEANS) assert.equal(typeof r[k], 'boolean', `Relationship.${k} is a boolean: ${ctx}`);
  assert.equal(typeof r.note, 'string', `Relationship.note is a string: ${ctx}`);
  assert.ok('languages' in r, `Relationship.languages is present: ${ctx}`);
  assert.ok(r.languages === null || Array.isArray(r.languages), `Relationship.languages is null or an array: ${ctx}`);
  assert.ok('muting_expires_at' in r, `Relationship.muting_expires_at is present: ${ctx}`);
  if (r.muting_expires_at !== null) assertIsoDatetime(r.muting_expires_at, 'Relationship.muting_expires_at');
}

// Picks the subset of relationship flags a test cares about.
export function flags(r, keys = ['following', 'followed_by', 'requested', 'requested_by', 'blocking', 'blocked_by', 'muting']) {
  return Object.fromEntries(keys.map((k) => [k, r[k]]));
}

// ---------------------------------------------------------------------------
// HTML

export function decodeEntities(s) {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, '\u00a0')
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&amp;/g, '&');
}

// The visible text of rendered content (tags removed, entities decoded).
export function htmlText(html) {
  return decodeEntities(html.replace(/<br\s*\/?>/gi, '\n').replace(/<\/p>\s*<p>/gi, '\n\n').replace(/<[^>]*>/g, ''));
}

// Every tag name used in an HTML fragment, lower-cased.
export function tagNames(html) {
  return [...html.matchAll(/<\/?\s*([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1].toLowerCase());
}

// <a> elements: [{ attrs: {href, class, ...}, text, html }].
export function anchors(html) {
  return [...html.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a>/gi)].map((m) => {
    const attrs = {};
    for (const a of m[1].matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      attrs[a[1].toLowerCase()] = decodeEntities(a[2] ?? a[3] ?? '');
    }
    return { attrs, text: htmlText(m[2]), html: m[0] };
  });
}

export function classes(a) {
  return (a.attrs.class || '').split(/\s+/).filter(Boolean);
}

// ---------------------------------------------------------------------------
// Seeded PRNG (mulberry32)

export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
    // weighted choice over [[value, weight], ...]
    weighted(entries) {
      const total = entries.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [v, w] of entries) {
        r -= w;
        if (r < 0) return v;
      }
      return entries[entries.length - 1][0];
    },
  };
}

// A token for `user` with exactly `scope`, through the password grant
// (the server must run with --password-grant on).
export async function scopedToken(srv, user, scope) {
  const res = await api(srv, 'POST', '/oauth/token', {
    json: {
      grant_type: 'password', client_id: user.app.client_id, client_secret: user.app.client_secret,
      username: user.email, password: user.password, scope,
    },
  });
  assert.equal(res.status, 200, `password grant for scope "${scope}": ${show(res)}`);
  return res.body.access_token;
}

export { show };
