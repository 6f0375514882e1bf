// The social graph: follow/unfollow, locked accounts and follow requests,
// followers/following pagination, relationships, blocks, mutes, bad input,
// actions on deleted statuses, and concurrent repeats of the same action.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withLogs, show, api } from './lib/server.mjs';
import { assertJsonError, assertAccount, assertIsoDatetime } from './lib/entities.mjs';
import {
  socialServer, signUpMany, postOk, as, ok, account, follow, unfollow, block, unblock, followOk,
  walk, page, ids, assertRelationship, flags, RELATIONSHIP_BOOLEANS, scopedToken,
} from './lib/social.mjs';

const rel = async (srv, viewer, target) => {
  const list = await ok(srv, viewer, 'GET', `/api/v1/accounts/relationships?id[]=${target.id}`);
  assert.equal(list.length, 1, `one relationship: ${JSON.stringify(list)}`);
  assertRelationship(list[0], target.id);
  return list[0];
};
const numbers = async (srv, u) => {
  const a = await account(srv, u.id);
  return [a.followers_count, a.following_count];
};
const lock = (srv, u) => ok(srv, u, 'PATCH', '/api/v1/accounts/update_credentials', { json: { locked: true } });

// ---------------------------------------------------------------------------
// Follow / unfollow

test('follow and unfollow return a full Relationship; counts are exact; follow is idempotent and updates reblogs/notify', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const r = await ok(srv, alice, 'POST', `/api/v1/accounts/${bob.id}/follow`, { json: { reblogs: false, notify: true } });
  assertRelationship(r, bob.id);
  assert.deepEqual(
    Object.fromEntries(RELATIONSHIP_BOOLEANS.map((k) => [k, r[k]])),
    {
      following: true, showing_reblogs: false, notifying: true, followed_by: false, blocking: false, blocked_by: false,
      muting: false, muting_notifications: false, requested: false, requested_by: false, domain_blocking: false, endorsed: false,
    },
  );
  assert.equal(r.note, '');
  assert.deepEqual(await numbers(srv, bob), [1, 0]);
  assert.deepEqual(await numbers(srv, alice), [0, 1]);
  assert.deepEqual(flags(await rel(srv, bob, alice)), {
    following: false, followed_by: true, requested: false, requested_by: false, blocking: false, blocked_by: false, muting: false,
  });

  const again = await ok(srv, alice, 'POST', `/api/v1/accounts/${bob.id}/follow`);
  assert.equal(again.following, true);
  assert.equal(again.showing_reblogs, false, 'a repeat without options keeps them');
  assert.equal(again.notifying, true);
  const changed = await ok(srv, alice, 'POST', `/api/v1/accounts/${bob.id}/follow`, { json: { reblogs: true, notify: false } });
  assert.equal(changed.showing_reblogs, true, 'a repeat with options changes them');
  assert.equal(changed.notifying, false);
  assert.deepEqual(await numbers(srv, bob), [1, 0], 'following twice counts once');
  assert.deepEqual(ids(await ok(srv, null, 'GET', `/api/v1/accounts/${bob.id}/followers`)), [alice.id]);
  assert.deepEqual(ids(await ok(srv, null, 'GET', `/api/v1/accounts/${alice.id}/following`)), [bob.id]);

  const form = await ok(srv, alice, 'POST', `/api/v1/accounts/${bob.id}/follow`, { form: { reblogs: 'false', notify: 'true' } });
  assert.deepEqual([form.showing_reblogs, form.notifying], [false, true], 'urlencoded "false"/"true" are booleans');

  const un = await ok(srv, alice, 'POST', `/api/v1/accounts/${bob.id}/unfollow`);
  assertRelationship(un, bob.id);
  assert.equal(un.following, false);
  assert.deepEqual(await numbers(srv, bob), [0, 0]);
  assert.deepEqual(await numbers(srv, alice), [0, 0]);
  const unAgain = await ok(srv, alice, 'POST', `/api/v1/accounts/${bob.id}/unfollow`);
  assert.equal(unAgain.following, false, 'unfollow is idempotent');
  assert.deepEqual(await ok(srv, null, 'GET', `/api/v1/accounts/${bob.id}/followers`), []);
  assert.equal((await rel(srv, bob, alice)).followed_by, false);
}));

test('follow: self → 403, unknown or "abc" → 404, anonymous → 401; unfollow of unknown → 404', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  assertJsonError(await follow(srv, alice, alice), 403);
  assert.deepEqual(await numbers(srv, alice), [0, 0], 'following oneself changes nothing');
  for (const id of ['99999999999999', 'abc']) {
    assertJsonError(await follow(srv, alice, id), 404, 'Record not found');
    assertJsonError(await unfollow(srv, alice, id), 404, 'Record not found');
  }
  assertJsonError(await follow(srv, null, alice), 401);
  assertJsonError(await as(srv, null, 'GET', `/api/v1/accounts/relationships?id[]=${alice.id}`), 401);
}));

// ---------------------------------------------------------------------------
// Locked accounts

test('locked account: follow makes a request; follow_requests lists it; authorize follows; reject, unfollow and block cancel', withLogs(async (t, start) => {
  const { srv, users: [alice, bob, carol, dave, eve] } = await socialServer(start, { users: ['alice', 'bob', 'carol', 'dave', 'eve'] });
  assert.equal((await lock(srv, alice)).locked, true);
  const secret = await postOk(srv, alice, { status: 'followers only', visibility: 'private' });

  const r = await ok(srv, bob, 'POST', `/api/v1/accounts/${alice.id}/follow`);
  assertRelationship(r, alice.id);
  assert.equal(r.requested, true);
  assert.equal(r.following, false);
  const r2 = await ok(srv, bob, 'POST', `/api/v1/accounts/${alice.id}/follow`);
  assert.equal(r2.requested, true, 'a repeat keeps the one request');
  assert.deepEqual(await numbers(srv, alice), [0, 0], 'a request is not a follow');
  assert.deepEqual(await numbers(srv, bob), [0, 0]);
  const reqs = await ok(srv, alice, 'GET', '/api/v1/follow_requests');
  for (const a of reqs) assertAccount(a);
  assert.deepEqual(ids(reqs), [bob.id]);
  assert.deepEqual(await ok(srv, bob, 'GET', '/api/v1/follow_requests'), [], 'bob has no requests to answer');
  assert.equal((await ok(srv, alice, 'GET', '/api/v1/accounts/verify_credentials')).source.follow_requests_count, 1);
  assert.equal((await rel(srv, alice, bob)).requested_by, true);
  assertJsonError(await as(srv, bob, 'GET', `/api/v1/statuses/${secret.id}`), 404, 'Record not found');

  const auth = await ok(srv, alice, 'POST', `/api/v1/follow_requests/${bob.id}/authorize`);
  assertRelationship(auth, bob.id);
  assert.equal(auth.followed_by, true);
  assert.equal(auth.requested_by, false);
  assert.deepEqual(flags(await rel(srv, bob, alice), ['following', 'requested']), { following: true, requested: false });
  assert.deepEqual(await numbers(srv, alice), [1, 0]);
  assert.deepEqual(await numbers(srv, bob), [0, 1]);
  assert.deepEqual(await ok(srv, alice, 'GET', '/api/v1/follow_requests'), []);
  assert.equal((await ok(srv, bob, 'GET', `/api/v1/statuses/${secret.id}`)).id, secret.id, 'the new follower sees private statuses');
  assert.equal((await ok(srv, bob, 'POST', `/api/v1/accounts/${alice.id}/follow`)).following, true, 'an existing follower stays a follower');
  assert.deepEqual(await ok(srv, alice, 'GET', '/api/v1/follow_requests'), []);

  // reject
  assert.equal((await ok(srv, carol, 'POST', `/api/v1/accounts/${alice.id}/follow`)).requested, true);
  const rej = await ok(srv, alice, 'POST', `/api/v1/follow_requests/${carol.id}/reject`);
  assertRelationship(rej, carol.id);
  assert.equal(rej.followed_by, false);
  assert.equal(rej.requested_by, false);
  assert.deepEqual(flags(await rel(srv, carol, alice), ['following', 'requested']), { following: false, requested: false });
  assertJsonError(await as(srv, alice, 'POST', `/api/v1/follow_requests/${carol.id}/reject`), 404);
  assertJsonError(await as(srv, alice, 'POST', `/api/v1/follow_requests/${carol.id}/authorize`), 404);

  // unfollow cancels a pending request
  assert.equal((await ok(srv, dave, 'POST', `/api/v1/accounts/${alice.id}/follow`)).requested, true);
  const cancel = await ok(srv, dave, 'POST', `/api/v1/accounts/${alice.id}/unfollow`);
  assert.equal(cancel.requested, false);
  assert.equal(cancel.following, false);
  assert.deepEqual(await ok(srv, alice, 'GET', '/api/v1/follow_requests'), []);
  assertJsonError(await as(srv, alice, 'POST', `/api/v1/follow_requests/${dave.id}/authorize`), 404);

  // a block removes a pending request (Mastodon)
  assert.equal((await ok(srv, eve, 'POST', `/api/v1/accounts/${alice.id}/follow`)).requested, true);
  await ok(srv, alice, 'POST', `/api/v1/accounts/${eve.id}/block`);
  assert.deepEqual(await ok(srv, alice, 'GET', '/api/v1/follow_requests'), []);
  assert.equal((await rel(srv, eve, alice)).requested, false);

  for (const id of ['99999999999999', 'abc']) {
    assertJsonError(await as(srv, alice, 'POST', `/api/v1/follow_requests/${id}/authorize`), 404);
    assertJsonError(await as(srv, alice, 'POST', `/api/v1/follow_requests/${id}/reject`), 404);
  }
  assertJsonError(await as(srv, null, 'GET', '/api/v1/follow_requests'), 401);
  assert.deepEqual(await numbers(srv, alice), [1, 0], 'only bob follows alice');
}));

// ---------------------------------------------------------------------------
// followers / following pagination

test('followers and following: newest follow first, paged by the follow id with absolute Link headers across 3+ pages', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['t', 'f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6'] });
  const [target, ...fs] = users;
  const order = [6, 2, 4, 0, 5, 1, 3];
  for (const i of order) await followOk(srv, fs[i], target);
  for (const i of order) await followOk(srv, target, fs[i]);
  const expected = [...order].reverse().map((i) => fs[i].id);
  for (const kind of ['followers', 'following']) {
    const path = `/api/v1/accounts/${target.id}/${kind}`;
    const whole = await ok(srv, null, 'GET', path);
    for (const a of whole) assertAccount(a);
    assert.deepEqual(ids(whole), expected, `${kind}: newest follow first, not by account id`);

    const pages = [];
    let p = await page(srv, null, `${path}?limit=3`);
    while (p.items.length) {
      pages.push(p);
      const next = new URL(p.link.next);
      assert.equal(next.pathname, path, p.link.next);
      assert.equal(next.searchParams.get('limit'), '3', `next carries limit: ${p.link.next}`);
      assert.ok(next.searchParams.get('max_id'), `next has max_id: ${p.link.next}`);
      assert.ok(new URL(p.link.prev).searchParams.get('min_id'), `prev has min_id: ${p.link.prev}`);
      assert.notEqual(next.searchParams.get('max_id'), p.items[p.items.length - 1].id,
        `${kind}: the cursor is the follow's id, not the account id: ${p.link.next}`);
      p = await page(srv, null, p.link.next);
    }
    assert.deepEqual(pages.map((x) => x.items.length), [3, 3, 1], `${kind} pages`);
    assert.deepEqual(pages.flatMap((x) => ids(x.items)), expected, `${kind}: every account once, in order`);
    const back = await page(srv, null, pages[1].link.prev);
    assert.deepEqual(ids(back.items), ids(pages[0].items), `${kind}: prev of page 2 is page 1`);
    const before = await page(srv, null, pages[0].link.prev);
    assert.deepEqual(before.items, [], `${kind}: nothing before the first page`);
  }
  // Re-following moves a follower to the top.
  await as(srv, fs[6], 'POST', `/api/v1/accounts/${target.id}/unfollow`);
  await followOk(srv, fs[6], target);
  assert.deepEqual(ids(await ok(srv, null, 'GET', `/api/v1/accounts/${target.id}/followers`)), [fs[6].id, ...expected.filter((x) => x !== fs[6].id)]);
  assertJsonError(await as(srv, null, 'GET', '/api/v1/accounts/99999999999999/followers'), 404);
  assertJsonError(await as(srv, null, 'GET', '/api/v1/accounts/abc/following'), 404);
}));

test('followers: limit defaults to 40 and caps at 80', withLogs(async (t, start) => {
  const { srv, users: [target] } = await socialServer(start, { users: ['target'] });
  const fans = await signUpMany(srv, Array.from({ length: 81 }, (_, i) => `fan${i}`), { batch: 10 });
  for (let i = 0; i < fans.length; i += 10) await Promise.all(fans.slice(i, i + 10).map((f) => followOk(srv, f, target)));
  assert.equal((await account(srv, target.id)).followers_count, 81);
  const path = `/api/v1/accounts/${target.id}/followers`;
  assert.equal((await page(srv, null, path)).items.length, 40, 'default 40');
  assert.equal((await page(srv, null, `${path}?limit=80`)).items.length, 80);
  assert.equal((await page(srv, null, `${path}?limit=200`)).items.length, 80, 'at most 80');
  const w = await walk(srv, null, `${path}?limit=80`);
  assert.deepEqual(w.pages.map((p) => p.length), [80, 1]);
  assert.deepEqual(new Set(ids(w.items)), new Set(ids(fans)));
}));

// ---------------------------------------------------------------------------
// relationships

test('relationships?id[]=…: one Relationship per id, in request order, every key', withLogs(async (t, start) => {
  const { srv, users: [alice, bob, carol, dave, eve] } = await socialServer(start, { users: ['alice', 'bob', 'carol', 'dave', 'eve'] });
  await followOk(srv, alice, bob);
  await followOk(srv, carol, alice);
  await ok(srv, alice, 'POST', `/api/v1/accounts/${dave.id}/block`);
  await ok(srv, eve, 'POST', `/api/v1/accounts/${alice.id}/block`);
  const list = await ok(srv, alice, 'GET', `/api/v1/accounts/relationships?id[]=${carol.id}&id[]=${bob.id}&id[]=${dave.id}&id[]=${eve.id}`);
  assert.deepEqual(list.map((r) => r.id), [carol.id, bob.id, dave.id, eve.id]);
  for (const r of list) assertRelationship(r);
  const keys = ['following', 'followed_by', 'blocking', 'blocked_by'];
  assert.deepEqual(list.map((r) => flags(r, keys)), [
    { following: false, followed_by: true, blocking: false, blocked_by: false },
    { following: true, followed_by: false, blocking: false, blocked_by: false },
    { following: false, followed_by: false, blocking: true, blocked_by: false },
    { following: false, followed_by: false, blocking: false, blocked_by: true },
  ]);
}));

// ---------------------------------------------------------------------------
// blocks

test('block removes follows both ways, hides statuses both ways (GET, account statuses, context) and forbids following; unblock', withLogs(async (t, start) => {
  const { srv, users: [alice, bob, carol] } = await socialServer(start, { users: ['alice', 'bob', 'carol'] });
  await followOk(srv, alice, bob);
  await followOk(srv, bob, alice);
  const a1 = await postOk(srv, alice, { status: 'alice public' });
  const b1 = await postOk(srv, bob, { status: 'bob public' });
  const root = await postOk(srv, carol, { status: 'carol root' });
  const ar = await postOk(srv, alice, { status: 'alice replies', in_reply_to_id: root.id });
  const br = await postOk(srv, bob, { status: 'bob replies', in_reply_to_id: root.id });
  assert.deepEqual(await numbers(srv, alice), [1, 1]);

  const r = await ok(srv, alice, 'POST', `/api/v1/accounts/${bob.id}/block`);
  assertRelationship(r, bob.id);
  assert.deepEqual(flags(r, ['blocking', 'following', 'followed_by']), { blocking: true, following: false, followed_by: false });
  assert.deepEqual(flags(await rel(srv, bob, alice), ['blocked_by', 'following', 'followed_by']), { blocked_by: true, following: false, followed_by: false });
  assert.deepEqual(await numbers(srv, alice), [0, 0], 'alice: follows removed both ways');
  assert.deepEqual(await numbers(srv, bob), [0, 0], 'bob: follows removed both ways');
  assert.deepEqual(await ok(srv, null, 'GET', `/api/v1/accounts/${alice.id}/followers`), []);
  assert.deepEqual(await ok(srv, null, 'GET', `/api/v1/accounts/${alice.id}/following`), []);
  assert.equal((await ok(srv, alice, 'POST', `/api/v1/accounts/${bob.id}/block`)).blocking, true, 'block is idempotent');
  assert.deepEqual(ids(await ok(srv, alice, 'GET', '/api/v1/blocks')), [bob.id]);
  assert.deepEqual(await ok(srv, bob, 'GET', '/api/v1/blocks'), []);

  assertJsonError(await as(srv, bob, 'GET', `/api/v1/statuses/${a1.id}`), 404, 'Record not found');
  assertJsonError(await as(srv, alice, 'GET', `/api/v1/statuses/${b1.id}`), 404, 'Record not found');
  assert.equal((await ok(srv, null, 'GET', `/api/v1/statuses/${a1.id}`)).id, a1.id, 'anonymous still sees it');
  assert.deepEqual(await ok(srv, bob, 'GET', `/api/v1/accounts/${alice.id}/statuses`), []);
  assert.deepEqual(await ok(srv, alice, 'GET', `/api/v1/accounts/${bob.id}/statuses`), []);
  const ctx = async (viewer) => ids((await ok(srv, viewer, 'GET', `/api/v1/statuses/${root.id}/context`)).descendants);
  assert.deepEqual(await ctx(alice), [ar.id], 'alice does not see bob\'s reply');
  assert.deepEqual(await ctx(bob), [br.id], 'bob does not see alice\'s reply');
  assert.deepEqual(await ctx(carol), [ar.id, br.id]);
  assertJsonError(await as(srv, bob, 'POST', `/api/v1/statuses/${a1.id}/favourite`), 404);
  assertJsonError(await as(srv, bob, 'POST', `/api/v1/statuses/${a1.id}/reblog`), 404);
  assertJsonError(await as(srv, bob, 'POST', '/api/v1/statuses', { json: { status: 'reply', in_reply_to_id: a1.id } }), 404);

  assertJsonError(await follow(srv, bob, alice), 403);
  assertJsonError(await follow(srv, alice, bob), 403);
  assert.deepEqual(await numbers(srv, alice), [0, 0]);

  const un = await ok(srv, alice, 'POST', `/api/v1/accounts/${bob.id}/unblock`);
  assertRelationship(un, bob.id);
  assert.deepEqual(flags(un, ['blocking', 'following', 'followed_by']), { blocking: false, following: false, followed_by: false }, 'follows are not restored');
  assert.equal((await ok(srv, alice, 'POST', `/api/v1/accounts/${bob.id}/unblock`)).blocking, false, 'unblock is idempotent');
  assert.deepEqual(await ok(srv, alice, 'GET', '/api/v1/blocks'), []);
  assert.equal((await ok(srv, bob, 'GET', `/api/v1/statuses/${a1.id}`)).id, a1.id);
  assert.deepEqual(await ctx(alice), [ar.id, br.id]);
  assert.equal((await ok(srv, bob, 'POST', `/api/v1/accounts/${alice.id}/follow`)).following, true);

  for (const id of ['99999999999999', 'abc']) {
    assertJsonError(await block(srv, alice, id), 404);
    assertJsonError(await unblock(srv, alice, id), 404);
  }
  assertJsonError(await as(srv, null, 'GET', '/api/v1/blocks'), 401);
}));

// ---------------------------------------------------------------------------
// mutes

test('mute: duration sets muting_expires_at, notifications flag, /mutes lists mute_expires_at, muted replies leave the muter\'s context; unmute', withLogs(async (t, start) => {
  const { srv, users: [alice, bob, carol, dave] } = await socialServer(start, { users: ['alice', 'bob', 'carol', 'dave'] });
  await followOk(srv, alice, bob);
  const before = Date.now();
  const m = await ok(srv, alice, 'POST', `/api/v1/accounts/${bob.id}/mute`, { json: { duration: 3600 } });
  assertRelationship(m, bob.id);
  assert.equal(m.muting, true);
  assert.equal(m.muting_notifications, true, 'notifications default to muted');
  assert.equal(m.following, true, 'a mute keeps the follow');
  assertIsoDatetime(m.muting_expires_at, 'muting_expires_at');
  const exp = Date.parse(m.muting_expires_at);
  assert.ok(exp >= before + 3600_000 - 5_000 && exp <= Date.now() + 3600_000 + 5_000, `expires in an hour: ${m.muting_expires_at}`);

  const m2 = await ok(srv, alice, 'POST', `/api/v1/accounts/${carol.id}/mute`, { json: { notifications: false } });
  assert.equal(m2.muting, true);
  assert.equal(m2.muting_notifications, false);
  assert.equal(m2.muting_expires_at, null, 'no duration, no expiry');
  const m3 = await ok(srv, alice, 'POST', `/api/v1/accounts/${dave.id}/mute`, { json: { duration: 0 } });
  assert.equal(m3.muting_expires_at, null, 'duration 0 means indefinitely');

  const mutes = await ok(srv, alice, 'GET', '/api/v1/mutes');
  for (const a of mutes) {
    assertAccount(a);
    assert.ok('mute_expires_at' in a, `mute_expires_at present: ${JSON.stringify(a).slice(0, 300)}`);
  }
  assert.deepEqual(new Set(ids(mutes)), new Set([bob.id, carol.id, dave.id]));
  const bobMute = mutes.find((a) => a.id === bob.id);
  assert.ok(bobMute.mute_expires_at, 'bob\'s mute expires');
  assert.ok(Math.abs(Date.parse(bobMute.mute_expires_at) - exp) < 2_000, `same expiry: ${bobMute.mute_expires_at} vs ${m.muting_expires_at}`);
  assert.equal(mutes.find((a) => a.id === carol.id).mute_expires_at, null);
  assert.deepEqual(await ok(srv, bob, 'GET', '/api/v1/mutes'), []);
  assert.equal((await rel(srv, alice, bob)).muting, true);
  assert.equal((await rel(srv, bob, alice)).muting, false, 'a mute is one-sided and invisible to the muted');

  const root = await postOk(srv, dave, { status: 'thread' });
  const other = await postOk(srv, alice, { status: 'alice reply', in_reply_to_id: root.id });
  const br = await postOk(srv, bob, { status: 'bob reply', in_reply_to_id: root.id });
  const ctx = async (viewer) => ids((await ok(srv, viewer, 'GET', `/api/v1/statuses/${root.id}/context`)).descendants);
  assert.deepEqual(await ctx(alice), [other.id], 'bob\'s reply is hidden from alice');
  assert.deepEqual(await ctx(carol), [other.id, br.id]);
  assert.deepEqual(await ctx(null), [other.id, br.id]);

  const um = await ok(srv, alice, 'POST', `/api/v1/accounts/${bob.id}/unmute`);
  assertRelationship(um, bob.id);
  assert.equal(um.muting, false);
  assert.equal(um.muting_expires_at, null);
  assert.deepEqual(new Set(ids(await ok(srv, alice, 'GET', '/api/v1/mutes'))), new Set([carol.id, dave.id]));
  assert.deepEqual(await ctx(alice), [other.id, br.id]);
  assert.equal((await ok(srv, alice, 'POST', `/api/v1/accounts/${bob.id}/unmute`)).muting, false, 'unmute is idempotent');

  for (const id of ['99999999999999', 'abc']) {
    assertJsonError(await as(srv, alice, 'POST', `/api/v1/accounts/${id}/mute`), 404);
    assertJsonError(await as(srv, alice, 'POST', `/api/v1/accounts/${id}/unmute`), 404);
  }
  assertJsonError(await as(srv, null, 'GET', '/api/v1/mutes'), 401);
}));

// A mute's expiry is checked on a simulated clock, in
// src/social/graph_service_test.cc (AnExpiredMuteIsOverEverywhere).

test('scopes: follow needs write:follows (or follow / write); blocks and mutes need theirs', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'], args: ['--password-grant', 'on'] });
  const statusesOnly = await scopedToken(srv, alice, 'write:statuses');
  const follows = await scopedToken(srv, alice, 'write:follows');
  const legacy = await scopedToken(srv, alice, 'follow');
  const read = await scopedToken(srv, alice, 'read');
  const path = (a) => `/api/v1/accounts/${bob.id}/${a}`;
  assertJsonError(await api(srv, 'POST', path('follow'), { token: statusesOnly }), 403, 'This action is outside the authorized scopes');
  assertJsonError(await api(srv, 'POST', path('follow'), { token: read }), 403);
  assert.equal((await api(srv, 'POST', path('follow'), { token: follows })).status, 200);
  assert.equal((await api(srv, 'POST', path('unfollow'), { token: legacy })).status, 200);
  assertJsonError(await api(srv, 'POST', path('block'), { token: follows }), 403);
  assert.equal((await api(srv, 'POST', path('block'), { token: legacy })).status, 200, 'the legacy follow scope covers blocks');
  assertJsonError(await api(srv, 'POST', path('mute'), { token: statusesOnly }), 403);
  assert.equal((await api(srv, 'GET', '/api/v1/blocks', { token: read })).status, 200);
  assert.deepEqual(await numbers(srv, bob), [0, 0]);
}));

// ---------------------------------------------------------------------------
// Bad input

test('every status action on a deleted status → 404', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const s = await postOk(srv, alice, { status: 'short-lived' });
  await ok(srv, bob, 'POST', `/api/v1/statuses/${s.id}/favourite`);
  await ok(srv, bob, 'POST', `/api/v1/statuses/${s.id}/reblog`);
  await ok(srv, alice, 'DELETE', `/api/v1/statuses/${s.id}`);
  const cases = [
    [bob, 'POST', 'favourite'], [bob, 'POST', 'unfavourite'], [bob, 'POST', 'reblog'], [bob, 'POST', 'unreblog'],
    [bob, 'GET', 'context'], [null, 'GET', 'favourited_by'], [null, 'GET', 'reblogged_by'], [alice, 'GET', 'source'],
  ];
  for (const [who, method, action] of cases) {
    const res = await as(srv, who, method, `/api/v1/statuses/${s.id}/${action}`);
    assert.equal(res.status, 404, `${method} ${action} on a deleted status: ${show(res)}`);
    assertJsonError(res, 404);
  }
  assertJsonError(await as(srv, alice, 'DELETE', `/api/v1/statuses/${s.id}`), 404);
  assertJsonError(await as(srv, alice, 'GET', `/api/v1/statuses/${s.id}`), 404);
  assert.equal((await account(srv, bob.id)).statuses_count, 0, 'bob\'s reblog went with the original');
  assert.deepEqual(await ok(srv, bob, 'GET', '/api/v1/favourites'), []);
}));

test('unknown account and status ids ("99999999999999", "abc", "0") → 404 on every endpoint', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  for (const id of ['99999999999999', 'abc', '0']) {
    const calls = [
      ['GET', `/api/v1/accounts/${id}`], ['GET', `/api/v1/accounts/${id}/statuses`],
      ['GET', `/api/v1/accounts/${id}/followers`], ['GET', `/api/v1/accounts/${id}/following`],
      ...['follow', 'unfollow', 'block', 'unblock', 'mute', 'unmute'].map((a) => ['POST', `/api/v1/accounts/${id}/${a}`]),
      ['POST', `/api/v1/follow_requests/${id}/authorize`], ['POST', `/api/v1/follow_requests/${id}/reject`],
      ['GET', `/api/v1/statuses/${id}`], ['DELETE', `/api/v1/statuses/${id}`],
      ...['context', 'source', 'favourited_by', 'reblogged_by'].map((a) => ['GET', `/api/v1/statuses/${id}/${a}`]),
      ...['favourite', 'unfavourite', 'reblog', 'unreblog'].map((a) => ['POST', `/api/v1/statuses/${id}/${a}`]),
    ];
    for (const [method, path] of calls) {
      const res = await as(srv, alice, method, path);
      assert.equal(res.status, 404, `${method} ${path}: ${show(res)}`);
      assertJsonError(res, 404);
    }
  }
  assert.deepEqual(await numbers(srv, alice), [0, 0]);
}));

// ---------------------------------------------------------------------------
// Concurrency

test('10 parallel favourites / reblogs by one user count exactly once', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const s = await postOk(srv, alice, { status: 'popular' });
  const favs = await Promise.all(Array.from({ length: 10 }, () => as(srv, bob, 'POST', `/api/v1/statuses/${s.id}/favourite`)));
  for (const r of favs) assert.equal(r.status, 200, show(r));
  const after = await ok(srv, null, 'GET', `/api/v1/statuses/${s.id}`);
  assert.equal(after.favourites_count, 1, 'favourites_count is exactly 1');
  assert.deepEqual(ids(await ok(srv, null, 'GET', `/api/v1/statuses/${s.id}/favourited_by`)), [bob.id]);
  assert.equal((await ok(srv, bob, 'GET', '/api/v1/favourites')).length, 1);

  const reblogs = await Promise.all(Array.from({ length: 10 }, () => as(srv, bob, 'POST', `/api/v1/statuses/${s.id}/reblog`)));
  for (const r of reblogs) assert.equal(r.status, 200, show(r));
  assert.equal(new Set(reblogs.map((r) => r.body.id)).size, 1, `one wrapper: ${reblogs.map((r) => r.body.id)}`);
  assert.equal((await ok(srv, null, 'GET', `/api/v1/statuses/${s.id}`)).reblogs_count, 1);
  assert.equal((await account(srv, bob.id)).statuses_count, 1);
  assert.equal((await ok(srv, null, 'GET', `/api/v1/accounts/${bob.id}/statuses`)).length, 1);

  const unfavs = await Promise.all(Array.from({ length: 10 }, () => as(srv, bob, 'POST', `/api/v1/statuses/${s.id}/unfavourite`)));
  for (const r of unfavs) assert.equal(r.status, 200, show(r));
  assert.equal((await ok(srv, null, 'GET', `/api/v1/statuses/${s.id}`)).favourites_count, 0);
  const unreblogs = await Promise.all(Array.from({ length: 10 }, () => as(srv, bob, 'POST', `/api/v1/statuses/${s.id}/unreblog`)));
  for (const r of unreblogs) assert.equal(r.status, 200, show(r));
  assert.equal((await ok(srv, null, 'GET', `/api/v1/statuses/${s.id}`)).reblogs_count, 0);
  assert.equal((await account(srv, bob.id)).statuses_count, 0);
}));

test('10 parallel follows by one user count exactly once; a locked account gets one request', withLogs(async (t, start) => {
  const { srv, users: [alice, bob, carol] } = await socialServer(start, { users: ['alice', 'bob', 'carol'] });
  const res = await Promise.all(Array.from({ length: 10 }, () => follow(srv, bob, alice)));
  for (const r of res) {
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.following, true);
  }
  assert.deepEqual(await numbers(srv, alice), [1, 0]);
  assert.deepEqual(await numbers(srv, bob), [0, 1]);
  assert.deepEqual(ids(await ok(srv, null, 'GET', `/api/v1/accounts/${alice.id}/followers`)), [bob.id]);

  const un = await Promise.all(Array.from({ length: 10 }, () => unfollow(srv, bob, alice)));
  for (const r of un) assert.equal(r.status, 200, show(r));
  assert.deepEqual(await numbers(srv, alice), [0, 0]);
  assert.deepEqual(await numbers(srv, bob), [0, 0]);

  await lock(srv, carol);
  const reqs = await Promise.all(Array.from({ length: 10 }, () => follow(srv, bob, carol)));
  for (const r of reqs) {
    assert.equal(r.status, 200, show(r));
    assert.equal(r.body.requested, true);
  }
  assert.deepEqual(ids(await ok(srv, carol, 'GET', '/api/v1/follow_requests')), [bob.id], 'one request');
  const auths = await Promise.all(Array.from({ length: 5 }, () => as(srv, carol, 'POST', `/api/v1/follow_requests/${bob.id}/authorize`)));
  assert.ok(auths.some((r) => r.status === 200), `one authorize succeeds: ${auths.map((r) => r.status)}`);
  for (const r of auths) assert.ok([200, 404].includes(r.status), show(r));
  assert.deepEqual(await numbers(srv, carol), [1, 0], 'authorized once');
}));

test('10 users favouriting and following at once: counters are exact', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: 11 });
  const [star, ...fans] = users;
  const s = await postOk(srv, star, { status: 'everyone at once' });
  const results = await Promise.all([
    ...fans.map((f) => as(srv, f, 'POST', `/api/v1/statuses/${s.id}/favourite`)),
    ...fans.map((f) => as(srv, f, 'POST', `/api/v1/statuses/${s.id}/reblog`)),
    ...fans.map((f) => follow(srv, f, star)),
  ]);
  for (const r of results) assert.equal(r.status, 200, show(r));
  const after = await ok(srv, null, 'GET', `/api/v1/statuses/${s.id}`);
  assert.equal(after.favourites_count, 10);
  assert.equal(after.reblogs_count, 10);
  assert.deepEqual(await numbers(srv, star), [10, 0]);
  assert.equal((await ok(srv, null, 'GET', `/api/v1/statuses/${s.id}/favourited_by`)).length, 10);
  assert.equal((await ok(srv, null, 'GET', `/api/v1/statuses/${s.id}/reblogged_by`)).length, 10);
  assert.equal((await ok(srv, null, 'GET', `/api/v1/accounts/${star.id}/followers`)).length, 10);
}));

test('parallel posts and deletes keep statuses_count exact; one status deleted 10 times at once is deleted once', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const posted = await Promise.all(Array.from({ length: 20 }, (_, i) => as(srv, alice, 'POST', '/api/v1/statuses', { json: { status: `p${i}` } })));
  for (const r of posted) assert.equal(r.status, 200, show(r));
  assert.equal(new Set(posted.map((r) => r.body.id)).size, 20, 'twenty distinct ids');
  assert.equal((await account(srv, alice.id)).statuses_count, 20);
  assert.equal((await walk(srv, null, `/api/v1/accounts/${alice.id}/statuses?limit=40`)).items.length, 20);

  const keep = await postOk(srv, bob, { status: 'keep' });
  const victim = await postOk(srv, bob, { status: 'victim' });
  const dels = await Promise.all(Array.from({ length: 10 }, () => as(srv, bob, 'DELETE', `/api/v1/statuses/${victim.id}`)));
  const codes = dels.map((r) => r.status).sort();
  assert.deepEqual(codes, [200, ...Array(9).fill(404)], `exactly one delete succeeds: ${codes}`);
  assert.equal((await account(srv, bob.id)).statuses_count, 1, 'decremented once');
  assert.deepEqual(ids(await ok(srv, null, 'GET', `/api/v1/accounts/${bob.id}/statuses`)), [keep.id]);

  const many = await Promise.all(posted.map((r) => as(srv, alice, 'DELETE', `/api/v1/statuses/${r.body.id}`)));
  for (const r of many) assert.equal(r.status, 200, show(r));
  assert.equal((await account(srv, alice.id)).statuses_count, 0);
  assert.deepEqual(await ok(srv, null, 'GET', `/api/v1/accounts/${alice.id}/statuses`), []);
}));

// The races below repeat a few rounds: a correct server passes every round,
// a racy one fails with high probability.

test('a block racing with 10 follows leaves no follow behind (5 rounds)', withLogs(async (t, start) => {
  const { srv } = await socialServer(start);
  for (let round = 0; round < 5; round += 1) {
    const [alice, bob] = await signUpMany(srv, ['alice', 'bob']);
    const res = await Promise.all([
      ...Array.from({ length: 5 }, () => follow(srv, bob, alice)),
      block(srv, alice, bob),
      ...Array.from({ length: 5 }, () => follow(srv, bob, alice)),
    ]);
    const codes = res.map((r, i) => (i === 5 ? `block:${r.status}` : r.status)).join(',');
    for (const r of res) assert.ok([200, 403].includes(r.status), show(r));
    assert.equal(res[5].status, 200, show(res[5]));
    const r = await rel(srv, bob, alice);
    const state = `round ${round}: responses ${codes}; alice [followers, following] ${JSON.stringify(await numbers(srv, alice))}, ` +
      `bob ${JSON.stringify(await numbers(srv, bob))}; bob→alice following=${r.following} blocked_by=${r.blocked_by}`;
    assert.deepEqual(flags(r, ['following', 'blocked_by']), { following: false, blocked_by: true }, `no follow coexists with the block: ${state}`);
    assert.deepEqual(await numbers(srv, alice), [0, 0], `no follow survives the block: ${state}`);
    assert.deepEqual(await numbers(srv, bob), [0, 0], state);
    assert.deepEqual(await ok(srv, null, 'GET', `/api/v1/accounts/${alice.id}/followers`), [], state);
  }
}));

test('a delete racing with favourites and reblogs leaves nothing dangling (3 rounds)', withLogs(async (t, start) => {
  const { srv } = await socialServer(start);
  for (let round = 0; round < 3; round += 1) {
    const [author, ...fans] = await signUpMany(srv, Array.from({ length: 11 }, (_, i) => `r${i}`));
    const s = await postOk(srv, author, { status: 'going away' });
    const favs = fans.map((f) => as(srv, f, 'POST', `/api/v1/statuses/${s.id}/favourite`));
    const reblogs = fans.map((f) => as(srv, f, 'POST', `/api/v1/statuses/${s.id}/reblog`));
    const del = as(srv, author, 'DELETE', `/api/v1/statuses/${s.id}`);
    const [favRes, reblogRes, delRes] = await Promise.all([Promise.all(favs), Promise.all(reblogs), del]);
    assert.equal(delRes.status, 200, show(delRes));
    for (const r of [...favRes, ...reblogRes]) assert.ok([200, 404].includes(r.status), show(r));
    assertJsonError(await as(srv, author, 'GET', `/api/v1/statuses/${s.id}`), 404);
    for (const [i, f] of fans.entries()) {
      const what = `round ${round}, fan ${i}: favourite → ${favRes[i].status}, reblog → ${reblogRes[i].status}`;
      assert.deepEqual(await ok(srv, f, 'GET', '/api/v1/favourites'), [], `no favourite of the deleted status; ${what}`);
      assert.deepEqual(await ok(srv, null, 'GET', `/api/v1/accounts/${f.id}/statuses`), [], `no wrapper of the deleted status; ${what}`);
      assert.equal((await account(srv, f.id)).statuses_count, 0, `statuses_count counts no reblog of the deleted status; ${what}`);
    }
    assert.equal((await account(srv, author.id)).statuses_count, 0);
  }
}));

test('interleaved favourite/unfavourite, reblog/unreblog, follow/unfollow: all answer 200 and counters agree with the lists (8 rounds)', withLogs(async (t, start) => {
  const { srv } = await socialServer(start);
  const problems = [];
  for (let round = 0; round < 8; round += 1) {
    const [alice, bob] = await signUpMany(srv, ['alice', 'bob']);
    const s = await postOk(srv, alice, { status: 'flip-flop' });
    const path = (a) => `/api/v1/statuses/${s.id}/${a}`;
    const calls = Array.from({ length: 12 }, (_, i) => [
      [i % 2 ? 'unfavourite' : 'favourite', () => as(srv, bob, 'POST', path(i % 2 ? 'unfavourite' : 'favourite'))],
      [i % 2 ? 'unreblog' : 'reblog', () => as(srv, bob, 'POST', path(i % 2 ? 'unreblog' : 'reblog'))],
      [i % 2 ? 'unfollow' : 'follow', () => (i % 2 ? unfollow(srv, bob, alice) : follow(srv, bob, alice))],
    ]).flat();
    const res = await Promise.all(calls.map(([, fn]) => fn()));
    for (const [i, r] of res.entries()) {
      if (r.status !== 200) problems.push(`round ${round}: ${calls[i][0]} → ${r.status} ${r.text.slice(0, 120)}`);
    }
    const st = await ok(srv, bob, 'GET', `/api/v1/statuses/${s.id}`);
    const got = {
      favourites_count: st.favourites_count,
      favourited_by: (await ok(srv, null, 'GET', path('favourited_by'))).length,
      favourited: st.favourited ? 1 : 0,
      reblogs_count: st.reblogs_count,
      reblogged_by: (await ok(srv, null, 'GET', path('reblogged_by'))).length,
      reblogged: st.reblogged ? 1 : 0,
      bob_statuses_count: (await account(srv, bob.id)).statuses_count,
      bob_statuses: (await ok(srv, null, 'GET', `/api/v1/accounts/${bob.id}/statuses`)).length,
      alice_followers_count: (await account(srv, alice.id)).followers_count,
      bob_following_count: (await account(srv, bob.id)).following_count,
      followers: (await ok(srv, null, 'GET', `/api/v1/accounts/${alice.id}/followers`)).length,
      following: (await rel(srv, bob, alice)).following ? 1 : 0,
    };
    const groups = [
      ['favourites_count', 'favourited_by', 'favourited'],
      ['reblogs_count', 'reblogged_by', 'reblogged', 'bob_statuses_count', 'bob_statuses'],
      ['alice_followers_count', 'bob_following_count', 'followers', 'following'],
    ];
    for (const g of groups) {
      if (new Set(g.map((k) => got[k])).size !== 1) problems.push(`round ${round}: these should be equal: ${JSON.stringify(Object.fromEntries(g.map((k) => [k, got[k]])))}`);
    }
  }
  assert.deepEqual(problems, []);
}));
