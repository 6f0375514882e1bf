// Integer parameters at and past the ends of 64 bits: every count, id and
// duration is read with range checks and answered as Mastodon answers it
// (a count clamped to its range, a bad id or cursor refused, a duration out
// of range refused), never with a wrapped value or a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withLogs, api, show, createUserToken, MANY_SIGNUPS } from './lib/server.mjs';
import { assertJsonError } from './lib/entities.mjs';

const EXTREMES = [
  '-9223372036854775808', '9223372036854775807', '-9223372036854775807',
  '9223372036854775808', '18446744073709551616', '-99999999999999999999999999', '0', '-1',
];

async function ok(srv, token, method, path, opts = {}) {
  const res = await api(srv, method, path, { token, ...opts });
  assert.equal(res.status, 200, `${method} ${path}: ${show(res)}`);
  return res.body;
}

test('every limit reads as its magnitude clamped to the endpoint\'s range, whatever its size', withLogs(async (t, start) => {
  const srv = await start({ args: MANY_SIGNUPS });
  const alice = await createUserToken(srv);
  const bob = await createUserToken(srv);
  const aliceId = (await ok(srv, alice.token, 'GET', '/api/v1/accounts/verify_credentials')).id;
  const bobId = (await ok(srv, bob.token, 'GET', '/api/v1/accounts/verify_credentials')).id;
  await ok(srv, bob.token, 'POST', `/api/v1/accounts/${aliceId}/follow`);
  await ok(srv, alice.token, 'POST', `/api/v1/accounts/${bobId}/follow`);
  for (let i = 0; i < 3; i++) {
    const s = await ok(srv, alice.token, 'POST', '/api/v1/statuses', { json: { status: `note ${i} #edges @${bob.username ?? ''}` } });
    await ok(srv, bob.token, 'POST', `/api/v1/statuses/${s.id}/favourite`);
  }
  const lists = [
    [alice, '/api/v1/timelines/home'],
    [alice, '/api/v1/timelines/public'],
    [alice, '/api/v1/timelines/tag/edges'],
    [alice, `/api/v1/accounts/${aliceId}/statuses`],
    [alice, `/api/v1/accounts/${aliceId}/followers`],
    [alice, `/api/v1/accounts/${aliceId}/following`],
    [alice, '/api/v1/notifications'],
    [alice, '/api/v2/notifications'],
    [bob, '/api/v1/favourites'],
    [alice, '/api/v1/blocks'],
    [alice, '/api/v1/mutes'],
  ];
  for (const [user, path] of lists) {
    const all = await ok(srv, user.token, 'GET', path);
    const whole = Array.isArray(all) ? all.length : all.notification_groups.length;
    for (const limit of EXTREMES) {
      const res = await api(srv, 'GET', `${path}?limit=${limit}`, { token: user.token });
      assert.equal(res.status, 200, `${path}?limit=${limit}: ${show(res)}`);
      const n = Array.isArray(res.body) ? res.body.length : res.body.notification_groups.length;
      // 0 and -1 read as 1; every other extreme as the endpoint's maximum.
      const expected = limit === '0' || limit === '-1' ? Math.min(1, whole) : whole;
      assert.equal(n, expected, `${path}?limit=${limit}`);
    }
    for (const bad of ['ten', '5x', '--1', '1e3']) {
      const res = await api(srv, 'GET', `${path}?limit=${bad}`, { token: user.token });
      assert.ok(res.status === 400 || res.status === 422, `${path}?limit=${bad}: ${show(res)}`);
      assertJsonError(res, res.status);
    }
  }
  for (const limit of EXTREMES) {
    const res = await api(srv, 'GET', `/api/v1/accounts/search?q=${encodeURIComponent(bob.username ?? 'u')}&limit=${limit}&offset=${limit}`, { token: alice.token });
    assert.equal(res.status, 200, `search limit=${limit}: ${show(res)}`);
    assert.ok(res.body.length <= 80);
    for (const path of ['/api/v1/notifications/unread_count', '/api/v2/notifications/unread_count']) {
      const unread = await api(srv, 'GET', `${path}?limit=${limit}`, { token: alice.token });
      assert.equal(unread.status, 200, `${path}?limit=${limit}: ${show(unread)}`);
      assert.ok(unread.body.count >= 0 && unread.body.count <= 1000, show(unread));
    }
  }
}));

test('ids and cursors past 64 bits or below 1 are refused, never wrapped', withLogs(async (t, start) => {
  const srv = await start({ args: MANY_SIGNUPS });
  const alice = await createUserToken(srv);
  for (const id of EXTREMES) {
    for (const path of [`/api/v1/accounts/${id}`, `/api/v1/statuses/${id}`, `/api/v1/statuses/${id}/context`]) {
      const res = await api(srv, 'GET', path, { token: alice.token });
      assertJsonError(res, 404);
    }
    for (const cursor of ['max_id', 'since_id', 'min_id']) {
      const res = await api(srv, 'GET', `/api/v1/timelines/home?${cursor}=${id}`, { token: alice.token });
      if (id === '0' || id === '9223372036854775807') {
        assert.equal(res.status, 200, `${cursor}=${id}: ${show(res)}`);
      } else {
        assertJsonError(res, 400);
      }
    }
  }
}));

test('a mute duration out of range is refused and mutes nobody', withLogs(async (t, start) => {
  const srv = await start({ args: MANY_SIGNUPS });
  const alice = await createUserToken(srv);
  const bob = await createUserToken(srv);
  const bobId = (await ok(srv, bob.token, 'GET', '/api/v1/accounts/verify_credentials')).id;
  for (const duration of ['9223372036854775807', '-9223372036854775808', '-1', '3153600001', '18446744073709551616', 'forever']) {
    const res = await api(srv, 'POST', `/api/v1/accounts/${bobId}/mute`, { token: alice.token, json: { duration } });
    assert.ok(res.status === 422, `duration ${duration}: ${show(res)}`);
    assertJsonError(res, 422);
    const [rel] = await ok(srv, alice.token, 'GET', `/api/v1/accounts/relationships?id[]=${bobId}`);
    assert.equal(rel.muting, false, `duration ${duration} mutes nobody`);
  }
  // The longest accepted mute lasts a hundred years.
  const longest = await ok(srv, alice.token, 'POST', `/api/v1/accounts/${bobId}/mute`, { json: { duration: 3153600000 } });
  assert.equal(longest.muting, true);
  const [rel] = await ok(srv, alice.token, 'GET', `/api/v1/accounts/relationships?id[]=${bobId}`);
  assert.equal(rel.muting, true);
  assert.ok(Date.parse(rel.muting_expires_at) > Date.now() + 99 * 365 * 24 * 3600 * 1000, show({ status: 200, text: JSON.stringify(rel) }));
}));
