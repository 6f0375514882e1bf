// Search (GET /api/v2/search, /api/v1/accounts/search, /api/v1/tags/:name):
// who finds what for every kind of reader and visibility, the query
// language, ordering, bad input, and the client libraries (masto's
// v2.search.list, megalodon's search).
//
// The index follows the event stream, a few milliseconds behind a write.
// settle() waits for it: it posts a marker and waits until its author finds
// it, and events are indexed in commit order, so everything before the
// marker is indexed too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRestAPIClient } from 'masto';
import megalodonPkg from 'megalodon';
import { withLogs, show, pollUntil, uniq, rawRequest } from './lib/server.mjs';
import { socialServer, signUpMany, postOk, ok, as, followOk, block } from './lib/social.mjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertAccount } from './lib/entities.mjs';

const generator = megalodonPkg.default ?? megalodonPkg;

function query(params) {
  return new URLSearchParams(params).toString();
}

async function search(srv, user, params) {
  const res = await as(srv, user, 'GET', `/api/v2/search?${query(params)}`);
  assert.equal(res.status, 200, `search ${JSON.stringify(params)}: ${show(res)}`);
  return res.body;
}

async function statusIds(srv, user, q, extra = {}) {
  const body = await search(srv, user, { q, type: 'statuses', ...extra });
  return body.statuses.map((s) => s.id);
}

async function settle(srv, user) {
  const marker = uniq('settle');
  const s = await postOk(srv, user, { status: marker, visibility: 'direct' });
  await pollUntil(async () => (await statusIds(srv, user, marker)).includes(s.id), { what: 'the index to catch up' });
}

test('who finds what: author, mentioned, favouriter, follower, stranger, blocked, muted, anonymous', withLogs(async (t, start) => {
  const { srv, users: [author, mentioned, favouriter, follower, stranger, blocked, muter] } = await socialServer(start, {
    users: ['author', 'mentioned', 'fav', 'follower', 'stranger', 'blocked', 'muter'],
  });
  await followOk(srv, follower, author);
  const word = uniq('w');
  const posted = {};
  for (const visibility of ['public', 'unlisted', 'private', 'direct']) {
    posted[visibility] = await postOk(srv, author, { status: `${word} @${mentioned.username} ${visibility}`, visibility });
  }
  // A stranger favourites nothing they cannot see; the favouriter is a
  // follower too, so the followers-only status is theirs to favourite.
  await followOk(srv, favouriter, author);
  for (const visibility of ['public', 'unlisted', 'private']) {
    await ok(srv, favouriter, 'POST', `/api/v1/statuses/${posted[visibility].id}/favourite`);
  }
  await settle(srv, author);
  const all = ['direct', 'private', 'unlisted', 'public'].map((v) => posted[v].id);
  const expect = async (user, visibilities, what) => {
    const want = visibilities.map((v) => posted[v].id).sort().reverse();
    assert.deepEqual((await statusIds(srv, user, word)).sort().reverse(), want, what);
  };
  assert.deepEqual(await statusIds(srv, author, word), all, 'the author finds all, newest first');
  await expect(mentioned, ['public', 'unlisted', 'private', 'direct'], 'mentioned: in their library');
  await expect(favouriter, ['public', 'unlisted', 'private'], 'favouriter: in their library');
  await expect(follower, ['public'], 'a follower finds the public status only (the rest is not in their library)');
  await expect(stranger, ['public'], 'a stranger finds the public status of an indexable author');
  const anonymous = await search(srv, null, { q: word });
  assert.deepEqual(anonymous.statuses, [], 'anonymous readers get no statuses');

  assert.equal((await block(srv, author, blocked)).status, 200);
  await expect(blocked, [], 'blocked by the author: nothing');
  assert.equal((await as(srv, muter, 'POST', `/api/v1/accounts/${author.id}/mute`)).status, 200);
  await expect(muter, [], 'muting the author: nothing');

  // Unfavouriting takes the status out of the favouriter's library.
  await ok(srv, favouriter, 'POST', `/api/v1/statuses/${posted.private.id}/unfavourite`);
  await settle(srv, author);
  await expect(favouriter, ['public', 'unlisted'], 'unfavourited: out of the library');
}));

test('a deleted status is gone from results at once; indexable off hides public statuses from strangers', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const word = uniq('gone');
  const kept = await postOk(srv, alice, `${word} kept`);
  const doomed = await postOk(srv, alice, `${word} doomed`);
  await settle(srv, alice);
  assert.deepEqual(await statusIds(srv, bob, word), [doomed.id, kept.id]);
  await ok(srv, alice, 'DELETE', `/api/v1/statuses/${doomed.id}`);
  assert.deepEqual(await statusIds(srv, bob, word), [kept.id], 'gone before the index hears of it');

  const off = await as(srv, alice, 'PATCH', '/api/v1/accounts/update_credentials', { json: { indexable: false } });
  assert.equal(off.status, 200, show(off));
  assert.equal(off.body.source.indexable, false);
  await settle(srv, alice);
  assert.deepEqual(await statusIds(srv, bob, word), [], 'not indexable: strangers find nothing');
  assert.deepEqual(await statusIds(srv, alice, word), [kept.id], 'the author still does');
  await ok(srv, bob, 'POST', `/api/v1/statuses/${kept.id}/reblog`);
  await settle(srv, alice);
  assert.deepEqual(await statusIds(srv, bob, word), [kept.id], 'a reblog puts it in the reblogger\'s library');
}));

test('the query language: words, phrases, exclusions, tags and operators', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const w = uniq('q');
  const a = await postOk(srv, alice, { status: `${w} the quick brown fox #Foxes`, language: 'en' });
  const b = await postOk(srv, bob, { status: `${w} brown quick https://example.com/page`, language: 'en' });
  const c = await postOk(srv, bob, { status: `${w} réponse en français`, language: 'fr', in_reply_to_id: a.id });
  const d = await postOk(srv, alice, { status: `${w} secret`, sensitive: true, spoiler_text: 'spoiled' });
  await settle(srv, alice);
  const ids = (q, extra) => statusIds(srv, alice, q, extra);
  assert.deepEqual(await ids(w), [d.id, c.id, b.id, a.id]);
  assert.deepEqual(await ids(`${w} "quick brown"`), [a.id], 'phrase');
  assert.deepEqual(await ids(`${w} quick -fox`), [b.id], 'excluded word');
  assert.deepEqual(await ids(`${w} -"quick brown"`), [d.id, c.id, b.id], 'excluded phrase');
  assert.deepEqual(await ids(`${w} #foxes`), [a.id], 'hashtag, any case');
  assert.deepEqual(await ids(`${w} -#foxes`), [d.id, c.id, b.id], 'excluded hashtag');
  assert.deepEqual(await ids(`${w} from:${bob.username}`), [c.id, b.id], 'from:user');
  assert.deepEqual(await ids(`${w} from:me`), [d.id, a.id], 'from:me');
  assert.deepEqual(await ids(`${w} -from:me`), [c.id, b.id], '-from:');
  assert.deepEqual(await ids(`${w} has:link`), [b.id], 'has:link');
  assert.deepEqual(await ids(`${w} is:reply`), [c.id], 'is:reply');
  assert.deepEqual(await ids(`${w} is:sensitive`), [d.id], 'is:sensitive');
  assert.deepEqual(await ids(`${w} -is:reply -is:sensitive`), [b.id, a.id], 'excluded is:');
  assert.deepEqual(await ids(`${w} language:fr`), [c.id], 'language:');
  assert.deepEqual(await ids(`${w} reponse FRANCAIS`), [c.id], 'case and diacritics do not matter');
  assert.deepEqual(await ids(`${w} spoiled`), [d.id], 'spoiler text is searched');
  const today = new Date().toISOString().slice(0, 10);
  assert.deepEqual(await ids(`${w} during:${today}`), [d.id, c.id, b.id, a.id], 'during: today');
  assert.deepEqual(await ids(`${w} before:${today}`), [], 'before: today');
  assert.deepEqual(await ids(`${w} after:2020-01-01`), [d.id, c.id, b.id, a.id], 'after:');
  assert.deepEqual(await ids(`${w} in:library`), [d.id, a.id], 'in:library: alice\'s own');
  assert.deepEqual(await ids(`${w} in:public from:${bob.username}`), [c.id, b.id], 'in:public');
  assert.deepEqual(await ids(w, { account_id: bob.id }), [c.id, b.id], 'account_id');
  assert.deepEqual(await ids(w, { max_id: c.id }), [b.id, a.id], 'max_id');
  assert.deepEqual(await ids(w, { min_id: b.id }), [d.id, c.id], 'min_id');
  assert.deepEqual(await ids(w, { limit: 2 }), [d.id, c.id], 'limit');
  assert.deepEqual(await ids(w, { limit: 2, offset: 2 }), [b.id, a.id], 'offset with type');
}));

test('CJK text is found by any substring', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const s = await postOk(srv, alice, '今日は東京タワーに行きました');
  await settle(srv, alice);
  for (const q of ['東京タワー', 'タワー', '東京', '京']) {
    assert.ok((await statusIds(srv, alice, q)).includes(s.id), `${q} finds it`);
  }
}));

test('accounts: exact username first, then prefixes, followed first; following=true; anonymous readers too', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['reader', 'zz', 'zz', 'zz'] });
  const [reader, zz, zzb, zzc] = users;
  const named = await as(srv, zzc, 'PATCH', '/api/v1/accounts/update_credentials', { json: { display_name: 'Quentin Zazou' } });
  assert.equal(named.status, 200, show(named));
  await followOk(srv, reader, zzc);
  await settle(srv, reader);
  const exact = await search(srv, reader, { q: zz.username, type: 'accounts' });
  assert.equal(exact.accounts[0].id, zz.id, `exact username first: ${JSON.stringify(exact.accounts.map((a) => a.username))}`);
  for (const a of exact.accounts) assertAccount(a);
  const byName = await search(srv, reader, { q: 'quent', type: 'accounts' });
  assert.deepEqual(byName.accounts.map((a) => a.id), [zzc.id], 'display-name word prefix');
  // What the three zz accounts' names share (uniq: prefix, then this process's id).
  const prefix = `zz${process.pid.toString(36)}`;
  const v1 = await ok(srv, reader, 'GET', `/api/v1/accounts/search?${query({ q: prefix })}`);
  assert.ok(v1.length >= 3, JSON.stringify(v1.map((a) => a.username)));
  assert.equal(v1[0].id, zzc.id, 'the followed account first');
  const following = await ok(srv, reader, 'GET', `/api/v1/accounts/search?${query({ q: prefix, following: 'true' })}`);
  assert.deepEqual(following.map((a) => a.id), [zzc.id], 'following=true');
  const anonymous = await search(srv, null, { q: zzb.username });
  assert.equal(anonymous.accounts[0]?.id, zzb.id, 'anonymous readers find accounts');
  const handle = await search(srv, reader, { q: `@${zzb.username}@${new URL(srv.url).host}`, type: 'accounts' });
  assert.equal(handle.accounts[0]?.id, zzb.id, 'a full local handle');
  const elsewhere = await search(srv, reader, { q: `@${zzb.username}@elsewhere.example`, type: 'accounts' });
  assert.deepEqual(elsewhere.accounts, [], 'another domain: nobody here');
}));

test('hashtags: the exact tag first, then prefixes; /api/v1/tags/:name with history', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const tag = uniq('tag').toLowerCase();
  await postOk(srv, alice, `#${tag}longer first`);
  await postOk(srv, alice, `#${tag} exact`);
  await postOk(srv, bob, `#${tag} again`);
  await settle(srv, alice);
  const found = await search(srv, alice, { q: `#${tag}`, type: 'hashtags' });
  assert.deepEqual(found.hashtags.map((h) => h.name), [tag, `${tag}longer`]);
  const h = found.hashtags[0];
  assert.equal(h.url, `${srv.url}/tags/${tag}`);
  assert.equal(h.history.length, 7);
  for (const day of h.history) {
    for (const k of ['day', 'uses', 'accounts']) assert.equal(typeof day[k], 'string', `${k} is a string`);
  }
  assert.equal(h.history[0].uses, '2');
  assert.equal(h.history[0].accounts, '2');
  assert.equal(h.following, false);
  const shown = await ok(srv, null, 'GET', `/api/v1/tags/${tag.toUpperCase()}`);
  assert.equal(shown.name, tag);
  assert.equal(shown.history[0].uses, '2');
  assert.ok(!('following' in shown), 'no following for anonymous readers');
  assert.equal((await as(srv, null, 'GET', '/api/v1/tags/!!')).status, 404, 'no tag characters');
}));

test('resolve finds local status and profile URLs; anonymous resolve and offset are 401', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const s = await postOk(srv, alice, 'resolvable status');
  const byUrl = await search(srv, bob, { q: s.url, resolve: 'true' });
  assert.deepEqual(byUrl.statuses.map((x) => x.id), [s.id]);
  const profile = await search(srv, bob, { q: `${srv.url}/@${alice.username}`, resolve: 'true' });
  assert.deepEqual(profile.accounts.map((x) => x.id), [alice.id]);
  const hidden = await postOk(srv, alice, { status: 'hidden', visibility: 'private' });
  const notVisible = await search(srv, bob, { q: hidden.url, resolve: 'true' });
  assert.deepEqual(notVisible.statuses, [], 'resolve respects visibility');
  for (const params of [{ q: 'x', resolve: 'true' }, { q: 'x', type: 'accounts', offset: '1' }]) {
    const res = await as(srv, null, 'GET', `/api/v2/search?${query(params)}`);
    assert.equal(res.status, 401, show(res));
    assert.equal(typeof res.body.error, 'string');
  }
}));

test('bad input: a clear 4xx or a literal search, never a 500', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  await postOk(srv, alice, 'a NEAR b and c* d^e f:g "quoted"');
  await settle(srv, alice);
  const status = async (path) => {
    const res = await as(srv, alice, 'GET', path);
    assert.ok(res.status < 500, `${path}: ${show(res)}`);
    if (res.status >= 400) assert.equal(typeof res.body?.error, 'string', `${path}: error format: ${show(res)}`);
    return res.status;
  };
  assert.equal(await status('/api/v2/search'), 400, 'no q');
  assert.equal(await status('/api/v2/search?q='), 400, 'empty q');
  assert.equal(await status(`/api/v2/search?q=${'a'.repeat(10000)}`), 422, '10,000 characters');
  assert.equal(await status('/api/v2/search?q=x&type=everything'), 400, 'unknown type');
  assert.equal(await status('/api/v2/search?q=before%3A2024-13-45'), 422, 'invalid date');
  assert.equal(await status('/api/v2/search?q=has%3Abanana'), 422, 'unknown has:');
  for (const q of ['"unbalanced', 'from:me in:all', 'NEAR(a b)', '*', '^x', ':', 'AND OR NOT', '""""', '"a" "', '{text}:x',
    '-', '+', '#', '-"x']) {
    assert.equal(await status(`/api/v2/search?${query({ q })}`), 200, `literal: ${JSON.stringify(q)}`);
  }
  // Bytes the parameters may refuse: a 4xx or a search.
  await status('/api/v2/search?q=%FF%FE%80');
  await status('/api/v2/search?q=a%00b');
  for (const extra of ['limit=-5', 'limit=99999999999999999999', 'offset=-1&type=statuses', 'offset=99999999999&type=accounts', 'limit=abc']) {
    const code = await status(`/api/v2/search?q=a&${extra}`);
    assert.ok(code === 200 || (code >= 400 && code < 500), `${extra}: ${code}`);
  }
  const found = await search(srv, alice, { q: 'f:g', type: 'statuses' });
  assert.equal(found.statuses.length, 1, 'a colon word that is no operator is text');
  const raw = await rawRequest(srv, { path: '/api/v2/search?q=%22%28&type=statuses', headers: { authorization: `Bearer ${alice.token}` } });
  assert.ok(!/fts5|sqlite|syntax/i.test(raw.text), `no index error in the body: ${raw.text}`);
}));

test('masto v2.search.list and megalodon search', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const word = uniq('lib');
  const s = await postOk(srv, alice, `${word} #${word}`);
  await settle(srv, alice);
  const masto = createRestAPIClient({ url: srv.url, accessToken: bob.token });
  const results = await masto.v2.search.list({ q: word });
  assert.deepEqual(results.statuses.map((x) => x.id), [s.id]);
  assert.deepEqual(results.hashtags.map((h) => h.name), [word.toLowerCase()]);
  const accounts = await masto.v2.search.list({ q: alice.username, type: 'accounts' });
  assert.equal(accounts.accounts[0].id, alice.id);

  const client = generator('mastodon', srv.url, bob.token);
  const res = await client.search(word, { type: 'statuses', limit: 5 });
  assert.equal(res.status, 200);
  assert.deepEqual(res.data.statuses.map((x) => x.id), [s.id]);
  const all = await client.search(alice.username);
  assert.equal(all.data.accounts[0].id, alice.id);
}));

test('--search off leaves search out: its routes are 404 and nothing is indexed', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'], args: ['--search', 'off'] });
  await postOk(srv, alice, 'not indexed');
  for (const path of ['/api/v2/search?q=not', '/api/v1/accounts/search?q=alice', '/api/v1/tags/x']) {
    const res = await as(srv, alice, 'GET', path);
    assert.equal(res.status, 404, `${path}: ${show(res)}`);
  }
  const metrics = await fetch(`${srv.url}/metrics`).then((r) => r.text());
  assert.ok(!metrics.includes('chirp_search_index_bytes'), 'no index metrics');
}));

test('a run with --search off leaves the index to be rebuilt: what it took is found after', withLogs(async (t, start) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'chirp-search-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const first = await start({ dataDir, args: ['--rate-limits', 'off'] });
  const [alice] = await signUpMany(first, ['alice']);
  await postOk(first, alice, 'before the pause');
  await settle(first, alice);
  await first.stop({ keep: true });
  const off = await start({ dataDir, args: ['--rate-limits', 'off', '--search', 'off'] });
  const during = await postOk(off, alice, 'written while search was off');
  await off.stop({ keep: true });
  const on = await start({ dataDir, args: ['--rate-limits', 'off'] });
  assert.deepEqual(await statusIds(on, alice, 'while search was off'), [during.id], 'rebuilt at start');
  assert.equal((await statusIds(on, alice, 'before the pause')).length, 1);
}));
