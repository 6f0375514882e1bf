// The visibility matrix: each visibility (public, unlisted, private, direct)
// × each viewer (author, follower, mentioned, stranger, blocked, blocker,
// anonymous) on every read path, all derived from the one table SEES below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withLogs } from './lib/server.mjs';
import { socialServer, postOk, as, ok, followOk, block, ids } from './lib/social.mjs';

const VISIBILITIES = ['public', 'unlisted', 'private', 'direct'];
const VIEWERS = ['author', 'follower', 'mentioned', 'stranger', 'blocked', 'blocker', 'anonymous'];

// Who may see a status of each visibility. "blocked": the author blocked the
// viewer; "blocker": the viewer blocked the author. "mentioned" is mentioned
// in every status and does not follow the author.
const SEES = {
  public: { author: true, follower: true, mentioned: true, stranger: true, blocked: false, blocker: false, anonymous: true },
  unlisted: { author: true, follower: true, mentioned: true, stranger: true, blocked: false, blocker: false, anonymous: true },
  private: { author: true, follower: true, mentioned: true, stranger: false, blocked: false, blocker: false, anonymous: false },
  direct: { author: true, follower: false, mentioned: true, stranger: false, blocked: false, blocker: false, anonymous: false },
};

// Derived rules for each path.
const sees = (v, who) => SEES[v][who];
// Account statuses: the author sees everything; followers also private;
// everyone else public and unlisted; direct only the author (contract).
const listed = (v, who) => sees(v, who) && (who === 'author' || v === 'public' || v === 'unlisted' || (v === 'private' && who === 'follower'));
const readCode = (v, who) => (sees(v, who) ? 200 : 404);
const favouriteCode = (v, who) => (who === 'anonymous' ? 401 : readCode(v, who));
const reblogCode = (v, who) => {
  if (who === 'anonymous') return 401;
  if (!sees(v, who)) return 404;
  if (v === 'direct') return 403;
  if (v === 'private' && who !== 'author') return 403;
  return 200;
};

function table(fn) {
  return Object.fromEntries(VISIBILITIES.map((v) => [v, Object.fromEntries(VIEWERS.map((w) => [w, fn(v, w)]))]));
}

async function tableOf(fn) {
  const out = {};
  for (const v of VISIBILITIES) {
    out[v] = {};
    for (const w of VIEWERS) out[v][w] = await fn(v, w);
  }
  return out;
}

test('visibility matrix: every read path agrees with one expected table', withLogs(async (t, start) => {
  const { srv, users: [author, follower, mentioned, stranger, blocked, blocker, neutral] } = await socialServer(start, {
    users: ['author', 'follower', 'mentioned', 'stranger', 'blocked', 'blocker', 'neutral'],
  });
  const viewer = { author, follower, mentioned, stranger, blocked, blocker, anonymous: null };
  await followOk(srv, follower, author);
  assert.equal((await block(srv, author, blocked)).status, 200);
  assert.equal((await block(srv, blocker, author)).status, 200);

  const parent = await postOk(srv, neutral, { status: 'a public parent' });
  const st = {};
  for (const v of VISIBILITIES) {
    st[v] = await postOk(srv, author, { status: `@${mentioned.username} a ${v} reply`, visibility: v, in_reply_to_id: parent.id });
    assert.equal(st[v].visibility, v);
    assert.deepEqual(st[v].mentions.map((m) => m.id), [mentioned.id]);
  }
  const which = (id) => VISIBILITIES.find((v) => st[v].id === id);

  await t.test('GET /api/v1/statuses/:id', async () => {
    const actual = await tableOf(async (v, w) => (await as(srv, viewer[w], 'GET', `/api/v1/statuses/${st[v].id}`)).status);
    assert.deepEqual(actual, table(readCode));
  });

  await t.test('GET /api/v1/statuses/:id/context of the status itself', async () => {
    const actual = await tableOf(async (v, w) => {
      const res = await as(srv, viewer[w], 'GET', `/api/v1/statuses/${st[v].id}/context`);
      if (res.status === 200) assert.deepEqual(ids(res.body.ancestors), [parent.id], `${v}/${w}: the parent is the ancestor`);
      return res.status;
    });
    assert.deepEqual(actual, table(readCode));
  });

  await t.test('context of the public parent lists the reply as a descendant', async () => {
    const seen = {};
    for (const w of VIEWERS) {
      const c = await ok(srv, viewer[w], 'GET', `/api/v1/statuses/${parent.id}/context`);
      seen[w] = new Set(c.descendants.map((s) => which(s.id)));
      assert.ok(c.descendants.every((s) => which(s.id)), `only the four replies: ${ids(c.descendants)}`);
    }
    assert.deepEqual(table((v, w) => seen[w].has(v)), table(sees));
  });

  await t.test('GET /api/v1/accounts/:id/statuses of the author', async () => {
    const seen = {};
    for (const w of VIEWERS) {
      const list = await ok(srv, viewer[w], 'GET', `/api/v1/accounts/${author.id}/statuses`);
      seen[w] = new Set(list.map((s) => which(s.id)));
      assert.ok(list.every((s) => which(s.id)), `${w}: only the author's four statuses: ${ids(list)}`);
    }
    assert.deepEqual(table((v, w) => seen[w].has(v)), table(listed));
  });

  await t.test('GET favourited_by and reblogged_by', async () => {
    for (const path of ['favourited_by', 'reblogged_by']) {
      const actual = await tableOf(async (v, w) => (await as(srv, viewer[w], 'GET', `/api/v1/statuses/${st[v].id}/${path}`)).status);
      assert.deepEqual(actual, table(readCode), path);
    }
  });

  await t.test('POST favourite', async () => {
    const actual = await tableOf(async (v, w) => (await as(srv, viewer[w], 'POST', `/api/v1/statuses/${st[v].id}/favourite`)).status);
    assert.deepEqual(actual, table(favouriteCode));
    const counts = {};
    for (const v of VISIBILITIES) counts[v] = (await ok(srv, author, 'GET', `/api/v1/statuses/${st[v].id}`)).favourites_count;
    assert.deepEqual(counts, Object.fromEntries(VISIBILITIES.map((v) => [v, VIEWERS.filter((w) => favouriteCode(v, w) === 200).length])));
  });

  await t.test('POST reblog', async () => {
    const wrappers = {};
    const actual = await tableOf(async (v, w) => {
      const res = await as(srv, viewer[w], 'POST', `/api/v1/statuses/${st[v].id}/reblog`);
      if (res.status === 200) {
        assert.equal(res.body.reblog?.id, st[v].id);
        wrappers[`${v}/${w}`] = res.body.id;
      }
      return res.status;
    });
    assert.deepEqual(actual, table(reblogCode));
    const counts = {};
    for (const v of VISIBILITIES) counts[v] = (await ok(srv, author, 'GET', `/api/v1/statuses/${st[v].id}`)).reblogs_count;
    assert.deepEqual(counts, Object.fromEntries(VISIBILITIES.map((v) => [v, VIEWERS.filter((w) => reblogCode(v, w) === 200).length])));

    // A reblog is visible only if its original is: the follower's wrappers
    // of the public and unlisted statuses, read by every viewer.
    for (const v of ['public', 'unlisted']) {
      const wid = wrappers[`${v}/follower`];
      assert.ok(wid, `the follower reblogged the ${v} status`);
      const got = {};
      const inList = {};
      for (const w of VIEWERS) {
        got[w] = (await as(srv, viewer[w], 'GET', `/api/v1/statuses/${wid}`)).status;
        const list = await ok(srv, viewer[w], 'GET', `/api/v1/accounts/${follower.id}/statuses`);
        inList[w] = ids(list).includes(wid);
      }
      assert.deepEqual(got, Object.fromEntries(VIEWERS.map((w) => [w, readCode(v, w)])), `GET the ${v} wrapper`);
      assert.deepEqual(inList, Object.fromEntries(VIEWERS.map((w) => [w, sees(v, w)])), `the ${v} wrapper in the reblogger's statuses`);
    }
  });

  await t.test('replies_count of the parent counts the public and unlisted replies', async () => {
    assert.equal((await ok(srv, null, 'GET', `/api/v1/statuses/${parent.id}`)).replies_count, 2);
  });
}));
