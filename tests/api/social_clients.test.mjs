// Statuses and the social graph through the real client libraries:
// masto (masto.js 7) and megalodon 10.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRestAPIClient, MastoHttpError } from 'masto';
import megalodonPkg from 'megalodon';
import { createRequire } from 'node:module';
import { withLogs } from './lib/server.mjs';
import { socialServer, postOk, ok, followOk } from './lib/social.mjs';

const generator = megalodonPkg.default ?? megalodonPkg;
const require = createRequire(import.meta.url);
const { parseLinkHeader: megalodonParseLink } = require('megalodon/lib/src/parse_link_header.js');

async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected the call to fail');
}

async function collect(paginator) {
  const pages = [];
  for await (const p of paginator) {
    if (p.length) pages.push(p.map((x) => x.id));
    if (pages.length > 50) assert.fail('runaway paginator');
  }
  return pages;
}

test('masto: statuses.create/fetch/favourite/reblog/unreblog/context/remove', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const ma = createRestAPIClient({ url: srv.url, accessToken: alice.token });
  const mb = createRestAPIClient({ url: srv.url, accessToken: bob.token });

  const s = await ma.v1.statuses.create({ status: '0.123', visibility: 'public' });
  assert.equal(s.content, '<p>0.123</p>');
  assert.equal(s.visibility, 'public');
  assert.equal(s.account.id, alice.id);
  assert.equal(s.spoilerText, '');
  assert.equal(s.favouritesCount, 0);

  const fetched = await mb.v1.statuses.$select(s.id).fetch();
  assert.equal(fetched.id, s.id);
  assert.equal(fetched.favourited, false);

  const fav = await mb.v1.statuses.$select(s.id).favourite();
  assert.equal(fav.favourited, true);
  assert.equal(fav.favouritesCount, 1);
  const favBy = await ma.v1.statuses.$select(s.id).favouritedBy.list();
  assert.deepEqual(favBy.map((a) => a.id), [bob.id]);

  const rb = await mb.v1.statuses.$select(s.id).reblog();
  assert.notEqual(rb.id, s.id);
  assert.equal(rb.reblog?.id, s.id);
  assert.equal(rb.reblogged, true);
  assert.equal(rb.reblog.reblogsCount, 1);
  const rbBy = await ma.v1.statuses.$select(s.id).rebloggedBy.list();
  assert.deepEqual(rbBy.map((a) => a.id), [bob.id]);

  const reply = await mb.v1.statuses.create({ status: `@${alice.username} nice`, inReplyToId: s.id });
  assert.equal(reply.inReplyToId, s.id);
  assert.deepEqual(reply.mentions.map((m) => m.id), [alice.id]);
  const ctx = await ma.v1.statuses.$select(s.id).context.fetch();
  assert.deepEqual(ctx.descendants.map((x) => x.id), [reply.id]);
  assert.deepEqual(ctx.ancestors, []);

  const un = await mb.v1.statuses.$select(s.id).unreblog();
  assert.equal(un.id, s.id);
  assert.equal(un.reblogged, false);
  const unfav = await mb.v1.statuses.$select(s.id).unfavourite();
  assert.equal(unfav.favourited, false);
  assert.equal(unfav.favouritesCount, 0);

  // Idempotency-Key through requestInit, as the reference describes.
  const meta = { requestInit: { headers: { 'Idempotency-Key': 'masto-key' } } };
  const i1 = await ma.v1.statuses.create({ status: 'once' }, meta);
  const i2 = await ma.v1.statuses.create({ status: 'once' }, meta);
  assert.equal(i2.id, i1.id, 'the same key returns the same status');

  const removed = await ma.v1.statuses.$select(s.id).remove();
  assert.equal(removed.id, s.id);
  assert.equal(removed.text, '0.123');
  const err = await rejection(ma.v1.statuses.$select(s.id).fetch());
  assert.ok(err instanceof MastoHttpError, `MastoHttpError, got ${err}`);
  assert.equal(err.statusCode, 404);
  assert.equal(err.message, 'Record not found');

  const tooLong = await rejection(ma.v1.statuses.create({ status: 'x'.repeat(281) }));
  assert.ok(tooLong instanceof MastoHttpError, `MastoHttpError, got ${tooLong}`);
  assert.equal(tooLong.statusCode, 422);
}));

test('masto: accounts.follow, relationships, and paginator iteration over statuses, followers and favourites', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'bob', 'c1', 'c2', 'c3', 'c4'] });
  const [alice, bob, ...fans] = users;
  const ma = createRestAPIClient({ url: srv.url, accessToken: alice.token });
  const mb = createRestAPIClient({ url: srv.url, accessToken: bob.token });

  const rel = await mb.v1.accounts.$select(alice.id).follow();
  assert.equal(rel.id, alice.id);
  assert.equal(rel.following, true);
  assert.equal(rel.showingReblogs, true);
  const rels = await ma.v1.accounts.relationships.fetch({ id: [bob.id] });
  assert.equal(rels[0].followedBy, true);
  for (const f of fans) await followOk(srv, f, alice);

  const created = [];
  for (let i = 0; i < 5; i += 1) created.push((await postOk(srv, alice, { status: `post ${i}` })).id);
  const newest = [...created].reverse();

  const pages = await collect(mb.v1.accounts.$select(alice.id).statuses.list({ limit: 2 }));
  assert.deepEqual(pages, [newest.slice(0, 2), newest.slice(2, 4), newest.slice(4)], 'masto follows rel="next"');
  const first = await mb.v1.accounts.$select(alice.id).statuses.list({ limit: 2 });
  assert.deepEqual(first.map((s) => s.id), newest.slice(0, 2), 'awaiting a paginator gives the first page');

  const up = await collect(mb.v1.accounts.$select(alice.id).statuses.list({ limit: 2, maxId: newest[3] }).setDirection('prev'));
  assert.deepEqual(up, [newest.slice(4), newest.slice(2, 4), newest.slice(0, 2)],
    'setDirection("prev") from below newest[3]: [n4], then min_id pages [n2,n3], [n0,n1]');

  const followerPages = await collect(ma.v1.accounts.$select(alice.id).followers.list({ limit: 2 }));
  assert.deepEqual(followerPages.map((p) => p.length), [2, 2, 1]);
  assert.deepEqual(followerPages.flat(), [...fans].reverse().map((f) => f.id).concat(bob.id), 'newest follow first');
  const following = await collect(mb.v1.accounts.$select(bob.id).following.list({ limit: 1 }));
  assert.deepEqual(following, [[alice.id]]);

  for (const id of created) await mb.v1.statuses.$select(id).favourite();
  const favPages = await collect(mb.v1.favourites.list({ limit: 2 }));
  assert.deepEqual(favPages.flat(), newest, 'favourites, newest favourite first');
  assert.deepEqual(favPages.map((p) => p.length), [2, 2, 1]);

  const unrel = await mb.v1.accounts.$select(alice.id).unfollow();
  assert.equal(unrel.following, false);
  const self = await rejection(ma.v1.accounts.$select(alice.id).follow());
  assert.ok(self instanceof MastoHttpError);
  assert.equal(self.statusCode, 403);
}));

test('megalodon: postStatus, getStatus, favouriteStatus, reblogStatus, followAccount, getAccountFollowers with Link pagination', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'bob', 'f1', 'f2', 'f3'] });
  const [alice, bob, ...fans] = users;
  const ca = generator('mastodon', srv.url, alice.token);
  const cb = generator('mastodon', srv.url, bob.token);

  const posted = await ca.postStatus('hello from megalodon #mega', { visibility: 'unlisted', spoiler_text: 'cw', language: 'en' });
  assert.equal(posted.status, 200);
  const s = posted.data;
  assert.equal(s.visibility, 'unlisted', 'megalodon maps the visibility (an unknown value would be undefined)');
  assert.equal(s.spoiler_text, 'cw');
  assert.equal(s.language, 'en');
  assert.deepEqual(s.tags.map((x) => x.name.toLowerCase()), ['mega']);

  const got = await cb.getStatus(s.id);
  assert.equal(got.data.id, s.id);
  assert.equal(got.data.favourited, false);

  const fav = await cb.favouriteStatus(s.id);
  assert.equal(fav.data.favourited, true);
  assert.equal(fav.data.favourites_count, 1);
  const favBy = await ca.getStatusFavouritedBy(s.id);
  assert.deepEqual(favBy.data.map((a) => a.id), [bob.id]);

  const rb = await cb.reblogStatus(s.id);
  assert.equal(rb.data.reblog?.id, s.id);
  assert.equal(rb.data.reblogged, true);

  const ctx = await ca.getStatusContext(s.id);
  assert.deepEqual(ctx.data, { ancestors: [], descendants: [] });

  const f = await cb.followAccount(alice.id);
  assert.equal(f.data.following, true);
  for (const x of fans) await followOk(srv, x, alice);
  const rels = await ca.getRelationships([bob.id, fans[0].id]);
  assert.deepEqual(rels.data.map((r) => [r.id, r.followed_by]), [[bob.id, true], [fans[0].id, true]]);

  // Page through followers by hand with megalodon's own Link parser.
  const expected = [...fans].reverse().map((x) => x.id).concat(bob.id);
  const seen = [];
  let res = await ca.getAccountFollowers(alice.id, { limit: 2 });
  for (let i = 0; i < 10 && res.data.length; i += 1) {
    seen.push(...res.data.map((a) => a.id));
    const link = megalodonParseLink(res.headers.link);
    assert.ok(link.next && link.prev, `next and prev: ${res.headers.link}`);
    const next = new URL(link.next);
    res = await ca.getAccountFollowers(alice.id, { limit: 2, max_id: next.searchParams.get('max_id') });
  }
  assert.deepEqual(seen, expected);
  assert.equal(res.headers.link, undefined, 'no Link header on the empty page');

  const statuses = await ca.getAccountStatuses(alice.id, { limit: 5 });
  assert.deepEqual(statuses.data.map((x) => x.id), [s.id]);
  const favs = await cb.getFavourites({ limit: 5 });
  assert.deepEqual(favs.data.map((x) => x.id), [s.id]);

  const del = await ca.deleteStatus(s.id);
  assert.equal(del.status, 200);
  const err = await rejection(cb.getStatus(s.id));
  assert.equal(err.response?.status, 404, `404 after delete, got ${err}`);
  assert.equal((await ok(srv, null, 'GET', `/api/v1/accounts/${bob.id}`)).statuses_count, 0, 'the reblog went with the original');
}));
