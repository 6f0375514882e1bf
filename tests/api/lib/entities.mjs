// Shape checks for Mastodon entities (reference §1.8).
import assert from 'node:assert/strict';

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

export function assertIsoDatetime(v, what) {
  assert.equal(typeof v, 'string', `${what} is a string`);
  assert.match(v, ISO_DATETIME, `${what} is an ISO 8601 datetime: ${v}`);
  assert.ok(!Number.isNaN(Date.parse(v)), `${what} parses: ${v}`);
}

export function assertAbsoluteUrl(v, what) {
  assert.equal(typeof v, 'string', `${what} is a string`);
  let u;
  try { u = new URL(v); } catch { assert.fail(`${what} is an absolute URL: ${v}`); }
  assert.ok(['http:', 'https:'].includes(u.protocol), `${what} is http(s): ${v}`);
}

// Account: every required key present with the right type; nullable keys present.
export function assertAccount(a, { username } = {}) {
  const ctx = JSON.stringify(a).slice(0, 800);
  assert.equal(typeof a, 'object', ctx);
  for (const k of ['id', 'username', 'acct', 'display_name', 'note']) {
    assert.equal(typeof a[k], 'string', `Account.${k} is a string: ${ctx}`);
  }
  assert.match(a.id, /^\d+$/, 'Account.id is a numeric string');
  for (const k of ['url', 'uri', 'avatar', 'avatar_static', 'header', 'header_static']) {
    assertAbsoluteUrl(a[k], `Account.${k}`);
  }
  for (const k of ['locked', 'bot', 'group']) {
    assert.equal(typeof a[k], 'boolean', `Account.${k} is a boolean: ${ctx}`);
  }
  for (const k of ['fields', 'emojis']) {
    assert.ok(Array.isArray(a[k]), `Account.${k} is an array: ${ctx}`);
  }
  for (const f of a.fields) {
    assert.equal(typeof f.name, 'string');
    assert.equal(typeof f.value, 'string');
    assert.ok('verified_at' in f, 'field has verified_at');
  }
  assertIsoDatetime(a.created_at, 'Account.created_at');
  for (const k of ['statuses_count', 'followers_count', 'following_count']) {
    assert.ok(Number.isInteger(a[k]) && a[k] >= 0, `Account.${k} is a non-negative integer: ${ctx}`);
  }
  for (const k of ['discoverable', 'last_status_at', 'hide_collections', 'roles']) {
    assert.ok(k in a, `Account.${k} is present (nullable): ${ctx}`);
  }
  if (a.discoverable !== null) assert.equal(typeof a.discoverable, 'boolean');
  if (a.last_status_at !== null) assert.match(a.last_status_at, /^\d{4}-\d{2}-\d{2}/);
  if (a.roles !== null) assert.ok(Array.isArray(a.roles));
  if (username !== undefined) {
    assert.equal(a.username, username);
    assert.equal(a.acct, username, 'a local account\'s acct is its username');
  }
}

export function assertCredentialAccount(a, opts) {
  assertAccount(a, opts);
  const ctx = JSON.stringify(a).slice(0, 1200);
  assert.equal(typeof a.source, 'object', `CredentialAccount.source: ${ctx}`);
  assert.ok(a.source !== null, 'source is not null');
  assert.ok(['public', 'unlisted', 'private', 'direct'].includes(a.source.privacy), `source.privacy: ${ctx}`);
  assert.equal(typeof a.source.sensitive, 'boolean', `source.sensitive: ${ctx}`);
  assert.ok('language' in a.source, `source.language present: ${ctx}`);
  assert.equal(typeof a.source.note, 'string', `source.note: ${ctx}`);
  assert.ok(Array.isArray(a.source.fields), `source.fields: ${ctx}`);
  assert.ok(Number.isInteger(a.source.follow_requests_count), `source.follow_requests_count: ${ctx}`);
  assert.equal(typeof a.role, 'object', `CredentialAccount.role: ${ctx}`);
  assert.ok(a.role !== null, 'role is not null');
  assert.ok('name' in a.role && 'id' in a.role && 'permissions' in a.role, `role has id, name, permissions: ${ctx}`);
}

export function assertJsonError(res, status, error) {
  const ctx = `HTTP ${res.status} ${res.contentType}\n${res.text.slice(0, 1500)}`;
  assert.equal(res.status, status, ctx);
  assert.match(res.contentType, /^application\/json/, ctx);
  assert.equal(typeof res.body?.error, 'string', ctx);
  assert.ok(res.body.error.length > 0, ctx);
  if (error !== undefined) assert.equal(res.body.error, error, ctx);
}

// The error codes of a registration 422's details, per field.
export function detailCodes(body) {
  const out = {};
  for (const [k, list] of Object.entries(body?.details ?? {})) out[k] = list.map((e) => e.error);
  return out;
}
