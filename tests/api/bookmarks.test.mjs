// Bookmarks: POST /api/v1/statuses/:id/bookmark and /unbookmark, GET
// /api/v1/bookmarks, the `bookmarked` flag, privacy, and through masto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRestAPIClient } from 'masto';
import { withLogs, show } from './lib/server.mjs';
import { socialServer, postOk, ok, as, followOk } from './lib/social.mjs';

test('bookmarks: the flag, the list newest bookmark first with its Link header, and privacy', withLogs(async (t, start) => {
  const { srv, users: [alice, bob, carol] } = await socialServer(start, { users: ['alice', 'bob', 'carol'] });
  const first = await postOk(srv, alice, 'first');
  const second = await postOk(srv, alice, 'second');
  const third = await postOk(srv, alice, 'third');
  for (const s of [second, first, third]) {
    const res = await ok(srv, bob, 'POST', `/api/v1/statuses/${s.id}/bookmark`);
    assert.equal(res.id, s.id);
    assert.equal(res.bookmarked, true, 'the answer shows the bookmark');
  }
  const again = await ok(srv, bob, 'POST', `/api/v1/statuses/${first.id}/bookmark`);
  assert.equal(again.bookmarked, true, 'bookmarking again changes nothing');

  const shown = await ok(srv, bob, 'GET', `/api/v1/statuses/${first.id}`);
  assert.equal(shown.bookmarked, true);
  const toOthers = await ok(srv, carol, 'GET', `/api/v1/statuses/${first.id}`);
  assert.equal(toOthers.bookmarked, false, 'bookmarks are private');

  const page = await as(srv, bob, 'GET', '/api/v1/bookmarks?limit=2');
  assert.equal(page.status, 200, show(page));
  assert.deepEqual(page.body.map((s) => s.id), [third.id, first.id], 'newest bookmark first');
  for (const s of page.body) assert.equal(s.bookmarked, true);
  const next = page.headers.get('link')?.match(/<([^>]+)>; rel="next"/)?.[1];
  assert.ok(next, `a next link: ${page.headers.get('link')}`);
  const rest = await ok(srv, bob, 'GET', new URL(next).pathname + new URL(next).search);
  assert.deepEqual(rest.map((s) => s.id), [second.id]);

  const removed = await ok(srv, bob, 'POST', `/api/v1/statuses/${third.id}/unbookmark`);
  assert.equal(removed.bookmarked, false);
  await ok(srv, bob, 'POST', `/api/v1/statuses/${third.id}/unbookmark`);
  await ok(srv, alice, 'DELETE', `/api/v1/statuses/${second.id}`);
  const left = await ok(srv, bob, 'GET', '/api/v1/bookmarks');
  assert.deepEqual(left.map((s) => s.id), [first.id], 'unbookmarked and deleted statuses leave');
  assert.deepEqual(await ok(srv, carol, 'GET', '/api/v1/bookmarks'), []);

  const hidden = await postOk(srv, alice, { status: 'followers only', visibility: 'private' });
  const refused = await as(srv, carol, 'POST', `/api/v1/statuses/${hidden.id}/bookmark`);
  assert.equal(refused.status, 404, `what one may not see cannot be bookmarked: ${show(refused)}`);
  assert.equal((await as(srv, null, 'GET', '/api/v1/bookmarks')).status, 401);
}));

test('bookmarking puts a status in the bookmarker\'s search library; masto bookmark and list', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  await followOk(srv, bob, alice);
  const s = await postOk(srv, alice, { status: 'quietly kept words', visibility: 'private' });
  const masto = createRestAPIClient({ url: srv.url, accessToken: bob.token });
  const search = async () => (await masto.v2.search.list({ q: 'quietly', type: 'statuses' })).statuses.map((x) => x.id);
  assert.deepEqual(await search(), [], 'a followers-only status is not in a follower\'s library');
  const marked = await masto.v1.statuses.$select(s.id).bookmark();
  assert.equal(marked.bookmarked, true);
  const deadline = Date.now() + 5000;
  let found = [];
  while (Date.now() < deadline) {
    found = await search();
    if (found.length) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.deepEqual(found, [s.id], 'found once bookmarked');
  const listed = await masto.v1.bookmarks.list();
  assert.deepEqual(listed.map((x) => x.id), [s.id]);
  await masto.v1.statuses.$select(s.id).unbookmark();
  assert.deepEqual(await masto.v1.bookmarks.list(), []);
}));
