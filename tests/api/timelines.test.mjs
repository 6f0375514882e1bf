// Timelines: the home timeline's rules (own and followed statuses, replies,
// direct, reblogs and reblogs:false, reblog de-duplication, mutes, blocks,
// deletes, follow backfill, unfollow purge), its pagination and Link headers,
// celebrity merge equivalence, rebuild after SIGTERM and kill -9, the public
// and hashtag timelines, and mutes/blocks on every timeline.
//
// Timelines are eventually consistent: every check waits with a bounded poll
// for the expected state, and absence is asserted only after a positive
// barrier (a later status that must appear).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRestAPIClient } from 'masto';
import megalodonPkg from 'megalodon';
import { withLogs, api, show } from './lib/server.mjs';
import { assertJsonError } from './lib/entities.mjs';
import {
  socialServer, signUpMany, postOk, as, ok, followOk, page, ids, assertStatus, scopedToken, parseLink,
} from './lib/social.mjs';
import {
  HOME, PUBLIC, tagPath, eventually, readAll, homeItems, getList, labeler, waitHome, waitInHome,
  waitNotInHome, assertOrdered, contentId,
} from './lib/timelines.mjs';

const generator = megalodonPkg.default ?? megalodonPkg;

const reblog = (srv, user, s) => ok(srv, user, 'POST', `/api/v1/statuses/${s.id}/reblog`);
const mute = (srv, user, target) => ok(srv, user, 'POST', `/api/v1/accounts/${target.id}/mute`);
const blockOk = (srv, user, target) => ok(srv, user, 'POST', `/api/v1/accounts/${target.id}/block`);
const unfollowOk = (srv, user, target) => ok(srv, user, 'POST', `/api/v1/accounts/${target.id}/unfollow`);
const del = (srv, user, s) => ok(srv, user, 'DELETE', `/api/v1/statuses/${s.id}`);

const hasAll = (items, wanted) => {
  const got = new Set(items.map((s) => s.id));
  return wanted.every((id) => got.has(id));
};

// Polls `user`'s home (all pages) until its labels equal `expected` exactly.
// `expected` always ends with (starts with, newest first) a status posted last,
// so equality is only possible after that positive barrier.
async function expectHome(srv, user, L, expected, what, opts) {
  const items = await waitHome(srv, user, (xs) => JSON.stringify(L.labels(xs)) === JSON.stringify(expected),
    `${what}\n  expected: ${JSON.stringify(expected)}`, { describe: (xs) => JSON.stringify(L.labels(xs)), ...opts });
  assertOrdered(items, `home of ${user.name}`);
  return items;
}

// expectHome for several readers at once; reports every reader that differs.
async function expectHomes(srv, readers, L, expected, what) {
  const errors = [];
  await Promise.all(readers.map(async (r) => {
    try {
      await expectHome(srv, r, L, expected, `${r.name}: ${what}`);
    } catch (e) {
      errors.push(String(e.message));
    }
  }));
  if (errors.length) assert.fail(errors.join('\n'));
}

// Runs `fn(reader)` for every reader in parallel; fails with every failure.
async function forEachReader(readers, fn) {
  const errors = [];
  await Promise.all(readers.map(async (r, i) => {
    try {
      await fn(r, i);
    } catch (e) {
      errors.push(String(e.message));
    }
  }));
  if (errors.length) assert.fail(errors.join('\n'));
}

// Polls a listing (all pages) until its labels equal `expected`.
async function expectListing(srv, user, path, L, expected, what) {
  return eventually(`${what}\n  expected: ${JSON.stringify(expected)}`, async () => {
    const items = await readAll(srv, user, path);
    const got = L.labels(items);
    return { ok: JSON.stringify(got) === JSON.stringify(expected), value: items, detail: `GET ${path} as ${user?.name ?? 'anonymous'} now: ${JSON.stringify(got)}` };
  });
}

// Readers come in pairs where it matters: a "cold" reader whose home timeline
// was never read before the statuses arrived (rebuilt on demand) and a "warm"
// twin (name ending in W) that read it first (its timeline is cached and gets
// the fan-out). Both must end up with the same entries.
async function warm(srv, ...readers) {
  for (const r of readers) await getList(srv, r, HOME);
}

// ---------------------------------------------------------------------------
// Home: basic membership

test('home: own statuses and those of followed accounts (public, unlisted, private) appear newest first; strangers\' do not', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'bob', 'carol', 'erin', 'erinW'] });
  const [alice, bob, carol, erin, erinW] = users;
  const L = labeler(users);
  await warm(srv, erinW);
  for (const r of [alice, erin, erinW]) await followOk(srv, r, bob);
  await postOk(srv, bob, { status: 'bob public' });
  await postOk(srv, carol, { status: 'carol public' });
  await postOk(srv, bob, { status: 'bob unlisted', visibility: 'unlisted' });
  await postOk(srv, alice, { status: 'alice public' });
  await postOk(srv, bob, { status: 'bob private', visibility: 'private' });
  await postOk(srv, alice, { status: 'alice private', visibility: 'private' });
  await postOk(srv, alice, { status: 'alice unlisted', visibility: 'unlisted' });
  await postOk(srv, bob, { status: 'bob last' });
  const home = await expectHome(srv, alice, L,
    ['bob last', 'alice unlisted', 'alice private', 'bob private', 'alice public', 'bob unlisted', 'bob public'],
    'alice sees her own and bob\'s statuses, not carol\'s');
  for (const s of home) assertStatus(s, { authed: true });
  await expectHomes(srv, [erin, erinW], L, ['bob last', 'bob private', 'bob unlisted', 'bob public'], `follows bob: all of his statuses`);
  await expectHome(srv, bob, L, ['bob last', 'bob private', 'bob unlisted', 'bob public'], 'bob follows nobody: only his own');
  await expectHome(srv, carol, L, ['carol public'], 'carol follows nobody: only her own');
}));

test('home: the reader\'s own replies and direct statuses appear, also to accounts the reader does not follow', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'aliceW', 'dave'] });
  const [alice, aliceW, dave] = users;
  const L = labeler(users);
  await warm(srv, aliceW);
  const d = await postOk(srv, dave, { status: 'dave post' });
  for (const a of [alice, aliceW]) {
    await postOk(srv, a, { status: `${a.name} replies to dave`, in_reply_to_id: d.id });
    await postOk(srv, a, { status: `${a.name} direct @${dave.username}`, visibility: 'direct' });
    await postOk(srv, a, { status: `${a.name} last` });
  }
  for (const a of [alice, aliceW]) {
    await expectHome(srv, a, L, [`${a.name} last`, `${a.name} direct @${dave.username}`, `${a.name} replies to dave`],
      `${a.name}: own statuses appear regardless of reply target and visibility`);
  }
}));

test('home: a reply appears only if the reader follows the replied-to account, is it, or is mentioned; self-replies and threads appear', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'bob', 'carol', 'dave', 'erin', 'erinW', 'frank', 'frankW'] });
  const [alice, bob, carol, dave, erin, erinW, frank, frankW] = users;
  const L = labeler(users);
  await warm(srv, erinW, frankW);
  for (const r of [alice, frank, frankW]) {
    await followOk(srv, r, bob);
    await followOk(srv, r, carol);
  }
  await followOk(srv, erin, bob);
  await followOk(srv, erinW, bob);
  const d = await postOk(srv, dave, { status: 'd' });
  const a = await postOk(srv, alice, { status: 'a' });
  const c = await postOk(srv, carol, { status: 'c' });
  const b = await postOk(srv, bob, { status: 'b' });
  await postOk(srv, bob, { status: 'reply to dave', in_reply_to_id: d.id });
  await postOk(srv, bob, { status: 'reply to carol', in_reply_to_id: c.id });
  await postOk(srv, bob, { status: 'reply to alice', in_reply_to_id: a.id });
  const mentionText = `reply to dave mentioning @${alice.username} @${frankW.username}`;
  await postOk(srv, bob, { status: mentionText, in_reply_to_id: d.id });
  const t1 = await postOk(srv, bob, { status: 'thread 1', in_reply_to_id: b.id });
  await postOk(srv, bob, { status: 'thread 2', in_reply_to_id: t1.id });
  await postOk(srv, bob, { status: 'bob last' });
  await expectHome(srv, alice, L,
    ['bob last', 'thread 2', 'thread 1', mentionText, 'reply to alice', 'reply to carol', 'b', 'c', 'a'],
    'alice: replies to carol (followed), to herself, mentioning her, and bob\'s thread; not the plain reply to dave');
  await expectHome(srv, frankW, L, ['bob last', 'thread 2', 'thread 1', mentionText, 'reply to carol', 'b', 'c'],
    'frankW (follows bob and carol, mentioned): the reply to carol and the reply mentioning him');
  await expectHome(srv, frank, L, ['bob last', 'thread 2', 'thread 1', 'reply to carol', 'b', 'c'],
    'frank (follows bob and carol, not mentioned): the reply to carol only');
  await expectHomes(srv, [erin, erinW], L, ['bob last', 'thread 2', 'thread 1', 'b'], `follows only bob: his thread, none of his replies to others`);
}));

test('home: a direct status reaches only its author and the mentioned followers', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'aliceW', 'bob', 'erin', 'erinW'] });
  const [alice, aliceW, bob, erin, erinW] = users;
  const L = labeler(users);
  await warm(srv, aliceW, erinW);
  for (const r of [alice, aliceW, erin, erinW]) await followOk(srv, r, bob);
  const dm = `secret for @${alice.username} @${aliceW.username}`;
  await postOk(srv, bob, { status: dm, visibility: 'direct' });
  await postOk(srv, bob, { status: 'bob last' });
  await expectHomes(srv, [alice, aliceW], L, ['bob last', dm], `mentioned follower, sees the direct status`);
  await expectHomes(srv, [erin, erinW], L, ['bob last'], `follower not mentioned, does not`);
  await expectHome(srv, bob, L, ['bob last', dm], 'the author does');
}));

// ---------------------------------------------------------------------------
// Home: reblogs

test('home: reblogs by followed accounts appear as wrappers; a follow with reblogs:false hides them but not the account\'s own statuses', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'aliceW', 'bob', 'dave', 'erin', 'erinW'] });
  const [alice, aliceW, bob, dave, erin, erinW] = users;
  const L = labeler(users);
  await warm(srv, aliceW, erinW);
  for (const r of [alice, aliceW]) await followOk(srv, r, bob);
  for (const r of [erin, erinW]) assert.equal((await followOk(srv, r, bob, { reblogs: false })).showing_reblogs, false);
  const d1 = await postOk(srv, dave, { status: 'dave 1' });
  const w1 = await reblog(srv, bob, d1);
  await postOk(srv, bob, { status: 'bob 1' });
  await forEachReader([alice, aliceW], async (r) => {
    const home = await expectHome(srv, r, L, ['bob 1', 'bob↻dave 1'], `${r.name} (reblogs shown) sees bob's reblog`);
    const wrapper = home.find((s) => s.id === w1.id);
    assert.ok(wrapper, `the entry is the reblog wrapper ${w1.id}: ${JSON.stringify(ids(home))}`);
    assert.equal(wrapper.reblog?.id, d1.id);
    assert.equal(wrapper.account.id, bob.id);
    assert.equal(wrapper.reblog.account.id, dave.id);
  });
  await expectHomes(srv, [erin, erinW], L, ['bob 1'], `followed with reblogs:false: bob's own status, not his reblog`);

  // Following again with reblogs:true shows later reblogs.
  const r = await followOk(srv, erinW, bob, { reblogs: true });
  assert.equal(r.showing_reblogs, true);
  const d2 = await postOk(srv, dave, { status: 'dave 2' });
  await reblog(srv, bob, d2);
  await postOk(srv, bob, { status: 'bob 2' });
  await expectHomeTail(srv, erinW, L, ['bob 2', 'bob↻dave 2']);
}));

// Polls until the newest entries of a home timeline are `expected`.
async function expectHomeTail(srv, user, L, expected) {
  return waitHome(srv, user, (xs) => JSON.stringify(L.labels(xs).slice(0, expected.length)) === JSON.stringify(expected),
    `newest entries of ${user.name}'s home: ${JSON.stringify(expected)}`, { describe: (xs) => JSON.stringify(L.labels(xs)) });
}

test('home: a reblog of the reader\'s own status does not appear in the reader\'s home', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'aliceW', 'bob'] });
  const [alice, aliceW, bob] = users;
  const L = labeler(users);
  await warm(srv, aliceW);
  await followOk(srv, alice, bob);
  await followOk(srv, aliceW, bob);
  const a = await postOk(srv, alice, { status: 'alice post' });
  const aw = await postOk(srv, aliceW, { status: 'aliceW post' });
  await reblog(srv, bob, a);
  await reblog(srv, bob, aw);
  await postOk(srv, bob, { status: 'bob last' });
  await expectHome(srv, alice, L, ['bob last', 'bob↻aliceW post', 'alice post'], 'bob\'s reblog of alice\'s status is not shown to alice');
  await expectHome(srv, aliceW, L, ['bob last', 'bob↻alice post', 'aliceW post'], 'bob\'s reblog of aliceW\'s status is not shown to aliceW');
}));

test('home: the same status reblogged again by another followed account shortly after is shown once', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'aliceW', 'bob', 'carol', 'dave'] });
  const [alice, aliceW, bob, carol, dave] = users;
  const L = labeler(users);
  await warm(srv, aliceW);
  for (const r of [alice, aliceW]) {
    await followOk(srv, r, bob);
    await followOk(srv, r, carol);
  }
  const d = await postOk(srv, dave, { status: 'dave post' });
  await reblog(srv, bob, d);
  await reblog(srv, carol, d);
  await postOk(srv, carol, { status: 'carol last' });
  await forEachReader([alice, aliceW], async (r) => {
    const home = await expectHome(srv, r, L, ['carol last', 'bob↻dave post'], `${r.name}: only the first reblog of dave's status is shown`);
    assert.equal(home.filter((s) => contentId(s) === d.id).length, 1);
  });
  await expectHome(srv, carol, L, ['carol last', 'carol↻dave post'], 'the second reblogger\'s own home has her reblog');
}));

test('home: a reblog of a status already in the newest 40 entries (the original) is not shown again', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'aliceW', 'bob', 'dave'] });
  const [alice, aliceW, bob, dave] = users;
  const L = labeler(users);
  await warm(srv, aliceW);
  for (const r of [alice, aliceW]) {
    await followOk(srv, r, bob);
    await followOk(srv, r, dave);
  }
  const d = await postOk(srv, dave, { status: 'dave post' });
  await reblog(srv, bob, d);
  await postOk(srv, bob, { status: 'bob last' });
  await expectHomes(srv, [alice, aliceW], L, ['bob last', 'dave post'], `dave's status is shown once, as the original`);
}));

test('home: the reader\'s own reblog of a status already in the newest 40 entries is not shown twice', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'aliceW', 'dave'] });
  const [alice, aliceW, dave] = users;
  const L = labeler(users);
  await warm(srv, aliceW);
  await followOk(srv, alice, dave);
  await followOk(srv, aliceW, dave);
  const d = await postOk(srv, dave, { status: 'dave post' });
  await waitInHome(srv, aliceW, [d]);
  for (const r of [alice, aliceW]) await reblog(srv, r, d);
  for (const r of [alice, aliceW]) await postOk(srv, r, { status: `${r.name} last` });
  await forEachReader([alice, aliceW], async (r) => {
    const home = await expectHome(srv, r, L, [`${r.name} last`, 'dave post'], `${r.name}: dave's status once`);
    assert.equal(home.filter((s) => contentId(s) === d.id).length, 1);
  });
}));

test('home: once the first reblog has fallen out of the newest 40 entries, another reblog of the same status is shown', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'bob', 'carol', 'erin', 'dave'] });
  const [alice, bob, carol, erin, dave] = users;
  await warm(srv, alice); // a cached timeline: this test is about the 40-entry window, not about rebuilds
  for (const u of [bob, carol, erin]) await followOk(srv, alice, u);
  const d = await postOk(srv, dave, { status: 'dave post' });
  const w1 = await reblog(srv, bob, d);
  const filler = [];
  for (let i = 0; i < 45; i += 1) filler.push(await postOk(srv, carol, { status: `filler ${i}` }));
  await waitInHome(srv, alice, [w1, ...filler], 'bob\'s reblog and 45 newer statuses in alice\'s home');
  const w2 = await reblog(srv, erin, d);
  const home = await waitInHome(srv, alice, [w2], 'erin\'s reblog, 46 entries after the first one, in alice\'s home');
  assert.deepEqual(home.filter((s) => contentId(s) === d.id).map((s) => s.id), [w2.id, w1.id]);
}));

// ---------------------------------------------------------------------------
// Home: mutes, blocks, deletes

test('home: muting an account removes its statuses and keeps them out, including reblogs of them by followed accounts', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['aliceW', 'alice', 'bob', 'carol'] });
  const [aliceW, alice, bob, carol] = users;
  const L = labeler(users);
  for (const r of [aliceW, alice]) {
    await followOk(srv, r, bob);
    await followOk(srv, r, carol);
  }
  const b1 = await postOk(srv, bob, { status: 'bob before' });
  await waitInHome(srv, aliceW, [b1]);
  for (const r of [aliceW, alice]) assert.equal((await mute(srv, r, bob)).muting, true);
  await waitNotInHome(srv, aliceW, [b1], 'bob\'s earlier status leaves aliceW\'s home after the mute');
  const b2 = await postOk(srv, bob, { status: 'bob after' });
  await reblog(srv, carol, b2);
  await reblog(srv, bob, await postOk(srv, carol, { status: 'carol reblogged by bob' }));
  await postOk(srv, carol, { status: 'carol last' });
  await expectHomes(srv, [aliceW, alice], L, ['carol last', 'carol reblogged by bob'], `nothing by bob: not his statuses, not carol's reblog of his status, not his reblogs`);
}));

test('home: blocking an account removes its statuses and keeps them out, including reblogs of them by followed accounts', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['aliceW', 'alice', 'bob', 'carol'] });
  const [aliceW, alice, bob, carol] = users;
  const L = labeler(users);
  for (const r of [aliceW, alice]) {
    await followOk(srv, r, bob);
    await followOk(srv, r, carol);
  }
  const b1 = await postOk(srv, bob, { status: 'bob before' });
  await waitInHome(srv, aliceW, [b1]);
  for (const r of [aliceW, alice]) await blockOk(srv, r, bob);
  await waitNotInHome(srv, aliceW, [b1], 'bob\'s earlier status leaves aliceW\'s home after the block');
  const b2 = await postOk(srv, bob, { status: 'bob after' });
  await reblog(srv, carol, b2);
  await postOk(srv, carol, { status: 'carol last' });
  await expectHomes(srv, [aliceW, alice], L, ['carol last'], `nothing by bob, not even carol's reblog of his status`);
}));

test('home: when an account blocks the reader, its statuses leave the reader\'s home and reblogs of them do not reach it', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['aliceW', 'alice', 'bob', 'carol'] });
  const [aliceW, alice, bob, carol] = users;
  const L = labeler(users);
  for (const r of [aliceW, alice]) {
    await followOk(srv, r, bob);
    await followOk(srv, r, carol);
  }
  const b1 = await postOk(srv, bob, { status: 'bob before' });
  await waitInHome(srv, aliceW, [b1]);
  for (const r of [aliceW, alice]) await blockOk(srv, bob, r);
  await waitNotInHome(srv, aliceW, [b1], 'bob\'s status leaves the home of the account he blocked');
  const b2 = await postOk(srv, bob, { status: 'bob after' });
  await reblog(srv, carol, b2);
  await postOk(srv, carol, { status: 'carol last' });
  await expectHomes(srv, [aliceW, alice], L, ['carol last'], `bob's status does not reach her through carol's reblog`);
}));

test('home: deleted statuses and undone reblogs leave every home; deleting an original removes its reblogs', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['aliceW', 'alice', 'bob', 'carol', 'dave'] });
  const [aliceW, alice, bob, carol, dave] = users;
  const L = labeler(users);
  for (const r of [aliceW, alice]) {
    await followOk(srv, r, bob);
    await followOk(srv, r, carol);
  }
  const keep = await postOk(srv, bob, { status: 'bob keeps' });
  const gone = await postOk(srv, bob, { status: 'bob deletes' });
  const wGone = await reblog(srv, carol, gone);
  const dv = await postOk(srv, dave, { status: 'dave post' });
  const wUndo = await reblog(srv, bob, dv);
  await waitInHome(srv, aliceW, [keep, gone, wUndo]);
  await waitInHome(srv, carol, [wGone]);
  await del(srv, bob, gone);
  await ok(srv, bob, 'POST', `/api/v1/statuses/${dv.id}/unreblog`);
  await postOk(srv, carol, { status: 'carol last' });
  await expectHomes(srv, [aliceW, alice], L, ['carol last', 'bob keeps'], `the deleted status and the undone reblog are gone`);
  await expectHome(srv, bob, L, ['bob keeps'], 'gone from the author\'s home too');
  await expectHome(srv, carol, L, ['carol last'], 'carol\'s reblog of the deleted status is gone from her home');
}));

// ---------------------------------------------------------------------------
// Home: cached or not, the same timeline

test('home: a timeline never read before (rebuilt on demand) holds the same entries as a cached one: all 45 statuses of a followed account, all 45 own', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'aliceW', 'bob', 'carol'] });
  const [alice, aliceW, bob, carol] = users;
  await warm(srv, aliceW);
  await followOk(srv, alice, bob);
  await followOk(srv, aliceW, bob);
  const posted = [];
  for (let i = 0; i < 45; i += 1) posted.push((await postOk(srv, bob, { status: `bob ${i}` })).id);
  const own = [];
  for (let i = 0; i < 45; i += 1) own.push((await postOk(srv, carol, { status: `carol ${i}` })).id);
  const e = [...posted].reverse();
  const warmHome = await waitHome(srv, aliceW, (xs) => hasAll(xs, posted), 'all 45 of bob\'s statuses in the cached home of aliceW');
  assert.deepEqual(ids(warmHome), e);
  const coldHome = await waitHome(srv, alice, (xs) => hasAll(xs, posted), 'all 45 of bob\'s statuses in the home of alice (never read before)');
  assert.deepEqual(ids(coldHome), e, 'the same entries as the cached timeline');
  const carolHome = await waitHome(srv, carol, (xs) => hasAll(xs, own), 'all 45 of carol\'s own statuses in her home (never read before)');
  assert.deepEqual(ids(carolHome), [...own].reverse());
}));

// ---------------------------------------------------------------------------
// Home: follow backfill and unfollow purge

test('home: following an account backfills its statuses as far back as a rebuilt timeline reaches', withLogs(async (t, start) => {
  // A backfill and a rebuild must agree, so a follow brings in what a
  // timeline built from the store would hold: all of them, up to the
  // timeline's size (800), here all 45.
  const { srv, users } = await socialServer(start, { users: ['alice', 'aliceW', 'bob'] });
  const [alice, aliceW, bob] = users;
  await warm(srv, aliceW);
  const posted = [];
  for (let i = 0; i < 45; i += 1) posted.push(await postOk(srv, bob, { status: `bob ${i}` }));
  const all = posted.slice().reverse().map((s) => s.id);
  for (const r of [alice, aliceW]) await followOk(srv, r, bob);
  await forEachReader([alice, aliceW], async (r) => {
    const home = await waitHome(srv, r, (xs) => hasAll(xs, all), `all of bob's 45 statuses in ${r.name}'s home`);
    assert.deepEqual(home.filter((s) => s.account.id === bob.id).map((s) => s.id), all,
      `${r.name}: all of bob's statuses, newest first, whether backfilled into a live timeline or rebuilt`);
  });
}));

test('home: the follow backfill applies the home rules (private in; direct, replies to strangers out; reblogs only if shown)', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'aliceW', 'erin', 'erinW', 'bob', 'carol', 'dave'] });
  const [alice, aliceW, erin, erinW, bob, carol, dave] = users;
  const L = labeler(users);
  await warm(srv, aliceW, erinW);
  await followOk(srv, alice, carol);
  await followOk(srv, aliceW, carol);
  const d = await postOk(srv, dave, { status: 'dave post' });
  const c = await postOk(srv, carol, { status: 'carol post' });
  await postOk(srv, bob, { status: 'bob public' });
  await postOk(srv, bob, { status: 'bob private', visibility: 'private' });
  await postOk(srv, bob, { status: `bob direct @${carol.username}`, visibility: 'direct' });
  await postOk(srv, bob, { status: 'bob replies to dave', in_reply_to_id: d.id });
  await postOk(srv, bob, { status: 'bob replies to carol', in_reply_to_id: c.id });
  await reblog(srv, bob, d);
  await postOk(srv, bob, { status: 'bob newest' });
  for (const r of [alice, aliceW]) await followOk(srv, r, bob);
  for (const r of [erin, erinW]) await followOk(srv, r, bob, { reblogs: false });
  await expectHomes(srv, [alice, aliceW], L, ['bob newest', 'bob↻dave post', 'bob replies to carol', 'bob private', 'bob public', 'carol post'], `(follows carol) gets bob's public, private, reply to carol and reblog; not the direct or the reply to dave`);
  await expectHomes(srv, [erin, erinW], L, ['bob newest', 'bob private', 'bob public'], `(reblogs:false, follows nobody else) gets no reblog and no replies to others`);
}));

test('home: unfollowing an account removes its statuses and reblogs; its later statuses stay out', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['aliceW', 'alice', 'bob', 'carol', 'dave'] });
  const [aliceW, alice, bob, carol, dave] = users;
  const L = labeler(users);
  for (const r of [aliceW, alice]) {
    await followOk(srv, r, bob);
    await followOk(srv, r, carol);
  }
  const bs = [];
  for (let i = 0; i < 3; i += 1) bs.push(await postOk(srv, bob, { status: `bob ${i}`, visibility: i === 1 ? 'private' : 'public' }));
  const w = await reblog(srv, bob, await postOk(srv, dave, { status: 'dave post' }));
  const c = await postOk(srv, carol, { status: 'carol post' });
  await waitInHome(srv, aliceW, [...bs, w, c]);
  for (const r of [aliceW, alice]) assert.equal((await unfollowOk(srv, r, bob)).following, false);
  await waitNotInHome(srv, aliceW, [...bs, w], 'bob\'s statuses and reblog leave aliceW\'s home after the unfollow');
  await postOk(srv, bob, { status: 'bob after' });
  await postOk(srv, carol, { status: 'carol last' });
  await expectHomes(srv, [aliceW, alice], L, ['carol last', 'carol post'], `only carol's statuses remain; bob's later status stays out`);
}));

// ---------------------------------------------------------------------------
// Home: pagination, limits, scopes, client libraries

test('home pagination: max_id walk stays stable while new posts arrive; min_id and since_id page from the top; Link headers', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'bob'] });
  const [alice, bob] = users;
  const b = [];
  for (let i = 0; i < 45; i += 1) b.push((await postOk(srv, bob, { status: `b${i}` })).id);
  await followOk(srv, alice, bob);
  const e = [...b].reverse(); // newest first
  await waitHome(srv, alice, (xs) => hasAll(xs, b.slice(5)), 'the backfill (bob\'s newest 40)');

  const p1 = await page(srv, alice, `${HOME}?limit=5`);
  assert.deepEqual(ids(p1.items), e.slice(0, 5));
  const next = new URL(p1.link.next);
  const prev = new URL(p1.link.prev);
  assert.equal(next.pathname, HOME);
  assert.equal(next.searchParams.get('max_id'), e[4], `next = max_id of the last item: ${p1.link.next}`);
  assert.equal(prev.searchParams.get('min_id'), e[0], `prev = min_id of the first item: ${p1.link.prev}`);
  assert.equal(next.searchParams.get('limit'), '5', `limit is carried along: ${p1.link.next}`);
  assert.equal(prev.searchParams.get('limit'), '5', `limit is carried along: ${p1.link.prev}`);

  // Three new statuses arrive between page reads.
  const n = [];
  for (let i = 0; i < 3; i += 1) n.push((await postOk(srv, bob, { status: `new ${i}` })).id);
  await waitInHome(srv, alice, n);
  // Everything below the arrivals (the whole backfill, however long).
  const base = (await homeItems(srv, alice)).map((s) => s.id).filter((id) => !n.includes(id));
  assert.deepEqual(base.slice(0, 40), e.slice(0, 40), 'below the arrivals: bob\'s newest 40 (at least)');

  // rel="next" from page 1 continues below page 1, unaffected by the arrivals.
  const walked = [...ids(p1.items)];
  let p = await page(srv, alice, p1.link.next);
  while (p.items.length) {
    walked.push(...ids(p.items));
    p = await page(srv, alice, p.link.next);
  }
  assert.deepEqual(walked, base, 'the max_id walk returns every entry once, no duplicates, no gaps');

  // rel="prev" from page 1 (min_id = its first item): the oldest new entries right above it.
  const up1 = await page(srv, alice, `${HOME}?min_id=${base[0]}&limit=2`);
  assert.deepEqual(ids(up1.items), [n[1], n[0]], 'min_id: the 2 entries immediately above the cursor, newest first');
  const up2 = await page(srv, alice, up1.link.prev);
  assert.deepEqual(ids(up2.items), [n[2]], 'the next prev page holds the newest');
  const up3 = await page(srv, alice, up2.link.prev);
  assert.deepEqual(up3.items, [], 'nothing above the newest (page() checks there is no Link header)');
  const viaLink = await page(srv, alice, p1.link.prev);
  assert.deepEqual(ids(viaLink.items), [n[2], n[1], n[0]], 'following page 1\'s rel="prev" gives the arrivals');

  const since = await page(srv, alice, `${HOME}?since_id=${base[0]}&limit=2`);
  assert.deepEqual(ids(since.items), [n[2], n[1]], 'since_id: the newest 2 above the cursor');
  const win = await page(srv, alice, `${HOME}?max_id=${n[2]}&since_id=${base[2]}`);
  assert.deepEqual(ids(win.items), [n[1], n[0], base[0], base[1]], 'max_id + since_id: a window');
  const win2 = await page(srv, alice, `${HOME}?max_id=${n[1]}&min_id=${base[10]}&limit=3`);
  assert.deepEqual(ids(win2.items), [base[7], base[8], base[9]], 'max_id + min_id: the bottom of the window');
  assert.deepEqual(ids((await page(srv, alice, `${HOME}?max_id=${base[base.length - 1]}`)).items), [], 'nothing below the oldest');
}));

test('home: limit defaults to 20 and caps at 40; needs a user token with read:statuses', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice'], args: ['--password-grant', 'on'] });
  const [alice] = users;
  await warm(srv, alice); // cached: this test is about limits (a never-read timeline has its own test)
  const posted = [];
  for (let i = 0; i < 45; i += 1) posted.push((await postOk(srv, alice, { status: `a${i}` })).id);
  const e = posted.reverse();
  await waitHome(srv, alice, (xs) => hasAll(xs, e), 'alice\'s own 45 statuses in her home');
  assert.deepEqual(ids(await getList(srv, alice, HOME)), e.slice(0, 20), 'default limit 20');
  assert.deepEqual(ids(await getList(srv, alice, `${HOME}?limit=40`)), e.slice(0, 40));
  assert.deepEqual(ids(await getList(srv, alice, `${HOME}?limit=100`)), e.slice(0, 40), 'at most 40');
  assertJsonError(await api(srv, 'GET', HOME), 401);
  assertJsonError(await api(srv, 'GET', HOME, { token: 'not-a-token' }), 401);
  const writeOnly = await scopedToken(srv, alice, 'write:statuses');
  assertJsonError(await api(srv, 'GET', HOME, { token: writeOnly }), 403);
  const readStatuses = await scopedToken(srv, alice, 'read:statuses');
  const r = await api(srv, 'GET', HOME, { token: readStatuses });
  assert.equal(r.status, 200, show(r));
}));

test('home: min_id=0 is a cursor below every id: it returns the oldest page', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice'] });
  const [alice] = users;
  const posted = [];
  for (let i = 0; i < 10; i += 1) posted.push((await postOk(srv, alice, { status: `a${i}` })).id);
  await waitInHome(srv, alice, posted);
  assert.deepEqual(ids((await page(srv, alice, `${HOME}?min_id=0&limit=3`)).items), [posted[2], posted[1], posted[0]],
    'GET /api/v1/timelines/home?min_id=0&limit=3: the 3 oldest entries, newest first');
}));

test('home through masto and megalodon: Link pages in both directions', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'bob'] });
  const [alice, bob] = users;
  await followOk(srv, alice, bob);
  const posted = [];
  for (let i = 0; i < 11; i += 1) posted.push((await postOk(srv, i % 2 ? alice : bob, { status: `m${i}` })).id);
  const e = [...posted].reverse();
  await waitInHome(srv, alice, posted);

  const masto = createRestAPIClient({ url: srv.url, accessToken: alice.token });
  const pages = [];
  for await (const p of masto.v1.timelines.home.list({ limit: 4 })) {
    pages.push(p.map((s) => s.id));
    if (pages.length > 10) assert.fail('runaway masto paginator');
  }
  assert.deepEqual(pages.filter((p) => p.length), [e.slice(0, 4), e.slice(4, 8), e.slice(8)], 'masto follows rel="next"');
  const up = [];
  for await (const p of masto.v1.timelines.home.list({ limit: 4, maxId: e[8] }).setDirection('prev')) {
    if (p.length) up.push(p.map((s) => s.id));
    if (up.length > 10) assert.fail('runaway masto paginator');
  }
  assert.deepEqual(up.flat().sort(), [...e].sort(), 'masto: the page below e[8], then rel="prev" pages up to the newest');

  const mega = generator('mastodon', srv.url, alice.token);
  const seen = [];
  let res = await mega.getHomeTimeline({ limit: 3 });
  for (let i = 0; i < 10 && res.data.length; i += 1) {
    seen.push(...res.data.map((s) => s.id));
    const link = parseLink(res.headers.link, srv.url);
    res = await mega.getHomeTimeline({ limit: 3, max_id: new URL(link.next).searchParams.get('max_id') });
  }
  assert.deepEqual(seen, e);
}));

// ---------------------------------------------------------------------------
// Celebrities: merged at read time, identical to fan-out on write

// A scenario with a popular account (5+ followers), run the same way on any
// server. Every status gets a key; returns the readers and the id → key map.
const SCENARIO_USERS = ['celeb', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'x', 'y', 'z'];
async function celebrityScenario(srv) {
  const list = await signUpMany(srv, SCENARIO_USERS);
  const u = Object.fromEntries(list.map((x) => [x.name, x]));
  const keyOf = new Map();
  const idOf = new Map();
  // Keys are the same on every server; texts may name accounts (whose
  // usernames differ between servers).
  const P = async (who, key, json = {}) => {
    const s = await postOk(srv, u[who], { status: key, ...json });
    keyOf.set(s.id, key);
    idOf.set(key, s.id);
    return s;
  };
  const R = async (who, key, target) => {
    const w = await reblog(srv, u[who], { id: idOf.get(target) });
    keyOf.set(w.id, key);
    return w;
  };
  const F = (a, b, json) => followOk(srv, u[a], u[b], json);
  await warm(srv, u.r1, u.r5, u.x); // cached timelines; the others are rebuilt on demand

  for (const r of ['r1', 'r2', 'r3', 'r4']) await F(r, 'celeb');
  await F('r5', 'celeb', { reblogs: false });
  await F('r1', 'x');
  await F('r2', 'y');
  await F('r1', 'z');
  await F('r2', 'z');
  await P('r1', 'r1p');
  for (let i = 1; i <= 45; i += 1) {
    await P('celeb', `c${i}`, { visibility: i % 7 === 0 ? 'private' : i % 5 === 0 ? 'unlisted' : 'public' });
  }
  await F('r6', 'celeb'); // backfill: the newest 40
  await P('x', 'x1');
  await P('y', 'y1');
  await P('r2', 'r2p');
  await P('celeb', 'cRx', { in_reply_to_id: idOf.get('x1') });
  await P('celeb', 'cRr2', { in_reply_to_id: idOf.get('r2p') });
  await P('celeb', 'cSelf', { in_reply_to_id: idOf.get('c45') });
  await P('celeb', 'cRyM', { status: `cRyM @${u.r6.username}`, in_reply_to_id: idOf.get('y1') });
  await P('celeb', 'cD', { status: `cD @${u.r1.username}`, visibility: 'direct' });
  await R('celeb', 'celeb↻x1', 'x1');
  await R('celeb', 'celeb↻r1p', 'r1p');
  await R('x', 'x↻cSelf', 'cSelf');
  await R('y', 'y↻c1', 'c1');
  await mute(srv, u.r3, u.celeb);
  await blockOk(srv, u.r4, u.celeb);
  await del(srv, u.celeb, { id: idOf.get('c44') });
  await unfollowOk(srv, u.r2, u.celeb);
  // z crosses the threshold (3) up and down.
  await P('z', 'z1');
  await F('r3', 'z');
  await P('z', 'z2');
  await F('r4', 'z');
  await P('z', 'z3');
  await unfollowOk(srv, u.r3, u.z);
  await unfollowOk(srv, u.r4, u.z);
  await P('z', 'z4');
  await P('celeb', 'cLast');
  // Each reader's own last status: a (weak) barrier for "the scenario has settled".
  for (const n of SCENARIO_USERS) await P(n, `end-${n}`);
  const readers = SCENARIO_USERS.map((n) => u[n]);
  return { u, readers, keyOf };
}

const keysOf = (keyOf, items) => items.map((s) => keyOf.get(s.id) ?? `?${s.id}`);

// Everything a reader can page: the whole timeline (limit 40), a walk with
// limit 3, and the walk upwards by min_id from the oldest entry.
async function views(srv, reader, keyOf) {
  const items = await homeItems(srv, reader);
  const all = keysOf(keyOf, items);
  const small = keysOf(keyOf, await readAll(srv, reader, HOME, { limit: 3 }));
  const up = [];
  if (items.length) {
    up.push(all[all.length - 1]);
    let p = await page(srv, reader, `${HOME}?min_id=${items[items.length - 1].id}&limit=4`);
    for (let i = 0; i < 300 && p.items.length; i += 1) {
      up.unshift(...keysOf(keyOf, p.items));
      p = await page(srv, reader, p.link.prev);
    }
  }
  return { all, small, up };
}

test('celebrities: with --celebrity-threshold 3 every reader sees exactly the timeline of a server without it (all pagings)', withLogs(async (t, start) => {
  const celeb = await start({ args: ['--rate-limits', 'off', '--celebrity-threshold', '3'] });
  const plain = await start({ args: ['--rate-limits', 'off'] });
  const [a, b] = await Promise.all([celebrityScenario(celeb), celebrityScenario(plain)]);
  const fa = await ok(celeb, null, 'GET', `/api/v1/accounts/${a.u.celeb.id}`);
  assert.ok(fa.followers_count >= 3, `celeb is a celebrity on the first server: ${fa.followers_count} followers`);

  await forEachReader(a.readers, async (reader, i) => {
    const name = reader.name;
    // Wait until both agree; the last status of the scenario must be there for its followers.
    const got = await eventually(`${name}: the same home timeline with and without celebrity merging`, async () => {
      const [va, vb] = await Promise.all([views(celeb, a.readers[i], a.keyOf), views(plain, b.readers[i], b.keyOf)]);
      const same = JSON.stringify(va) === JSON.stringify(vb);
      const settled = va.all.includes(`end-${name}`) && (!['r1', 'r5', 'r6'].includes(name) || va.all.includes('cLast'));
      return {
        ok: same && settled,
        value: va,
        detail: `with threshold 3:\n  all:   ${va.all.join(' ')}\n  small: ${va.small.join(' ')}\n  up:    ${va.up.join(' ')}\n`
          + `without:\n  all:   ${vb.all.join(' ')}\n  small: ${vb.small.join(' ')}\n  up:    ${vb.up.join(' ')}`,
      };
    }, { timeoutMs: 5000 });
    assert.deepEqual(got.small, got.all, `${name}: limit=3 pages concatenate to the whole timeline`);
    assert.deepEqual(got.up, got.all, `${name}: min_id pages from the bottom concatenate to the whole timeline`);
  });
}));

test('celebrities: statuses posted while the author was a celebrity stay in followers\' homes after it drops below the threshold', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['z', 'r1W', 'r2', 'r3'], args: ['--celebrity-threshold', '3'] });
  const [z, r1W, r2, r3] = users;
  const L = labeler(users);
  await warm(srv, r1W);
  await followOk(srv, r1W, z);
  await followOk(srv, r2, z);
  await postOk(srv, z, { status: 'z1 (2 followers)' });
  await followOk(srv, r3, z);
  await postOk(srv, z, { status: 'z2 (3 followers: celebrity)' });
  await unfollowOk(srv, r3, z);
  await postOk(srv, z, { status: 'z3 (2 followers again)' });
  await expectHomes(srv, [r1W, r2], L, ['z3 (2 followers again)', 'z2 (3 followers: celebrity)', 'z1 (2 followers)'],
    'every status of z, whatever its follower count when it was posted');
}));

test('celebrities: reblogs involving a celebrity (merged at read time) are de-duplicated like pushed ones', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, {
    users: ['celeb', 'bob', 'dave', 'erin', 'r1W', 'r2', 'f1', 'f2'], args: ['--celebrity-threshold', '3'],
  });
  const [celeb, bob, dave, erin, r1W, r2, f1, f2] = users;
  const L = labeler(users);
  await warm(srv, r1W);
  for (const r of [r1W, r2, f1, f2]) await followOk(srv, r, celeb);
  for (const r of [r1W, r2]) await followOk(srv, r, bob);
  const c = await postOk(srv, celeb, { status: 'celeb post' });
  await reblog(srv, bob, c); // the original is in the home: not shown again
  const d = await postOk(srv, dave, { status: 'dave post' });
  await reblog(srv, celeb, d); // first reblog of d: shown
  await reblog(srv, bob, d); // second: not shown
  const e = await postOk(srv, erin, { status: 'erin post' });
  await reblog(srv, bob, e); // first reblog of e: shown
  await reblog(srv, celeb, e); // second, by the celebrity: not shown
  await postOk(srv, bob, { status: 'bob last' });
  await expectHomes(srv, [r1W, r2], L, ['bob last', 'bob↻erin post', 'celeb↻dave post', 'celeb post'],
    'each status once, whether the celebrity posted or reblogged it first');
}));

// ---------------------------------------------------------------------------
// Rebuild after restart

async function settledHomes(srv, readers, keyOf) {
  // Read every home until two consecutive reads agree and the scenario's last
  // status is visible to its followers.
  let prev = null;
  return eventually('home timelines settle before the restart', async () => {
    const now = [];
    for (const r of readers) now.push(keysOf(keyOf, await homeItems(srv, r)));
    const settled = now[1].includes('cLast') && now.every((h, i) => h.includes(`end-${readers[i].name}`))
      && JSON.stringify(now) === JSON.stringify(prev);
    prev = now;
    return { ok: settled, value: now, detail: now.map((h, i) => `${readers[i].name}: ${h.join(' ')}`).join('\n') };
  }, { timeoutMs: 8000, intervalMs: 50 });
}

// A page is a prefix of the whole timeline (it may be shorter than `limit`).
const isPrefix = (pageKeys, allKeys) => pageKeys.length > 0 && pageKeys.every((k, i) => allKeys[i] === k);

async function rebuildCheck(start, { args = [], how }) {
  const srv = await start({ args: ['--rate-limits', 'off', ...args] });
  const { readers, keyOf } = await celebrityScenario(srv);
  const before = await settledHomes(srv, readers, keyOf);
  for (let i = 0; i < readers.length; i += 1) {
    const first = keysOf(keyOf, await getList(srv, readers[i], `${HOME}?limit=40`));
    assert.ok(isPrefix(first, before[i]), `${readers[i].name}: the first page is the top of the timeline before the restart\n${first.join(' ')}\n${before[i].join(' ')}`);
  }
  if (how === 'kill9') {
    assert.equal(await srv.kill9(), 'SIGKILL');
  } else {
    assert.equal(await srv.stop({ keep: true }), 0, 'SIGTERM exits 0');
  }
  await srv.restart();
  await forEachReader(readers, async (reader, i) => {
    await eventually(`${readers[i].name}: the same home timeline after the restart`, async () => {
      const after = keysOf(keyOf, await homeItems(srv, readers[i]));
      const first = keysOf(keyOf, await getList(srv, readers[i], `${HOME}?limit=40`));
      return {
        ok: JSON.stringify(after) === JSON.stringify(before[i]) && isPrefix(first, after),
        detail: `before: ${before[i].join(' ')}\nafter:  ${after.join(' ')}\nfirst page (limit=40) after: ${first.join(' ')}`,
      };
    }, { timeoutMs: 5000 });
  });
}

test('restart (SIGTERM): every home timeline is rebuilt from the store identical to before', withLogs(async (t, start) => {
  await rebuildCheck(start, { how: 'sigterm' });
}));

test('restart after kill -9: every home timeline is rebuilt from the store identical to before', withLogs(async (t, start) => {
  await rebuildCheck(start, { how: 'kill9' });
}));

test('restart after kill -9 with --celebrity-threshold 3: home timelines identical to before', withLogs(async (t, start) => {
  await rebuildCheck(start, { how: 'kill9', args: ['--celebrity-threshold', '3'] });
}));

// ---------------------------------------------------------------------------
// Public timeline

test('public timeline: public non-reblog statuses, self-replies in, replies to others out, newest first, for anyone', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'bob', 'carol'] });
  const [alice, bob, carol] = users;
  const L = labeler(users);
  const p1 = await postOk(srv, bob, { status: 'bob public' });
  await postOk(srv, bob, { status: 'bob unlisted', visibility: 'unlisted' });
  await postOk(srv, bob, { status: 'bob private', visibility: 'private' });
  await postOk(srv, bob, { status: `bob direct @${alice.username}`, visibility: 'direct' });
  const c1 = await postOk(srv, carol, { status: 'carol public' });
  await postOk(srv, bob, { status: 'bob replies to carol', in_reply_to_id: c1.id });
  await postOk(srv, bob, { status: 'bob self-reply', in_reply_to_id: p1.id });
  await reblog(srv, carol, p1);
  await postOk(srv, alice, { status: 'alice public' });
  const expected = ['alice public', 'bob self-reply', 'carol public', 'bob public'];
  const anon = await expectListing(srv, null, PUBLIC, L, expected, 'the public timeline (anonymous)');
  for (const s of anon) assertStatus(s, { authed: false });
  assertOrdered(anon, 'public');
  const authed = await expectListing(srv, bob, PUBLIC, L, expected, 'the public timeline (bob)');
  for (const s of authed) assertStatus(s, { authed: true });
  await expectListing(srv, alice, `${PUBLIC}?local=true`, L, expected, 'local=true (every status is local)');

  await del(srv, bob, p1);
  await expectListing(srv, null, PUBLIC, L, ['alice public', 'bob self-reply', 'carol public'], 'a deleted status leaves the public timeline');
}));

test('public timeline: remote=true and only_media=true are empty; paging by max_id, since_id, min_id with Link headers carrying the params', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice'] });
  const [alice] = users;
  const posted = [];
  for (let i = 0; i < 7; i += 1) posted.push((await postOk(srv, alice, { status: `p${i}` })).id);
  const e = [...posted].reverse();
  await eventually('all 7 in the public timeline', async () => {
    const got = ids(await readAll(srv, null, PUBLIC));
    return { ok: JSON.stringify(got) === JSON.stringify(e), detail: got.join(' ') };
  });
  const empty = await as(srv, null, 'GET', `${PUBLIC}?remote=true`);
  assert.equal(empty.status, 200, show(empty));
  assert.deepEqual(empty.body, [], 'remote=true: no remote statuses');
  assert.equal(empty.headers.get('link'), null, 'no Link header on an empty page');
  assert.deepEqual((await page(srv, alice, `${PUBLIC}?only_media=true`)).items, [], 'only_media=true: no status has media');

  const p1 = await page(srv, null, `${PUBLIC}?local=true&limit=3`);
  assert.deepEqual(ids(p1.items), e.slice(0, 3));
  const next = new URL(p1.link.next);
  const prev = new URL(p1.link.prev);
  assert.equal(next.pathname, PUBLIC);
  assert.equal(next.searchParams.get('max_id'), e[2]);
  assert.equal(prev.searchParams.get('min_id'), e[0]);
  for (const u of [next, prev]) {
    assert.equal(u.searchParams.get('limit'), '3', `limit carried along: ${u}`);
    assert.equal(u.searchParams.get('local'), 'true', `local carried along: ${u}`);
  }
  const walked = [];
  let p = p1;
  while (p.items.length) {
    walked.push(...ids(p.items));
    p = await page(srv, null, p.link.next);
  }
  assert.deepEqual(walked, e, 'the Link walk returns every status once');
  assert.deepEqual(ids((await page(srv, null, `${PUBLIC}?since_id=${e[4]}&limit=2`)).items), [e[0], e[1]], 'since_id: newest page');
  assert.deepEqual(ids((await page(srv, null, `${PUBLIC}?min_id=${e[4]}&limit=2`)).items), [e[2], e[3]], 'min_id: right above the cursor');
  assert.deepEqual(ids((await page(srv, null, `${PUBLIC}?max_id=${e[1]}&min_id=${e[5]}`)).items), [e[2], e[3], e[4]], 'max_id + min_id');
}));

// ---------------------------------------------------------------------------
// Hashtag timeline

test('tag timeline: public statuses with the tag, case-insensitive; any[], all[], none[]; 404 for a tag never used', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'bob'] });
  const [alice, bob] = users;
  const L = labeler(users);
  const a = await postOk(srv, alice, { status: 'one #CamelCase' });
  await postOk(srv, alice, { status: 'unlisted #camelcase', visibility: 'unlisted' });
  await postOk(srv, alice, { status: 'private #CAMELCASE', visibility: 'private' });
  const d = await postOk(srv, alice, { status: 'two #other' });
  await postOk(srv, alice, { status: 'three #CamelCase #Other' });
  await postOk(srv, alice, { status: 'four #third' });
  await reblog(srv, bob, a);
  await postOk(srv, bob, { status: 'reply #camelcase', in_reply_to_id: d.id, visibility: 'unlisted' });
  await postOk(srv, bob, { status: 'last #camelcase' });
  const cc = ['last #camelcase', 'three #CamelCase #Other', 'one #CamelCase'];
  const got = await expectListing(srv, null, tagPath('camelcase'), L, cc, 'public #camelcase statuses, newest first, no reblogs');
  assertOrdered(got, 'tag');
  for (const s of got) assertStatus(s, { authed: false });
  await expectListing(srv, bob, tagPath('CamelCase'), L, cc, 'the tag as written');
  await expectListing(srv, bob, tagPath('CAMELCASE'), L, cc, 'upper case');
  const q = (qs) => tagPath('camelcase', qs);
  await expectListing(srv, null, q('any[]=other'), L, ['last #camelcase', 'three #CamelCase #Other', 'two #other', 'one #CamelCase'], 'any[]=other: either tag');
  await expectListing(srv, null, q('any[]=OTHER&any[]=Third'), L,
    ['last #camelcase', 'four #third', 'three #CamelCase #Other', 'two #other', 'one #CamelCase'], 'any[] with two tags, case-insensitive');
  await expectListing(srv, null, q('all[]=other'), L, ['three #CamelCase #Other'], 'all[]=other: both tags');
  await expectListing(srv, null, q('all[]=other&all[]=third'), L, [], 'all[] with a tag no status has together');
  await expectListing(srv, null, q('none[]=Other'), L, ['last #camelcase', 'one #CamelCase'], 'none[]=other: without it');
  await expectListing(srv, null, q('any[]=third&none[]=other'), L, ['last #camelcase', 'four #third', 'one #CamelCase'], 'any[] and none[] together');
  await expectListing(srv, null, `${tagPath('third')}`, L, ['four #third'], 'another tag');

  // Link pages keep the tag filters.
  const w = [];
  let p = await page(srv, null, q('any[]=other&limit=2'));
  while (p.items.length) {
    w.push(...L.labels(p.items));
    const nx = new URL(p.link.next);
    assert.ok(nx.searchParams.getAll('any[]').includes('other'), `rel="next" keeps any[]: ${p.link.next}`);
    p = await page(srv, null, p.link.next);
  }
  assert.deepEqual(w, ['last #camelcase', 'three #CamelCase #Other', 'two #other', 'one #CamelCase']);

  assertJsonError(await as(srv, null, 'GET', tagPath('neverused')), 404);
  assertJsonError(await as(srv, alice, 'GET', tagPath('NeverUsed')), 404);
}));

test('tag timeline: a public reply carrying the tag is listed (tag timelines do not drop replies)', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'bob'] });
  const [alice, bob] = users;
  const L = labeler(users);
  const a = await postOk(srv, alice, { status: 'root #thread' });
  await postOk(srv, bob, { status: 'reply #thread', in_reply_to_id: a.id });
  await postOk(srv, alice, { status: 'self reply #thread', in_reply_to_id: a.id });
  await postOk(srv, alice, { status: 'last #thread' });
  await expectListing(srv, null, tagPath('thread'), L, ['last #thread', 'self reply #thread', 'reply #thread', 'root #thread'],
    'GET /api/v1/timelines/tag/thread: every public status with the tag, replies included');
}));

// ---------------------------------------------------------------------------
// Mutes and blocks on every timeline

test('mutes and blocks hide the accounts on home, public and tag timelines for the viewer only', withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'aliceW', 'bob', 'carol', 'dave', 'erin'] });
  const [alice, aliceW, bob, carol, dave, erin] = users;
  const L = labeler(users);
  await warm(srv, aliceW);
  for (const r of [alice, aliceW]) {
    for (const x of [bob, carol, dave]) await followOk(srv, r, x);
    await mute(srv, r, bob);
    await blockOk(srv, r, carol);
  }
  const b = await postOk(srv, bob, { status: 'bob #shared' });
  const c = await postOk(srv, carol, { status: 'carol #shared' });
  await postOk(srv, erin, { status: 'erin #shared' });
  await reblog(srv, dave, b);
  await reblog(srv, dave, c);
  await postOk(srv, dave, { status: 'dave #shared' });
  const everyone = ['dave #shared', 'erin #shared', 'carol #shared', 'bob #shared'];
  await expectListing(srv, null, PUBLIC, L, everyone, 'anonymous public: everyone');
  await expectListing(srv, null, tagPath('shared'), L, everyone, 'anonymous tag: everyone');
  await expectListing(srv, erin, PUBLIC, L, everyone, 'another viewer: everyone');
  await expectListing(srv, alice, PUBLIC, L, ['dave #shared', 'erin #shared'], 'alice\'s public timeline: not the muted bob nor the blocked carol');
  await expectListing(srv, alice, tagPath('shared'), L, ['dave #shared', 'erin #shared'], 'alice\'s tag timeline: not bob, not carol');
  await expectListing(srv, alice, `${tagPath('shared')}?any[]=nothing`, L, ['dave #shared', 'erin #shared'], 'alice\'s tag timeline with any[]');
  await expectHomes(srv, [alice, aliceW], L, ['dave #shared'], `home: dave's status, not his reblogs of bob and carol`);
  await expectHome(srv, erin, L, ['erin #shared'], 'erin\'s home: her own');
}));
