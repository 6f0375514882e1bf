// Notifications: the six types and when they arise, none for one's own
// actions, no duplicates, undo withdraws, blocks and mutes, the v1 list (order,
// limit, filters, pagination, Link headers, scopes), a single notification,
// dismiss and clear, the unread count and markers, visibility, grouped
// notifications (v2), and masto / megalodon.
//
// Notifications are created after the action is answered (an event stream is
// drained in order), so every check polls (bounded) until the expected
// notification is there. Absence is asserted only after a barrier: a later
// mention that must arrive, and that is handled after everything before it.
//
// Notifications read as labels: `favourite bob "alice post"` is a favourite by
// bob whose status is the one posted with the text "alice post".
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRestAPIClient, MastoHttpError } from 'masto';
import megalodonPkg from 'megalodon';
import { withLogs, api, show, pollUntil, registerApp, appToken } from './lib/server.mjs';
import { assertJsonError, assertAccount, assertIsoDatetime } from './lib/entities.mjs';
import {
  socialServer, postOk, as, ok, followOk, page, walk, ids, assertStatus, scopedToken, cmpId,
} from './lib/social.mjs';

const generator = megalodonPkg.default ?? megalodonPkg;

const V1 = '/api/v1/notifications';
const V2 = '/api/v2/notifications';
const MARKERS = '/api/v1/markers';
const TYPES = ['mention', 'status', 'reblog', 'follow', 'follow_request', 'favourite'];
const WITH_STATUS = new Set(['mention', 'status', 'reblog', 'favourite']);
const NOT_FOUND = 'Record not found';
const OUT_OF_SCOPE = 'This action is outside the authorized scopes';

// ---------------------------------------------------------------------------
// Helpers

// Notification: every field with the right type (Mastodon's entity).
function assertNotification(n) {
  const ctx = JSON.stringify(n).slice(0, 1500);
  assert.equal(typeof n, 'object', ctx);
  assert.equal(typeof n.id, 'string', `Notification.id is a string: ${ctx}`);
  assert.match(n.id, /^\d+$/, `Notification.id is a numeric string: ${ctx}`);
  assert.ok(TYPES.includes(n.type), `Notification.type is one of ${TYPES.join(', ')}: ${ctx}`);
  assertIsoDatetime(n.created_at, 'Notification.created_at');
  assertAccount(n.account);
  assert.equal(typeof n.group_key, 'string', `Notification.group_key is a string: ${ctx}`);
  assert.ok(n.group_key.length > 0, `Notification.group_key is not empty: ${ctx}`);
  if (WITH_STATUS.has(n.type)) {
    assert.ok(n.status && typeof n.status === 'object', `a ${n.type} notification carries its status: ${ctx}`);
    assertStatus(n.status, { authed: true });
  } else {
    assert.ok(n.status === undefined || n.status === null, `a ${n.type} notification has no status: ${ctx}`);
  }
}

// Ids strictly descending (newest first), no duplicates.
function assertNewestFirst(list, what) {
  for (let i = 1; i < list.length; i += 1) {
    assert.equal(cmpId(list[i - 1].id, list[i].id), 1, `${what}: newest first (${list[i - 1].id} before ${list[i].id})`);
  }
}

const lock = (srv, u) => ok(srv, u, 'PATCH', '/api/v1/accounts/update_credentials', { json: { locked: true } });
const favourite = (srv, u, s) => ok(srv, u, 'POST', `/api/v1/statuses/${s.id}/favourite`);
const unfavourite = (srv, u, s) => ok(srv, u, 'POST', `/api/v1/statuses/${s.id}/unfavourite`);
const reblog = (srv, u, s) => ok(srv, u, 'POST', `/api/v1/statuses/${s.id}/reblog`);
const unreblog = (srv, u, s) => ok(srv, u, 'POST', `/api/v1/statuses/${s.id}/unreblog`);
const unfollow = (srv, u, target) => ok(srv, u, 'POST', `/api/v1/accounts/${target.id}/unfollow`);
const del = (srv, u, s) => ok(srv, u, 'DELETE', `/api/v1/statuses/${s.id}`);
const unreadCount = async (srv, u, v = V1) => ok(srv, u, 'GET', `${v}/unread_count`);
const setMarker = (srv, u, json) => ok(srv, u, 'POST', MARKERS, { json });

// One server and its users, with readable labels for notifications.
class World {
  constructor(srv, users) {
    this.srv = srv;
    this.users = users;
    this.byName = new Map(users.map((u) => [u.name, u]));
    this.names = new Map(users.map((u) => [u.id, u.name]));
    this.statusLabels = new Map(); // status id → the text as written in the test
    this.barriers = 0;
  }

  // Posts as `user`. "@name" of a user of this world becomes that user's real
  // @username; the status is labelled with the text as written.
  async post(user, text, extra = {}) {
    const status = text.replace(/@(\w+)/g, (m, n) => (this.byName.has(n) ? `@${this.byName.get(n).username}` : m));
    const s = await postOk(this.srv, user, { status, ...extra });
    this.statusLabels.set(s.id, text);
    return s;
  }

  label(n) {
    const who = this.names.get(n.account?.id) ?? `account ${n.account?.id}`;
    const what = n.status ? ` "${this.statusLabels.get(n.status.id) ?? `status ${n.status.id}`}"` : '';
    return `${n.type} ${who}${what}`;
  }

  all(list) { return list.map((n) => this.label(n)); }

  find(list, label) {
    const n = list.find((x) => this.label(x) === label);
    assert.ok(n, `${label} is among ${JSON.stringify(this.all(list))}`);
    return n;
  }

  // One GET of the v1 list (limit 80 unless `qs` says otherwise), asserting 200.
  async list(user, qs = '') {
    const path = `${V1}?limit=80${qs ? `&${qs}` : ''}`;
    const res = await as(this.srv, user, 'GET', path);
    assert.equal(res.status, 200, `GET ${path} as ${user.name}: ${show(res)}`);
    assert.ok(Array.isArray(res.body), `GET ${path} returns an array: ${show(res)}`);
    return res.body;
  }

  // Polls `user`'s notifications until `pred(list)` holds; returns the list.
  async waitFor(user, pred, what, { timeoutMs = 5000, qs } = {}) {
    let last = null;
    try {
      await pollUntil(async () => {
        last = await this.list(user, qs);
        return pred(last);
      }, { timeoutMs, what: `${what} (notifications of ${user.name})` });
    } catch (e) {
      if (last && /timed out/.test(e.message)) {
        e.message += `\n  ${user.name}'s notifications now: ${JSON.stringify(this.all(last))}`;
      }
      throw e;
    }
    return last;
  }

  // Waits until every label in `wanted` is among `user`'s notifications.
  waitLabels(user, wanted, opts) {
    return this.waitFor(user, (list) => {
      const got = new Set(this.all(list));
      return wanted.every((w) => got.has(w));
    }, JSON.stringify(wanted), opts);
  }

  // A positive barrier: `witness` mentions every one of `users` in a new status
  // and we wait until each has that mention. Events are handled in order, so
  // everything done before is handled too. → { label(user), lists: Map(name → list) }
  async barrier(users, witness) {
    const list = Array.isArray(users) ? users : [users];
    this.barriers += 1;
    const text = `${list.map((u) => `@${u.name}`).join(' ')} barrier ${this.barriers}`;
    await this.post(witness, text);
    const label = `mention ${witness.name} "${text}"`;
    const lists = new Map();
    for (const u of list) lists.set(u.name, await this.waitLabels(u, [label]));
    return { label, lists, list: lists.get(list[0].name) };
  }
}

async function world(start, names, { args } = {}) {
  const { srv, users } = await socialServer(start, { users: names, args });
  const w = new World(srv, users);
  return { w, srv, users };
}

// Every type for alice, in this order: follow (dave), follow_request (erin,
// after alice locks her account), favourite (bob), reblog (carol), mention
// (carol), status (bob, followed by alice with notify). Waits for all six and
// returns { list (newest first), expected (their labels), s (alice's status) }.
async function everyKind(w) {
  const { srv } = w;
  const [alice, bob, carol, dave, erin] = ['alice', 'bob', 'carol', 'dave', 'erin'].map((n) => w.byName.get(n));
  const s = await w.post(alice, 'alice post');
  assert.equal((await followOk(srv, alice, bob, { notify: true })).notifying, true);
  await followOk(srv, dave, alice);
  await lock(srv, alice);
  assert.equal((await followOk(srv, erin, alice)).requested, true);
  await favourite(srv, bob, s);
  await reblog(srv, carol, s);
  await w.post(carol, '@alice hi');
  await w.post(bob, 'bob news');
  const expected = [
    'status bob "bob news"', 'mention carol "@alice hi"', 'reblog carol "alice post"',
    'favourite bob "alice post"', 'follow_request erin', 'follow dave',
  ];
  const list = await w.waitLabels(alice, expected);
  assert.deepEqual(w.all(list), expected, 'alice has exactly these, newest first');
  return { list, expected, s };
}

// ---------------------------------------------------------------------------

describe('types: when each notification arises, and its entity', () => {
  test('mention: a status mentioning the recipient notifies it; the entity has id, type, created_at, account, status and group_key; GET :id returns the same', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob] } = await world(start, ['alice', 'bob']);
    const before = Date.now();
    const m = await w.post(bob, 'hello @alice');
    const list = await w.waitLabels(alice, ['mention bob "hello @alice"']);
    const after = Date.now();
    assert.deepEqual(w.all(list), ['mention bob "hello @alice"']);
    const n = list[0];
    assertNotification(n);
    assert.equal(n.type, 'mention');
    assert.equal(n.account.id, bob.id, 'account is the author of the mentioning status');
    assert.equal(n.account.username, bob.username);
    assert.equal(n.status.id, m.id, 'status is the mentioning status');
    assert.equal(n.status.account.id, bob.id);
    assert.deepEqual(n.status.mentions.map((x) => x.id), [alice.id]);
    const at = Date.parse(n.created_at);
    assert.ok(at >= before - 2000 && at <= after + 2000, `created_at is the time of the mention: ${n.created_at}`);
    assert.deepEqual(await ok(srv, alice, 'GET', `${V1}/${n.id}`), n, 'GET /api/v1/notifications/:id renders the same notification');
    assert.deepEqual(await w.list(bob), [], 'the author is not notified');
  }));

  test('status: a follow with notify:true notifies of new original statuses the follower can see; not of reblogs, not of a direct status to someone else; a follow without notify gives none', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob, carol, dave, erin] } = await world(start, ['alice', 'bob', 'carol', 'dave', 'erin']);
    assert.equal((await followOk(srv, alice, bob, { notify: true })).notifying, true);
    assert.equal((await followOk(srv, carol, bob)).notifying, false);
    const d = await w.post(dave, 'dave post');
    await w.post(bob, 'bob public');
    await w.post(bob, 'bob unlisted', { visibility: 'unlisted' });
    await w.post(bob, 'bob private', { visibility: 'private' });
    await reblog(srv, bob, d);
    await w.post(bob, '@erin bob direct', { visibility: 'direct' });
    const b = await w.barrier([alice, carol], dave);
    assert.deepEqual(w.all(b.lists.get('alice')),
      [b.label, 'status bob "bob private"', 'status bob "bob unlisted"', 'status bob "bob public"'],
      'alice: one status notification per original status she can see; none for the reblog or the direct status');
    for (const n of b.lists.get('alice')) {
      assertNotification(n);
      if (n.type !== 'status') continue;
      assert.equal(n.account.id, bob.id, 'account is the author');
      assert.equal((await ok(srv, alice, 'GET', `/api/v1/statuses/${n.status.id}`)).id, n.status.id, 'alice can see the status');
    }
    assert.deepEqual(w.all(b.lists.get('carol')), [b.label], 'carol follows bob without notify: nothing');
    assert.deepEqual(w.all(await w.list(erin)), ['mention bob "@erin bob direct"'], 'erin, mentioned in the direct status, gets the mention');
  }));

  test('reblog: reblogging the recipient\'s status notifies it; status is the original, account the reblogger', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob] } = await world(start, ['alice', 'bob']);
    const s = await w.post(alice, 'alice post');
    const wrapper = await reblog(srv, bob, s);
    const list = await w.waitLabels(alice, ['reblog bob "alice post"']);
    assert.deepEqual(w.all(list), ['reblog bob "alice post"']);
    const n = list[0];
    assertNotification(n);
    assert.equal(n.account.id, bob.id);
    assert.equal(n.status.id, s.id, `the original status, not the reblog wrapper ${wrapper.id}`);
    assert.equal(n.status.reblog, null);
    assert.equal(n.status.account.id, alice.id);
    assert.equal(n.status.reblogs_count, 1);
  }));

  test('favourite: favouriting the recipient\'s status notifies it with that status and the favouriter', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob] } = await world(start, ['alice', 'bob']);
    const s = await w.post(alice, 'alice post');
    await favourite(srv, bob, s);
    const list = await w.waitLabels(alice, ['favourite bob "alice post"']);
    assert.deepEqual(w.all(list), ['favourite bob "alice post"']);
    const n = list[0];
    assertNotification(n);
    assert.equal(n.account.id, bob.id);
    assert.equal(n.status.id, s.id);
    assert.equal(n.status.account.id, alice.id);
    assert.equal(n.status.favourites_count, 1);
  }));

  test('follow: following an unlocked account notifies it; the notification has no status', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob] } = await world(start, ['alice', 'bob']);
    await followOk(srv, bob, alice);
    const list = await w.waitLabels(alice, ['follow bob']);
    assert.deepEqual(w.all(list), ['follow bob']);
    assertNotification(list[0]);
    assert.equal(list[0].account.id, bob.id);
    assert.ok(list[0].status == null, `no status: ${JSON.stringify(list[0]).slice(0, 500)}`);
    assert.deepEqual(await w.list(bob), [], 'the follower is not notified');
  }));

  test('follow_request: asking to follow a locked account notifies it with follow_request, not follow', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob, carol] } = await world(start, ['alice', 'bob', 'carol']);
    assert.equal((await lock(srv, alice)).locked, true);
    assert.equal((await followOk(srv, bob, alice)).requested, true);
    const b = await w.barrier(alice, carol);
    assert.deepEqual(w.all(b.list), [b.label, 'follow_request bob']);
    const n = w.find(b.list, 'follow_request bob');
    assertNotification(n);
    assert.equal(n.account.id, bob.id);
    assert.ok(n.status == null, 'no status');
  }));
});

describe('no notification for one\'s own actions, and none twice', () => {
  test('favouriting and reblogging one\'s own status and mentioning oneself notify nobody', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob] } = await world(start, ['alice', 'bob']);
    const s = await w.post(alice, 'alice post');
    await favourite(srv, alice, s);
    await reblog(srv, alice, s);
    await w.post(alice, '@alice note to self');
    await w.post(alice, '@alice a reply to myself', { in_reply_to_id: s.id });
    const b = await w.barrier(alice, bob);
    assert.deepEqual(w.all(b.list), [b.label], 'only the barrier');
  }));

  test('repeating an action does not duplicate its notification: favourite twice, reblog twice, follow twice, five favourites at once', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob, carol, dave] } = await world(start, ['alice', 'bob', 'carol', 'dave']);
    const s = await w.post(alice, 'alice post');
    await favourite(srv, bob, s);
    await favourite(srv, bob, s);
    await reblog(srv, bob, s);
    await reblog(srv, bob, s);
    await followOk(srv, bob, alice);
    await followOk(srv, bob, alice);
    const par = await Promise.all(Array.from({ length: 5 }, () => as(srv, carol, 'POST', `/api/v1/statuses/${s.id}/favourite`)));
    for (const r of par) assert.equal(r.status, 200, show(r));
    const b = await w.barrier(alice, dave);
    assert.deepEqual(w.all(b.list), [
      b.label, 'favourite carol "alice post"', 'follow bob', 'reblog bob "alice post"', 'favourite bob "alice post"',
    ]);
  }));
});

describe('undo withdraws the notification', () => {
  test('unfavourite, unreblog and unfollow withdraw their notifications; favourite → unfavourite → favourite leaves exactly one', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob, carol] } = await world(start, ['alice', 'bob', 'carol']);
    const s = await w.post(alice, 'alice post');
    await favourite(srv, bob, s);
    await reblog(srv, bob, s);
    await followOk(srv, bob, alice);
    const three = await w.waitLabels(alice, ['favourite bob "alice post"', 'reblog bob "alice post"', 'follow bob']);
    await unfavourite(srv, bob, s);
    await unreblog(srv, bob, s);
    await unfollow(srv, bob, alice);
    const b1 = await w.barrier(alice, carol);
    assert.deepEqual(w.all(b1.list), [b1.label], 'every undone action\'s notification is gone');
    for (const n of three) assertJsonError(await as(srv, alice, 'GET', `${V1}/${n.id}`), 404, NOT_FOUND);

    await favourite(srv, bob, s);
    await unfavourite(srv, bob, s);
    await favourite(srv, bob, s);
    const b2 = await w.barrier(alice, carol);
    assert.deepEqual(w.all(b2.list), [b2.label, 'favourite bob "alice post"', b1.label], 'exactly one favourite notification');
  }));

  test('deleting a status withdraws the mention and status notifications of it and the favourite and reblog notifications about it', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob, carol, dave] } = await world(start, ['alice', 'bob', 'carol', 'dave']);
    await followOk(srv, carol, bob, { notify: true });
    const s = await w.post(alice, 'alice post');
    await favourite(srv, bob, s);
    await reblog(srv, bob, s);
    const m = await w.post(bob, '@alice look');
    await w.post(bob, '@alice keep');
    const aliceHad = await w.waitLabels(alice, [
      'mention bob "@alice keep"', 'mention bob "@alice look"', 'reblog bob "alice post"', 'favourite bob "alice post"',
    ]);
    assert.equal(aliceHad.length, 4);
    const carolHad = await w.waitLabels(carol, ['status bob "@alice keep"', 'status bob "@alice look"']);
    assert.deepEqual(w.all(carolHad), ['status bob "@alice keep"', 'status bob "@alice look"'], 'reblogs give no status notification');
    await del(srv, bob, m);
    await del(srv, alice, s);
    const b = await w.barrier([alice, carol], dave);
    assert.deepEqual(w.all(b.lists.get('alice')), [b.label, 'mention bob "@alice keep"']);
    assert.deepEqual(w.all(b.lists.get('carol')), [b.label, 'status bob "@alice keep"']);
    const gone = aliceHad.filter((x) => x.status.id === m.id || x.status.id === s.id);
    assert.equal(gone.length, 3);
    for (const n of gone) assertJsonError(await as(srv, alice, 'GET', `${V1}/${n.id}`), 404, NOT_FOUND);
  }));

  test('a follow request that is withdrawn, authorized or rejected withdraws its follow_request notification', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob, carol, dave, erin] } = await world(start, ['alice', 'bob', 'carol', 'dave', 'erin']);
    await lock(srv, alice);
    for (const u of [bob, carol, dave]) assert.equal((await followOk(srv, u, alice)).requested, true);
    const had = await w.waitLabels(alice, ['follow_request bob', 'follow_request carol', 'follow_request dave']);
    await unfollow(srv, bob, alice);
    await ok(srv, alice, 'POST', `/api/v1/follow_requests/${carol.id}/authorize`);
    await ok(srv, alice, 'POST', `/api/v1/follow_requests/${dave.id}/reject`);
    const b = await w.barrier(alice, erin);
    assert.deepEqual(w.all(b.list).filter((l) => l.startsWith('follow_request')), [], `no follow_request left: ${JSON.stringify(w.all(b.list))}`);
    for (const n of had.filter((x) => x.type === 'follow_request')) {
      assertJsonError(await as(srv, alice, 'GET', `${V1}/${n.id}`), 404, NOT_FOUND);
    }
  }));
});

describe('blocks and mutes', () => {
  test('blocking an account removes its existing notifications and no new ones come from it', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob, carol, dave] } = await world(start, ['alice', 'bob', 'carol', 'dave']);
    const s = await w.post(alice, 'alice post');
    await w.post(bob, '@alice hi');
    await favourite(srv, bob, s);
    await followOk(srv, bob, alice);
    await favourite(srv, carol, s);
    await w.waitLabels(alice, ['mention bob "@alice hi"', 'favourite bob "alice post"', 'follow bob', 'favourite carol "alice post"']);
    await ok(srv, alice, 'POST', `/api/v1/accounts/${bob.id}/block`);
    const b1 = await w.barrier(alice, dave);
    assert.deepEqual(w.all(b1.list), [b1.label, 'favourite carol "alice post"'], 'bob\'s notifications are gone');
    await w.post(bob, '@alice are you there?');
    const b2 = await w.barrier(alice, dave);
    assert.deepEqual(w.all(b2.list), [b2.label, b1.label, 'favourite carol "alice post"'], 'bob\'s new mention does not notify');
  }));

  test('muting with notifications (the default) stops new notifications from the account; muting with notifications:false does not; unmuting lets them through again', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob, carol, dave] } = await world(start, ['alice', 'bob', 'carol', 'dave']);
    const s = await w.post(alice, 'alice post');
    assert.equal((await ok(srv, alice, 'POST', `/api/v1/accounts/${bob.id}/mute`)).muting_notifications, true);
    assert.equal((await ok(srv, alice, 'POST', `/api/v1/accounts/${carol.id}/mute`, { json: { notifications: false } })).muting_notifications, false);
    for (const u of [bob, carol]) {
      await w.post(u, `@alice from ${u.name}`);
      await favourite(srv, u, s);
      await followOk(srv, u, alice);
    }
    const b = await w.barrier(alice, dave);
    assert.deepEqual(w.all(b.list), [b.label, 'follow carol', 'favourite carol "alice post"', 'mention carol "@alice from carol"'],
      'nothing from bob (notifications muted); everything from carol');
    await ok(srv, alice, 'POST', `/api/v1/accounts/${bob.id}/unmute`);
    await w.post(bob, '@alice unmuted');
    const list = await w.waitLabels(alice, ['mention bob "@alice unmuted"']);
    assert.deepEqual(w.all(list).slice(0, 2), ['mention bob "@alice unmuted"', b.label]);
  }));
});

describe('GET /api/v1/notifications', () => {
  test('newest first; max_id, since_id and min_id paginate; Link rel="next" (max_id) and rel="prev" (min_id)', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob] } = await world(start, ['alice', 'bob']);
    const texts = [1, 2, 3, 4, 5].map((i) => `@alice number ${i}`);
    for (const x of texts) await w.post(bob, x);
    const labels = texts.map((x) => `mention bob "${x}"`).reverse();
    const all = await w.waitLabels(alice, labels);
    assert.deepEqual(w.all(all), labels, 'newest first');
    assertNewestFirst(all, 'the whole list');
    for (const n of all) assertNotification(n);
    const [n5, n4, n3, n2, n1] = ids(all);

    const p1 = await page(srv, alice, `${V1}?limit=2`);
    assert.deepEqual(ids(p1.items), [n5, n4]);
    const next = new URL(p1.link.next);
    const prev = new URL(p1.link.prev);
    assert.equal(next.pathname, V1);
    assert.equal(next.searchParams.get('max_id'), n4, `next: max_id is the page's last id: ${p1.link.next}`);
    assert.equal(next.searchParams.get('limit'), '2', `next keeps the limit: ${p1.link.next}`);
    assert.equal(prev.pathname, V1);
    assert.equal(prev.searchParams.get('min_id'), n5, `prev: min_id is the page's first id: ${p1.link.prev}`);
    const p2 = await page(srv, alice, p1.link.next);
    assert.deepEqual(ids(p2.items), [n3, n2]);
    const p3 = await page(srv, alice, p2.link.next);
    assert.deepEqual(ids(p3.items), [n1]);
    const p4 = await page(srv, alice, p3.link.next);
    assert.deepEqual(p4.items, [], 'past the oldest: empty, without a Link header');
    assert.deepEqual(ids((await page(srv, alice, p2.link.prev)).items), [n5, n4], 'prev of page 2 is page 1');
    assert.deepEqual((await page(srv, alice, p1.link.prev)).items, [], 'nothing newer than the newest');

    const q = async (qs) => ids((await page(srv, alice, `${V1}?${qs}`)).items);
    assert.deepEqual(await q(`max_id=${n4}`), [n3, n2, n1], 'max_id: strictly older');
    assert.deepEqual(await q(`since_id=${n2}`), [n5, n4, n3], 'since_id: strictly newer');
    assert.deepEqual(await q(`since_id=${n1}&limit=2`), [n5, n4], 'since_id: the newest ones');
    assert.deepEqual(await q(`min_id=${n1}&limit=2`), [n3, n2], 'min_id: the oldest ones above it, newest first');
    assert.deepEqual(await q(`min_id=${n2}`), [n5, n4, n3]);
    assert.deepEqual(await q(`since_id=${n1}&max_id=${n5}`), [n4, n3, n2], 'both bounds');
    assert.deepEqual(await q(`max_id=${n1}`), []);
    assert.deepEqual(await q(`min_id=${n5}`), []);
  }));

  test('limit defaults to 40 and is at most 80 (limit=100 returns 80)', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob] } = await world(start, ['alice', 'bob']);
    for (let i = 0; i < 81; i += 10) {
      const batch = Array.from({ length: Math.min(10, 81 - i) }, (_, j) => w.post(bob, `@alice n${i + j}`));
      await Promise.all(batch);
    }
    await w.post(bob, '@alice last');
    await w.waitLabels(alice, ['mention bob "@alice last"'], { timeoutMs: 15_000 });
    assert.equal((await page(srv, alice, V1)).items.length, 40, 'default 40');
    assert.equal((await page(srv, alice, `${V1}?limit=80`)).items.length, 80);
    assert.equal((await page(srv, alice, `${V1}?limit=100`)).items.length, 80, 'at most 80');
    assert.equal((await page(srv, alice, `${V1}?limit=5`)).items.length, 5);
    const whole = await walk(srv, alice, `${V1}?limit=80`);
    assert.deepEqual(whole.pages.map((p) => p.length), [80, 2], 'all 82 notifications over two pages');
    assert.equal(new Set(ids(whole.items)).size, 82, 'no duplicates across pages');
    assertNewestFirst(whole.items, 'walking every page');
  }));

  test('types[] and exclude_types[] filter by type, account_id by actor; next links keep the filter', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob, carol] } = await world(start, ['alice', 'bob', 'carol']);
    const s = await w.post(alice, 'alice post');
    await w.post(bob, '@alice hi');
    await favourite(srv, bob, s);
    await followOk(srv, carol, alice);
    await reblog(srv, carol, s);
    const expected = ['reblog carol "alice post"', 'follow carol', 'favourite bob "alice post"', 'mention bob "@alice hi"'];
    assert.deepEqual(w.all(await w.waitLabels(alice, expected)), expected);
    const f = async (qs) => w.all(await w.list(alice, qs));
    assert.deepEqual(await f('types[]=mention&types[]=favourite'), ['favourite bob "alice post"', 'mention bob "@alice hi"']);
    assert.deepEqual(await f('types[]=follow'), ['follow carol']);
    assert.deepEqual(await f('exclude_types[]=follow&exclude_types[]=reblog'), ['favourite bob "alice post"', 'mention bob "@alice hi"']);
    assert.deepEqual(await f('exclude_types[]=mention'), expected.slice(0, 3));
    assert.deepEqual(await f(`account_id=${carol.id}`), ['reblog carol "alice post"', 'follow carol']);
    assert.deepEqual(await f(`account_id=${bob.id}&types[]=mention`), ['mention bob "@alice hi"']);
    assert.deepEqual(await f(`account_id=${alice.id}`), [], 'nothing from alice herself');
    assert.deepEqual(await f('types[]=status'), []);

    const p1 = await page(srv, alice, `${V1}?types[]=mention&types[]=favourite&limit=1`);
    assert.deepEqual(w.all(p1.items), ['favourite bob "alice post"']);
    const p2 = await page(srv, alice, p1.link.next);
    assert.deepEqual(w.all(p2.items), ['mention bob "@alice hi"'], `the next link keeps types[]: ${p1.link.next}`);
    const c1 = await page(srv, alice, `${V1}?account_id=${carol.id}&limit=1`);
    assert.deepEqual(w.all((await page(srv, alice, c1.link.next)).items), ['follow carol'], `the next link keeps account_id: ${c1.link.next}`);
  }));

  test('needs a user token with read:notifications or read: anonymous 401, other scopes 403, an app token 422; dismiss needs write:notifications', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob] } = await world(start, ['alice', 'bob'], { args: ['--password-grant', 'on'] });
    await w.post(bob, '@alice hi');
    const [n] = await w.waitLabels(alice, ['mention bob "@alice hi"']);
    const anonymous = [
      ['GET', V1], ['GET', `${V1}/${n.id}`], ['POST', `${V1}/${n.id}/dismiss`], ['POST', `${V1}/clear`],
      ['GET', `${V1}/unread_count`], ['GET', V2], ['GET', `${V2}/unread_count`], ['GET', `${V2}/${n.group_key}`],
      ['POST', `${V2}/${n.group_key}/dismiss`], ['GET', `${V2}/${n.group_key}/accounts`],
      ['GET', `${MARKERS}?timeline[]=notifications`],
    ];
    for (const [method, path] of anonymous) assertJsonError(await api(srv, method, path), 401);
    assertJsonError(await api(srv, 'POST', MARKERS, { json: { notifications: { last_read_id: n.id } } }), 401);

    for (const scope of ['read:notifications', 'read']) {
      const token = await scopedToken(srv, alice, scope);
      const res = await api(srv, 'GET', V1, { token });
      assert.equal(res.status, 200, `${scope}: ${show(res)}`);
      assert.deepEqual(ids(res.body), [n.id], scope);
      assert.equal((await api(srv, 'GET', `${V1}/${n.id}`, { token })).status, 200, scope);
      assert.equal((await api(srv, 'GET', `${V1}/unread_count`, { token })).status, 200, scope);
      assert.equal((await api(srv, 'GET', V2, { token })).status, 200, scope);
    }
    for (const scope of ['read:statuses', 'write', 'write:notifications']) {
      const token = await scopedToken(srv, alice, scope);
      assertJsonError(await api(srv, 'GET', V1, { token }), 403, OUT_OF_SCOPE);
    }
    const readOnly = await scopedToken(srv, alice, 'read');
    assertJsonError(await api(srv, 'POST', `${V1}/${n.id}/dismiss`, { token: readOnly }), 403, OUT_OF_SCOPE);
    assertJsonError(await api(srv, 'POST', `${V1}/clear`, { token: readOnly }), 403, OUT_OF_SCOPE);
    assert.deepEqual(ids(await w.list(alice)), [n.id], 'a refused dismiss or clear changes nothing');

    const at = await appToken(srv, await registerApp(srv), 'read write');
    assertJsonError(await api(srv, 'GET', V1, { token: at }), 422, 'This method requires an authenticated user');

    const writer = await scopedToken(srv, alice, 'write:notifications');
    const dis = await api(srv, 'POST', `${V1}/${n.id}/dismiss`, { token: writer });
    assert.equal(dis.status, 200, show(dis));
    assert.deepEqual(await w.list(alice), []);
  }));
});

describe('a single notification, dismiss and clear', () => {
  test('GET /api/v1/notifications/:id: the recipient gets it; someone else\'s or an unknown id is 404 Record not found', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob, carol] } = await world(start, ['alice', 'bob', 'carol']);
    await w.post(bob, '@alice hi');
    const [n] = await w.waitLabels(alice, ['mention bob "@alice hi"']);
    const got = await ok(srv, alice, 'GET', `${V1}/${n.id}`);
    assertNotification(got);
    assert.deepEqual(got, n);
    for (const other of [bob, carol]) {
      assertJsonError(await as(srv, other, 'GET', `${V1}/${n.id}`), 404, NOT_FOUND);
    }
    for (const id of ['99999999999999', 'abc', '0']) {
      assertJsonError(await as(srv, alice, 'GET', `${V1}/${id}`), 404, NOT_FOUND);
    }
  }));

  test('POST /api/v1/notifications/:id/dismiss: 200 {}, then GET :id is 404 and the list no longer has it; someone else\'s is 404 and stays', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob] } = await world(start, ['alice', 'bob']);
    const s = await w.post(alice, '@bob alice post');
    await w.post(bob, '@alice hi');
    await favourite(srv, bob, s);
    const list = await w.waitLabels(alice, ['favourite bob "@bob alice post"', 'mention bob "@alice hi"']);
    const [bobs] = await w.waitLabels(bob, ['mention alice "@bob alice post"']);
    const mention = w.find(list, 'mention bob "@alice hi"');

    const res = await as(srv, alice, 'POST', `${V1}/${mention.id}/dismiss`);
    assert.equal(res.status, 200, show(res));
    assert.match(res.contentType, /^application\/json/, show(res));
    assert.deepEqual(res.body, {});
    assertJsonError(await as(srv, alice, 'GET', `${V1}/${mention.id}`), 404, NOT_FOUND);
    assert.deepEqual(w.all(await w.list(alice)), ['favourite bob "@bob alice post"']);
    assertJsonError(await as(srv, alice, 'POST', `${V1}/${mention.id}/dismiss`), 404, NOT_FOUND);

    assertJsonError(await as(srv, alice, 'POST', `${V1}/${bobs.id}/dismiss`), 404, NOT_FOUND);
    assert.deepEqual(await ok(srv, bob, 'GET', `${V1}/${bobs.id}`), bobs, 'bob\'s notification stays');
    assert.deepEqual(w.all(await w.list(bob)), ['mention alice "@bob alice post"']);
    for (const id of ['99999999999999', 'abc']) assertJsonError(await as(srv, alice, 'POST', `${V1}/${id}/dismiss`), 404, NOT_FOUND);
    assert.equal((await ok(srv, null, 'GET', `/api/v1/statuses/${s.id}`)).favourites_count, 1, 'dismissing undoes nothing');
  }));

  test('POST /api/v1/notifications/clear: {} and the list is empty; other accounts keep theirs; new ones arrive afterwards', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob, carol] } = await world(start, ['alice', 'bob', 'carol']);
    const s = await w.post(alice, '@bob alice post');
    await w.post(bob, '@alice hi');
    await favourite(srv, bob, s);
    await followOk(srv, carol, alice);
    await w.waitLabels(alice, ['mention bob "@alice hi"', 'favourite bob "@bob alice post"', 'follow carol']);
    await w.waitLabels(bob, ['mention alice "@bob alice post"']);
    const res = await as(srv, alice, 'POST', `${V1}/clear`);
    assert.equal(res.status, 200, show(res));
    assert.deepEqual(res.body, {});
    assert.deepEqual(await w.list(alice), []);
    assert.deepEqual(await unreadCount(srv, alice), { count: 0 });
    assert.deepEqual((await ok(srv, alice, 'GET', V2)).notification_groups, []);
    assert.deepEqual(w.all(await w.list(bob)), ['mention alice "@bob alice post"'], 'bob keeps his');
    const b = await w.barrier(alice, carol);
    assert.deepEqual(w.all(b.list), [b.label], 'new notifications arrive after a clear');
  }));
});

describe('unread count and markers', () => {
  test('markers: POST saves the notifications and home markers; GET ?timeline[]= returns them with version and updated_at', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob] } = await world(start, ['alice', 'bob']);
    assert.deepEqual(await ok(srv, alice, 'GET', `${MARKERS}?timeline[]=notifications&timeline[]=home`), {}, 'no markers yet');
    await w.post(bob, '@alice one');
    await w.post(bob, '@alice two');
    const [n2, n1] = await w.waitLabels(alice, ['mention bob "@alice one"', 'mention bob "@alice two"']);
    const h = await w.post(alice, 'alice home');

    const saved = await setMarker(srv, alice, { notifications: { last_read_id: n1.id }, home: { last_read_id: h.id } });
    assert.deepEqual(Object.keys(saved).sort(), ['home', 'notifications']);
    for (const [k, id] of [['notifications', n1.id], ['home', h.id]]) {
      assert.equal(saved[k].last_read_id, id, `${k}.last_read_id`);
      assert.ok(Number.isInteger(saved[k].version) && saved[k].version >= 0, `${k}.version is an integer: ${JSON.stringify(saved)}`);
      assertIsoDatetime(saved[k].updated_at, `${k}.updated_at`);
    }
    assert.deepEqual(await ok(srv, alice, 'GET', `${MARKERS}?timeline[]=notifications`), { notifications: saved.notifications });
    assert.deepEqual(await ok(srv, alice, 'GET', `${MARKERS}?timeline[]=home`), { home: saved.home });
    assert.deepEqual(await ok(srv, alice, 'GET', `${MARKERS}?timeline[]=home&timeline[]=notifications`), saved);

    const again = await setMarker(srv, alice, { notifications: { last_read_id: n2.id } });
    assert.deepEqual(Object.keys(again), ['notifications'], 'a POST returns the markers it saved');
    assert.equal(again.notifications.last_read_id, n2.id);
    assert.ok(again.notifications.version > saved.notifications.version, `the version grows: ${saved.notifications.version} → ${again.notifications.version}`);
    assert.ok(Date.parse(again.notifications.updated_at) >= Date.parse(saved.notifications.updated_at));
    assert.deepEqual(await ok(srv, alice, 'GET', `${MARKERS}?timeline[]=home&timeline[]=notifications`), { home: saved.home, notifications: again.notifications },
      'home is untouched');
    assert.deepEqual(await ok(srv, bob, 'GET', `${MARKERS}?timeline[]=home&timeline[]=notifications`), {}, 'markers are per account');
  }));

  test('unread_count counts notifications newer than the notifications marker (v1 each, v2 by group)', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob, carol] } = await world(start, ['alice', 'bob', 'carol']);
    const s = await w.post(alice, 'alice post');
    await w.post(bob, '@alice one');
    await followOk(srv, bob, alice);
    await w.post(carol, '@alice two');
    const list = await w.waitLabels(alice, ['mention carol "@alice two"', 'follow bob', 'mention bob "@alice one"']);
    assert.equal(list.length, 3);
    assert.deepEqual(await unreadCount(srv, alice), { count: 3 }, 'no marker: every notification is unread');
    assert.deepEqual(await unreadCount(srv, alice, V2), { count: 3 }, 'v2: three groups');

    await setMarker(srv, alice, { notifications: { last_read_id: list[2].id } });
    assert.deepEqual(await unreadCount(srv, alice), { count: 2 }, 'the two newer than the oldest');
    await setMarker(srv, alice, { notifications: { last_read_id: list[0].id } });
    assert.deepEqual(await unreadCount(srv, alice), { count: 0 }, 'marker at the newest: none unread');
    assert.deepEqual(await unreadCount(srv, alice, V2), { count: 0 });

    await favourite(srv, bob, s);
    await w.waitLabels(alice, ['favourite bob "alice post"']);
    assert.deepEqual(await unreadCount(srv, alice), { count: 1 }, 'a newer notification is unread');
    assert.deepEqual(await unreadCount(srv, alice, V2), { count: 1 });
    await favourite(srv, carol, s);
    await w.waitLabels(alice, ['favourite carol "alice post"']);
    assert.deepEqual(await unreadCount(srv, alice), { count: 2 });
    assert.deepEqual(await unreadCount(srv, alice, V2), { count: 1 }, 'v2: both favourites of one status are one group');
    assert.deepEqual(await unreadCount(srv, bob), { count: 0 }, 'bob has none');
  }));
});

describe('visibility: notifications never leak a status', () => {
  test('a mention in a followers-only status notifies the mentioned non-follower, who can see it; a notify-follower gets a status notification', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob, carol, dave, erin] } = await world(start, ['alice', 'bob', 'carol', 'dave', 'erin']);
    await followOk(srv, carol, bob, { notify: true });
    const s = await w.post(bob, '@alice for your eyes', { visibility: 'private' });
    const list = await w.waitLabels(alice, ['mention bob "@alice for your eyes"']);
    const n = list[0];
    assertNotification(n);
    assert.equal(n.status.id, s.id);
    assert.equal(n.status.visibility, 'private');
    assert.equal((await ok(srv, alice, 'GET', `/api/v1/statuses/${s.id}`)).id, s.id, 'the mentioned account can see the status');
    await w.waitLabels(carol, ['status bob "@alice for your eyes"']);
    const b = await w.barrier([dave], erin);
    assert.deepEqual(w.all(b.list), [b.label], 'dave, neither follower nor mentioned, gets nothing');
  }));

  test('a direct status notifies only the accounts it mentions; a notify-follower and a stranger get nothing about it, in v1 or v2', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob, carol, dave, erin] } = await world(start, ['alice', 'bob', 'carol', 'dave', 'erin']);
    await followOk(srv, carol, bob, { notify: true });
    await followOk(srv, dave, bob);
    const s = await w.post(bob, '@alice psst', { visibility: 'direct' });
    const list = await w.waitLabels(alice, ['mention bob "@alice psst"']);
    assert.equal(list[0].status.visibility, 'direct');
    assert.equal(list[0].status.id, s.id);
    const b = await w.barrier([carol, dave], erin);
    for (const u of [carol, dave]) {
      assert.deepEqual(w.all(b.lists.get(u.name)), [b.label], `${u.name} gets nothing about the direct status`);
      const v2 = await ok(srv, u, 'GET', V2);
      assert.ok(!ids(v2.statuses).includes(s.id), `${u.name}'s grouped notifications do not carry it: ${JSON.stringify(ids(v2.statuses))}`);
      assert.ok(v2.notification_groups.every((g) => g.status_id !== s.id), `${u.name}: no group about it`);
      assertJsonError(await as(srv, u, 'GET', `/api/v1/statuses/${s.id}`), 404, NOT_FOUND);
    }
    assert.deepEqual(w.all(await w.list(bob)), ['follow dave', 'follow carol'], 'the author gets nothing about it (only the two follows)');
  }));
});

describe('grouped notifications: /api/v2/notifications', () => {
  test('favourites and reblogs of one status group by type, follows group, mentions are ungrouped; each group\'s fields; v1 group_key matches', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob, carol, dave, erin] } = await world(start, ['alice', 'bob', 'carol', 'dave', 'erin']);
    const s = await w.post(alice, 'alice post');
    await favourite(srv, bob, s);
    await favourite(srv, carol, s);
    await reblog(srv, bob, s);
    await followOk(srv, dave, alice);
    await followOk(srv, erin, alice);
    const m = await w.post(bob, '@alice hello');
    const expectedV1 = [
      'mention bob "@alice hello"', 'follow erin', 'follow dave', 'reblog bob "alice post"',
      'favourite carol "alice post"', 'favourite bob "alice post"',
    ];
    const v1 = await w.waitLabels(alice, expectedV1);
    assert.deepEqual(w.all(v1), expectedV1);
    const n = (label) => w.find(v1, label);

    const res = await as(srv, alice, 'GET', V2);
    assert.equal(res.status, 200, show(res));
    const body = res.body;
    for (const k of ['accounts', 'statuses', 'notification_groups']) assert.ok(Array.isArray(body[k]), `${k} is an array: ${show(res)}`);
    const groups = body.notification_groups;
    assert.deepEqual(groups.map((g) => g.type), ['mention', 'follow', 'reblog', 'favourite'], `groups newest first: ${JSON.stringify(groups)}`);
    const expected = [
      { members: [n('mention bob "@alice hello"')], samples: [bob], status: m },
      { members: [n('follow erin'), n('follow dave')], samples: [erin, dave], status: null },
      { members: [n('reblog bob "alice post"')], samples: [bob], status: s },
      { members: [n('favourite carol "alice post"'), n('favourite bob "alice post"')], samples: [carol, bob], status: s },
    ];
    groups.forEach((g, i) => {
      const e = expected[i];
      const ctx = JSON.stringify(g);
      assert.equal(typeof g.group_key, 'string', ctx);
      assert.equal(g.notifications_count, e.members.length, `notifications_count: ${ctx}`);
      assert.equal(g.most_recent_notification_id, e.members[0].id, `most_recent_notification_id is the newest one's id (a string): ${ctx}`);
      assert.equal(g.page_max_id, e.members[0].id, `page_max_id: ${ctx}`);
      assert.equal(g.page_min_id, e.members[e.members.length - 1].id, `page_min_id: ${ctx}`);
      assertIsoDatetime(g.latest_page_notification_at, 'latest_page_notification_at');
      assert.equal(Date.parse(g.latest_page_notification_at), Date.parse(e.members[0].created_at), `latest_page_notification_at: ${ctx}`);
      assert.ok(Array.isArray(g.sample_account_ids), ctx);
      assert.deepEqual(new Set(g.sample_account_ids), new Set(ids(e.samples)), `sample_account_ids: ${ctx}`);
      for (const x of g.sample_account_ids) assert.equal(typeof x, 'string', ctx);
      if (e.status) assert.equal(g.status_id, e.status.id, `status_id: ${ctx}`);
      else assert.ok(g.status_id === undefined || g.status_id === null, `a follow group has no status_id: ${ctx}`);
      for (const member of e.members) assert.equal(member.group_key, g.group_key, `the v1 ${w.label(member)} has the group's key`);
    });
    assert.equal(groups[0].group_key, `ungrouped-${expected[0].members[0].id}`, 'a mention is not grouped');
    assert.equal(new Set(groups.map((g) => g.group_key)).size, 4, 'four distinct keys');

    assert.equal(new Set(ids(body.accounts)).size, body.accounts.length, 'each account once');
    for (const a of body.accounts) assertAccount(a);
    assert.deepEqual(new Set(ids(body.accounts)), new Set(groups.flatMap((g) => g.sample_account_ids)), 'accounts are the sample accounts');
    assert.equal(new Set(ids(body.statuses)).size, body.statuses.length, 'each status once');
    for (const x of body.statuses) assertStatus(x, { authed: true });
    assert.deepEqual(new Set(ids(body.statuses)), new Set([s.id, m.id]), 'statuses are those the groups refer to');

    const fav = groups[3];
    const one = await ok(srv, alice, 'GET', `${V2}/${encodeURIComponent(fav.group_key)}`);
    assert.equal(one.notification_groups.length, 1);
    const g = one.notification_groups[0];
    assert.equal(g.group_key, fav.group_key);
    assert.equal(g.type, 'favourite');
    assert.equal(g.notifications_count, 2);
    assert.equal(g.most_recent_notification_id, fav.most_recent_notification_id);
    assert.equal(g.status_id, s.id);
    assert.deepEqual(new Set(g.sample_account_ids), new Set([bob.id, carol.id]));
    assert.deepEqual(new Set(ids(one.accounts)), new Set([bob.id, carol.id]));
    assert.deepEqual(ids(one.statuses), [s.id]);
    const mention = await ok(srv, alice, 'GET', `${V2}/${encodeURIComponent(groups[0].group_key)}`);
    assert.deepEqual(mention.notification_groups.map((x) => [x.type, x.notifications_count, x.status_id]), [['mention', 1, m.id]]);

    const accounts = await ok(srv, alice, 'GET', `${V2}/${encodeURIComponent(fav.group_key)}/accounts`);
    for (const a of accounts) assertAccount(a);
    assert.deepEqual(new Set(ids(accounts)), new Set([bob.id, carol.id]), 'the accounts of the group');
    assert.equal(accounts.length, 2);
    assert.deepEqual(new Set(ids(await ok(srv, alice, 'GET', `${V2}/${encodeURIComponent(groups[1].group_key)}/accounts`))), new Set([dave.id, erin.id]));

    assert.deepEqual(await unreadCount(srv, alice, V2), { count: 4 }, 'four unread groups');
    assert.deepEqual(await unreadCount(srv, alice), { count: 6 }, 'six unread notifications');
  }));

  test('dismissing a group removes every notification in it; another account\'s group or an unknown key is 404', withLogs(async (t, start) => {
    const { w, srv, users: [alice, bob, carol, dave] } = await world(start, ['alice', 'bob', 'carol', 'dave']);
    const s = await w.post(alice, 'alice post');
    await favourite(srv, bob, s);
    await favourite(srv, carol, s);
    await followOk(srv, bob, alice);
    await followOk(srv, carol, alice);
    await w.post(dave, '@alice hi');
    const v1 = await w.waitLabels(alice, ['favourite bob "alice post"', 'favourite carol "alice post"', 'follow bob', 'follow carol', 'mention dave "@alice hi"']);
    const favKey = w.find(v1, 'favourite bob "alice post"').group_key;
    const followKey = w.find(v1, 'follow bob').group_key;
    assert.equal(w.find(v1, 'favourite carol "alice post"').group_key, favKey);
    assert.equal(w.find(v1, 'follow carol').group_key, followKey);

    for (const other of [bob, dave]) {
      assertJsonError(await as(srv, other, 'GET', `${V2}/${encodeURIComponent(favKey)}`), 404);
      assertJsonError(await as(srv, other, 'POST', `${V2}/${encodeURIComponent(favKey)}/dismiss`), 404);
      assertJsonError(await as(srv, other, 'GET', `${V2}/${encodeURIComponent(favKey)}/accounts`), 404);
    }
    for (const key of ['nope', 'ungrouped-99999999999999', 'favourite-1-1']) {
      assertJsonError(await as(srv, alice, 'GET', `${V2}/${encodeURIComponent(key)}`), 404);
      assertJsonError(await as(srv, alice, 'POST', `${V2}/${encodeURIComponent(key)}/dismiss`), 404);
    }
    assert.equal((await w.list(alice)).length, 5, 'refused dismissals change nothing');

    const res = await as(srv, alice, 'POST', `${V2}/${encodeURIComponent(favKey)}/dismiss`);
    assert.equal(res.status, 200, show(res));
    assert.deepEqual(res.body, {});
    assert.deepEqual(w.all(await w.list(alice)), ['mention dave "@alice hi"', 'follow carol', 'follow bob'], 'both favourites are gone');
    assertJsonError(await as(srv, alice, 'GET', `${V2}/${encodeURIComponent(favKey)}`), 404);
    const after = await ok(srv, alice, 'GET', V2);
    assert.deepEqual(after.notification_groups.map((g) => [g.type, g.notifications_count]), [['mention', 1], ['follow', 2]]);
    assert.deepEqual(await unreadCount(srv, alice, V2), { count: 2 });
  }));
});

describe('client libraries', () => {
  test('masto: v1.notifications list (with types and excludeTypes), $select().fetch(), $select().dismiss(), unreadCount, markers, v2 list, clear()', withLogs(async (t, start) => {
    const { w, srv, users: [alice] } = await world(start, ['alice', 'bob', 'carol', 'dave', 'erin']);
    const { list, expected } = await everyKind(w);
    const ma = createRestAPIClient({ url: srv.url, accessToken: alice.token });

    const got = await ma.v1.notifications.list({ limit: 40 });
    assert.deepEqual(got.map((n) => n.type), ['status', 'mention', 'reblog', 'favourite', 'follow_request', 'follow']);
    assert.deepEqual(got.map((n) => n.id), ids(list));
    assert.deepEqual(got.map((n) => n.account.id), list.map((n) => n.account.id));
    assert.deepEqual(got.map((n) => n.status?.id ?? null), list.map((n) => n.status?.id ?? null));
    for (const n of got) {
      assert.equal(typeof n.createdAt, 'string');
      assert.equal(typeof n.groupKey, 'string');
    }
    const only = await ma.v1.notifications.list({ types: ['favourite', 'reblog'] });
    assert.deepEqual(only.map((n) => n.type), ['reblog', 'favourite']);
    const without = await ma.v1.notifications.list({ excludeTypes: ['status', 'mention', 'follow_request'] });
    assert.deepEqual(without.map((n) => n.type), ['reblog', 'favourite', 'follow']);

    const one = await ma.v1.notifications.$select(got[1].id).fetch();
    assert.equal(one.id, got[1].id);
    assert.equal(one.type, 'mention');
    assert.equal(one.status?.visibility, 'public');

    assert.deepEqual(await ma.v1.notifications.unreadCount.fetch(), { count: 6 });
    const marker = await ma.v1.markers.create({ notifications: { lastReadId: got[2].id } });
    assert.equal(marker.notifications?.lastReadId, got[2].id);
    const fetched = await ma.v1.markers.fetch({ timeline: ['notifications'] });
    assert.equal(fetched.notifications?.lastReadId, got[2].id);
    assert.deepEqual(await ma.v1.notifications.unreadCount.fetch(), { count: 2 });

    const grouped = await ma.v2.notifications.list();
    assert.deepEqual(grouped.notificationGroups.map((g) => g.type), ['status', 'mention', 'reblog', 'favourite', 'follow_request', 'follow']);

    await ma.v1.notifications.$select(got[1].id).dismiss();
    const err = await ma.v1.notifications.$select(got[1].id).fetch().then(() => null, (e) => e);
    assert.ok(err instanceof MastoHttpError, `MastoHttpError, got ${err}`);
    assert.equal(err.statusCode, 404);
    assert.deepEqual(w.all(await ma.v1.notifications.list()), expected.filter((_, i) => i !== 1));

    await ma.v1.notifications.clear();
    assert.deepEqual(await ma.v1.notifications.list(), []);
  }));

  test('megalodon: getNotifications (with exclude_types), getNotification, dismissNotification, dismissNotifications', withLogs(async (t, start) => {
    const { w, srv, users: [alice] } = await world(start, ['alice', 'bob', 'carol', 'dave', 'erin']);
    const { list } = await everyKind(w);
    const ca = generator('mastodon', srv.url, alice.token);

    const res = await ca.getNotifications({ limit: 40 });
    assert.equal(res.status, 200);
    assert.deepEqual(res.data.map((n) => n.type), ['status', 'mention', 'reblog', 'favourite', 'follow_request', 'follow'],
      'megalodon knows every type (an unknown one would be dropped)');
    assert.deepEqual(res.data.map((n) => n.id), ids(list));
    assert.deepEqual(res.data.map((n) => n.status?.id ?? null), list.map((n) => n.status?.id ?? null));
    const link = res.headers.link;
    assert.ok(link && /rel="next"/.test(link) && /rel="prev"/.test(link), `Link header: ${link}`);

    const filtered = await ca.getNotifications({ exclude_types: ['favourite', 'reblog', 'status'] });
    assert.deepEqual(filtered.data.map((n) => n.type), ['mention', 'follow_request', 'follow']);
    const paged = await ca.getNotifications({ limit: 2, max_id: list[1].id });
    assert.deepEqual(paged.data.map((n) => n.id), [list[2].id, list[3].id]);

    const one = await ca.getNotification(list[3].id);
    assert.equal(one.data.type, 'favourite');
    assert.equal(one.data.account.id, list[3].account.id);

    const dis = await ca.dismissNotification(list[3].id);
    assert.equal(dis.status, 200);
    const after = await ca.getNotifications();
    assert.deepEqual(after.data.map((n) => n.type), ['status', 'mention', 'reblog', 'follow_request', 'follow']);

    const cleared = await ca.dismissNotifications();
    assert.equal(cleared.status, 200);
    assert.deepEqual((await ca.getNotifications()).data, []);
  }));
});
