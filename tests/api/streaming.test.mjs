// The streaming API (reference §1.7): the WebSocket at /api/v1/streaming on the
// API's own host and port (token as Authorization header, Sec-WebSocket-Protocol
// or access_token), streams given in the URL or by subscribe/unsubscribe
// messages, the user, user:notification, public, public:local, hashtag,
// hashtag:local and direct streams with Mastodon's message shape, errors,
// visibility, blocks and mutes, deletes, ping/pong, a reader that never reads
// (--stream-buffer-bytes), the server-sent-events endpoints, and masto and
// megalodon as clients.
//
// Events arrive asynchronously after the POST that causes them is answered:
// every check waits (bounded) for the event, and absence is asserted only
// after a positive fence, a later event that must arrive on the same stream.
// Forbidden messages are recorded whenever they arrive (Inbox.forbid), so a
// check made at a fence also covers everything received before it. Fences
// rely on one connection's events arriving in the order of the requests that
// caused them (each request answered before the next one is sent), and on a
// ping/pong round trip after subscribe/unsubscribe meaning the server has
// handled the message (StreamClient.sync).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRestAPIClient, createStreamingAPIClient, MastoUnexpectedError } from 'masto';
import megalodonPkg from 'megalodon';
import { withLogs, api, show } from './lib/server.mjs';
import { assertAccount, assertIsoDatetime } from './lib/entities.mjs';
import { socialServer, postOk, ok, follow, followOk, assertStatus } from './lib/social.mjs';
import {
  WebSocket, Inbox, EVENT_TIMEOUT_MS, wsBase, streamScope, openStream, expectUpgradeRefused, openSse,
  rawUpgrade, acceptFor, clientFrame, sseParser, isUpdate, isDelete, isNotification, isConversation, isError,
  refersToStatus, refersToAccount,
} from './lib/streaming.mjs';

const generator = megalodonPkg.default ?? megalodonPkg;

const T = { timeout: 60_000 };
const STREAM_BUFFER_BYTES = 16384;

const favourite = (srv, user, s) => ok(srv, user, 'POST', `/api/v1/statuses/${s.id}/favourite`);
const reblog = (srv, user, s) => ok(srv, user, 'POST', `/api/v1/statuses/${s.id}/reblog`);
const del = (srv, user, s) => ok(srv, user, 'DELETE', `/api/v1/statuses/${s.id}`);
const blockOk = (srv, user, target) => ok(srv, user, 'POST', `/api/v1/accounts/${target.id}/block`);
const muteOk = (srv, user, target) => ok(srv, user, 'POST', `/api/v1/accounts/${target.id}/mute`);
const lock = (srv, user) => ok(srv, user, 'PATCH', '/api/v1/accounts/update_credentials', { json: { locked: true } });

// withLogs, plus a cleanup scope registered before the server's, so that every
// connection is closed before the server is stopped.
const wsTest = (fn) => withLogs(async (t, start) => {
  streamScope(t);
  await fn(t, start);
});

// Opens a stream for `user` (label "<name> <stream>").
const open = (t, srv, user, stream, opts = {}) => openStream(srv, {
  t, token: user.token, stream, label: `${user.name} ${stream ?? '(no stream)'}${opts.tag !== undefined ? ` #${opts.tag}` : ''}`, ...opts,
});

// The frame of a Mastodon event: {"stream":[...],"event":"...","payload":"<string>"}.
function assertFrame(m, event, stream) {
  const ctx = m.raw.slice(0, 600);
  assert.ok(m.data && typeof m.data === 'object', `the message is a JSON object: ${ctx}`);
  assert.equal(m.event, event, `event: ${ctx}`);
  assert.deepEqual(m.stream, stream, `stream: ${ctx}`);
  assert.equal(typeof m.payload, 'string', `payload is a string (JSON-encoded entity, or the id for delete): ${ctx}`);
  assert.equal(m.payloadError, undefined, `${m.payloadError}: ${ctx}`);
}

// An update for `status` on `stream`: the payload is the Status.
function checkUpdate(m, status, stream) {
  assertFrame(m, 'update', stream);
  const s = m.body;
  assertStatus(s);
  assert.equal(s.id, status.id);
  assert.equal(s.account.id, status.account.id, 'the author');
  assert.equal(s.content, status.content, 'the rendered content');
  assert.equal(s.visibility, status.visibility);
  assert.equal(s.in_reply_to_id, status.in_reply_to_id);
  assert.equal(s.created_at, status.created_at);
  return s;
}

async function waitUpdate(c, status, stream, what) {
  const m = await c.waitFor(isUpdate(status.id, stream), what ?? `update ${status.id} (${JSON.stringify(status.content).slice(0, 80)}) on ${JSON.stringify(stream)}`);
  checkUpdate(m, status, stream);
  return m;
}

// A Notification entity of `type` from `account` (about `status` if given).
function checkNotification(n, type, account, status) {
  const ctx = JSON.stringify(n).slice(0, 800);
  assert.equal(typeof n.id, 'string', `Notification.id is a string: ${ctx}`);
  assert.ok(n.id.length > 0, ctx);
  assert.equal(n.type, type, ctx);
  assertIsoDatetime(n.created_at, 'Notification.created_at');
  assertAccount(n.account);
  assert.equal(n.account.id, account.id, `Notification.account: ${ctx}`);
  if (status) {
    assertStatus(n.status);
    assert.equal(n.status.id, status.id, `Notification.status: ${ctx}`);
  } else {
    assert.ok(n.status === undefined || n.status === null, `a ${type} notification has no status: ${ctx}`);
  }
}

// A conversation event on the direct stream: payload a Conversation whose
// accounts are the other participants and whose last_status is `status`.
function checkConversation(m, status, { others, unread }) {
  assertFrame(m, 'conversation', ['direct']);
  const c = m.body;
  const ctx = JSON.stringify(c).slice(0, 800);
  assert.equal(typeof c.id, 'string', `Conversation.id is a string: ${ctx}`);
  assert.ok(c.id.length > 0, ctx);
  assert.equal(typeof c.unread, 'boolean', `Conversation.unread: ${ctx}`);
  if (unread !== undefined) assert.equal(c.unread, unread, `Conversation.unread: ${ctx}`);
  assert.ok(Array.isArray(c.accounts), `Conversation.accounts: ${ctx}`);
  for (const a of c.accounts) assertAccount(a);
  assert.deepEqual(c.accounts.map((a) => a.id).sort(), others.map((u) => u.id).sort(), `Conversation.accounts are the other participants: ${ctx}`);
  assertStatus(c.last_status);
  assert.equal(c.last_status.id, status.id, `Conversation.last_status: ${ctx}`);
  assert.equal(c.last_status.visibility, 'direct');
  return c;
}

// ---------------------------------------------------------------------------
// Discovery, connecting, authentication

test('discovery: urls.streaming_api is ws://host:port of the API (v2 agrees), the WebSocket lives there; /api/v1/streaming/health answers OK', T, wsTest(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const v1 = await ok(srv, null, 'GET', '/api/v1/instance');
  assert.equal(v1.urls.streaming_api, wsBase(srv), 'v1 urls.streaming_api');
  assert.match(v1.urls.streaming_api, /^ws:\/\/127\.0\.0\.1:\d+$/);
  const v2 = await ok(srv, null, 'GET', '/api/v2/instance');
  assert.equal(v2.configuration.urls.streaming, wsBase(srv), 'v2 configuration.urls.streaming');

  const health = await api(srv, 'GET', '/api/v1/streaming/health');
  assert.equal(health.status, 200, show(health));
  assert.equal(health.text, 'OK');

  const c = await open(t, srv, alice, 'user', { base: v1.urls.streaming_api });
  const s = await postOk(srv, alice, 'hello, stream');
  await waitUpdate(c, s, ['user']);
}));

test('auth: the token works as Authorization header, as Sec-WebSocket-Protocol (echoed back) and as access_token', T, wsTest(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const viaHeader = await open(t, srv, alice, 'user', { auth: 'header', label: 'header' });
  const viaProtocol = await open(t, srv, alice, 'user', { auth: 'protocol', label: 'protocol' });
  const viaQuery = await open(t, srv, alice, 'user', { auth: 'query', label: 'query' });
  assert.equal(viaProtocol.protocol, alice.token, 'the server echoes the offered subprotocol (the token)');
  assert.equal(viaHeader.protocol, '', 'no subprotocol offered, none selected');
  assert.equal(viaQuery.protocol, '');

  const s = await postOk(srv, alice, 'seen by three connections');
  for (const c of [viaHeader, viaProtocol, viaQuery]) await waitUpdate(c, s, ['user'], `${c.label}: alice's own status`);
}));

test('auth: no token, a wrong token, a revoked token, an app token without a user → HTTP 401 at the upgrade', T, wsTest(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const rev = await api(srv, 'POST', '/oauth/revoke', {
    form: { client_id: bob.app.client_id, client_secret: bob.app.client_secret, token: bob.token },
  });
  assert.equal(rev.status, 200, show(rev));
  const cases = [
    ['no token, public stream', { stream: 'public' }],
    ['no token, user stream', { stream: 'user' }],
    ['no token, no stream', {}],
    ['a wrong bearer token', { token: 'wrongtoken123', auth: 'header', stream: 'user' }],
    ['a wrong access_token', { token: 'wrongtoken123', auth: 'query', stream: 'public' }],
    ['a wrong Sec-WebSocket-Protocol token', { token: 'wrongtoken123', auth: 'protocol', stream: 'user' }],
    ['a revoked token', { token: bob.token, auth: 'header', stream: 'user' }],
    ['a revoked token as access_token', { token: bob.token, auth: 'query', stream: 'public' }],
    ['an app token (client_credentials, no user)', { token: alice.appToken, auth: 'header', stream: 'public' }],
    ['an app token as access_token', { token: alice.appToken, auth: 'query', stream: 'user' }],
    ['an app token as subprotocol', { token: alice.appToken, auth: 'protocol', stream: 'public' }],
  ];
  const wrong = [];
  for (const [name, opts] of cases) {
    const r = await expectUpgradeRefused(srv, opts);
    if (r.statusCode !== 401) wrong.push(`${name}: expected HTTP 401, got ${r.statusCode ?? r.error?.message}`);
  }
  assert.deepEqual(wrong, []);
  // The user's own token still works.
  const c = await open(t, srv, alice, 'public');
  assert.ok(c.open);
}));

// ---------------------------------------------------------------------------
// Subscribing

test('subscribe: one connection multiplexes streams; each event names its stream; hashtag streams echo the tag as sent and match it case-insensitively', T, wsTest(async (t, start) => {
  const { srv, users: [alice, carol] } = await socialServer(start, { users: ['alice', 'carol'] });
  const a = await open(t, srv, carol, undefined, { label: 'A (subscribe messages)' });
  await a.subscribe('public');
  await a.subscribe('hashtag', { tag: 'CamelTag' });
  const b = await open(t, srv, carol, 'hashtag', { tag: 'cameltag', label: 'B (?stream=hashtag&tag=cameltag)' });
  await b.subscribe('hashtag:local', { tag: 'CAMELTAG' });

  const tagged = await postOk(srv, alice, 'multiplexed #cameltag');
  await waitUpdate(a, tagged, ['public']);
  await waitUpdate(a, tagged, ['hashtag', 'CamelTag']);
  await waitUpdate(b, tagged, ['hashtag', 'cameltag']);
  await waitUpdate(b, tagged, ['hashtag:local', 'CAMELTAG']);

  const other = await postOk(srv, alice, 'another tag #OtherTag');
  a.forbid((m) => refersToStatus(other.id)(m) && m.stream?.[0] !== 'public', 'a status tagged #OtherTag on a hashtag stream');
  b.forbid(refersToStatus(other.id), 'a status tagged #OtherTag');
  await waitUpdate(a, other, ['public']);

  const fence = await postOk(srv, alice, 'fence #CAMELtag');
  await waitUpdate(a, fence, ['hashtag', 'CamelTag']);
  await waitUpdate(a, fence, ['public']);
  await waitUpdate(b, fence, ['hashtag', 'cameltag']);
  await waitUpdate(b, fence, ['hashtag:local', 'CAMELTAG']);
  a.assertClean();
  b.assertClean();
  // Exactly one event per subscribed stream and status.
  for (const [c, stream] of [[a, ['public']], [a, ['hashtag', 'CamelTag']], [b, ['hashtag', 'cameltag']], [b, ['hashtag:local', 'CAMELTAG']]]) {
    c.assertCount(isUpdate(tagged.id, stream), 1, `update ${tagged.id} on ${JSON.stringify(stream)}`);
  }
  a.assertCount(isUpdate(other.id), 1, `update ${other.id} (public only)`);
}));

test('unsubscribe: no more events of that stream (URL or message subscription); the others keep flowing; subscribing again works', T, wsTest(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const c = await open(t, srv, alice, 'user', { label: 'alice ?stream=user + messages' });
  await c.subscribe('public');
  await c.subscribe('hashtag', { tag: 'Fence' });

  const s1 = await postOk(srv, bob, 'before unsubscribing');
  await waitUpdate(c, s1, ['public']);
  const own1 = await postOk(srv, alice, 'alice before unsubscribing');
  await waitUpdate(c, own1, ['user']);
  await waitUpdate(c, own1, ['public']);

  // Unsubscribe from the message subscription (public) and the URL one (user).
  await c.unsubscribe('public');
  await c.unsubscribe('user');
  const s2 = await postOk(srv, bob, 'after unsubscribing from public');
  const own2 = await postOk(srv, alice, 'alice after unsubscribing from user');
  c.forbid(refersToStatus(s2.id), 'a status posted after unsubscribing from public');
  c.forbid(refersToStatus(own2.id), 'alice\'s status posted after unsubscribing from user and public');
  const f1 = await postOk(srv, bob, 'fence #Fence');
  c.forbid((m) => refersToStatus(f1.id)(m) && m.stream?.[0] !== 'hashtag', 'the fence on a stream other than hashtag');
  await waitUpdate(c, f1, ['hashtag', 'Fence']);
  c.assertClean('after unsubscribing from public and user');
  assert.ok(c.open, 'the connection stays open');

  // Swap: hashtag off, public on again.
  await c.unsubscribe('hashtag', { tag: 'Fence' });
  await c.subscribe('public');
  const s3 = await postOk(srv, bob, 'tagged after unsubscribing from the tag #Fence');
  c.forbid((m) => refersToStatus(s3.id)(m) && m.stream?.[0] !== 'public', 'a #Fence status on a stream other than public');
  await waitUpdate(c, s3, ['public']);
  const f2 = await postOk(srv, bob, 'second fence');
  await waitUpdate(c, f2, ['public']);
  c.assertClean('after unsubscribing from the hashtag');
  c.assertCount(isUpdate(s3.id), 1, 'update of the #Fence status (public only)');
}));

test('errors: an unknown stream and a hashtag without a tag answer an error message; the connection stays open and works', T, wsTest(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const c = await open(t, srv, alice, undefined, { label: 'alice (no stream)' });
  const errors = () => c.filter(isError).length;

  c.send({ type: 'subscribe', stream: 'nonsense' });
  let m = await c.waitFor(isError, 'an error for stream "nonsense"');
  assert.deepEqual(m.data, { error: 'Unknown stream type', status: 400 });

  c.send({ type: 'subscribe', stream: 'hashtag' });
  m = await c.waitFor(isError, 'an error for hashtag without tag', { from: m.index + 1 });
  assert.deepEqual(m.data, { error: 'No tag for stream provided', status: 400 });

  c.send({ type: 'subscribe', stream: 'hashtag', tag: '' });
  m = await c.waitFor(isError, 'an error for hashtag with an empty tag', { from: m.index + 1 });
  assert.deepEqual(m.data, { error: 'No tag for stream provided', status: 400 });

  c.send({ type: 'subscribe', stream: 'hashtag:local' });
  m = await c.waitFor(isError, 'an error for hashtag:local without tag', { from: m.index + 1 });
  assert.deepEqual(m.data, { error: 'No tag for stream provided', status: 400 });
  assert.equal(errors(), 4, c.describe());

  // Not JSON at all: whatever the server answers, the connection survives.
  c.send('this is not JSON');
  await c.sync();
  assert.ok(c.open, `still open after the errors\n${c.describe()}`);

  await c.subscribe('public');
  const s = await postOk(srv, bob, 'after the errors');
  await waitUpdate(c, s, ['public']);
  assert.ok(c.open);
}));

// ---------------------------------------------------------------------------
// What each stream carries

test('user stream: own statuses and followed accounts\' (public, unlisted, private, replies to the reader, threads); not strangers\', not a followed account\'s reply to a stranger', T, wsTest(async (t, start) => {
  const { srv, users: [alice, bob, carol] } = await socialServer(start, { users: ['alice', 'bob', 'carol'] });
  await followOk(srv, alice, bob);
  const u = await open(t, srv, alice, 'user');
  u.forbid(refersToAccount(carol.id), 'a status by carol (not followed)');

  const expected = [];
  const stranger = await postOk(srv, carol, 'carol, not followed');
  expected.push(await postOk(srv, bob, 'bob public'));
  expected.push(await postOk(srv, bob, { status: 'bob unlisted', visibility: 'unlisted' }));
  expected.push(await postOk(srv, bob, { status: 'bob private', visibility: 'private' }));
  const asks = await postOk(srv, alice, 'alice asks');
  expected.push(asks);
  expected.push(await postOk(srv, alice, { status: 'alice private', visibility: 'private' }));
  expected.push(await postOk(srv, bob, { status: 'bob answers alice', in_reply_to_id: asks.id }));
  const toStranger = await postOk(srv, bob, { status: 'bob answers carol', in_reply_to_id: stranger.id });
  u.forbid(refersToStatus(toStranger.id), 'bob\'s reply to carol (alice does not follow carol)');
  const t1 = await postOk(srv, bob, 'bob thread 1');
  expected.push(t1);
  expected.push(await postOk(srv, bob, { status: 'bob thread 2', in_reply_to_id: t1.id }));
  expected.push(await postOk(srv, alice, { status: 'alice replies to carol', in_reply_to_id: stranger.id }));
  const last = await postOk(srv, bob, 'bob last');
  expected.push(last);

  for (const s of expected) await waitUpdate(u, s, ['user']);
  u.assertClean('after bob\'s last status');
  for (const s of expected) u.assertCount(isUpdate(s.id), 1, `update ${s.id}`);
}));

test('notifications: follow, mention, favourite, reblog, status, follow_request arrive on user and user:notification; user:notification carries nothing else', T, wsTest(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'bob', 'carol', 'dave', 'erin'] });
  const [alice, bob, carol, dave, erin] = users;
  await followOk(srv, alice, bob, { notify: true });
  const u = await open(t, srv, alice, 'user');
  const n = await open(t, srv, alice, 'user:notification');
  n.forbid((m) => m.event !== 'notification', 'an event other than notification');
  for (const c of [u, n]) c.forbid((m) => m.event === 'notification' && m.body?.account?.id === alice.id, 'a notification about alice\'s own action');

  const seen = new Set();
  const expectNotification = async (type, account, status) => {
    const what = `${type} notification from ${account.name}`;
    const pred = isNotification(type, { account: account.id, status: status?.id });
    const mu = await u.waitFor(pred, what);
    const mn = await n.waitFor(pred, what);
    assertFrame(mu, 'notification', ['user']);
    assertFrame(mn, 'notification', ['user:notification']);
    checkNotification(mu.body, type, account, status);
    checkNotification(mn.body, type, account, status);
    assert.equal(mu.body.id, mn.body.id, 'the same notification on both streams');
    assert.ok(!seen.has(mn.body.id), `notification ids are distinct: ${mn.body.id}`);
    seen.add(mn.body.id);
  };

  const mine = await postOk(srv, alice, 'alice writes');
  await waitUpdate(u, mine, ['user']);

  await followOk(srv, carol, alice);
  await expectNotification('follow', carol);

  // From carol, so that it is only a mention (bob's statuses also notify alice).
  const mention = await postOk(srv, carol, `hello @${alice.username}`);
  await expectNotification('mention', carol, mention);

  await favourite(srv, bob, mine);
  await expectNotification('favourite', bob, mine);

  await reblog(srv, dave, mine);
  await expectNotification('reblog', dave, mine);

  const news = await postOk(srv, bob, 'bob has news');
  await expectNotification('status', bob, news);
  await waitUpdate(u, news, ['user']);

  await favourite(srv, alice, mine);
  await lock(srv, alice);
  const req = await follow(srv, erin, alice);
  assert.equal(req.status, 200, show(req));
  assert.equal(req.body.requested, true, 'alice is locked: erin\'s follow is a request');
  await expectNotification('follow_request', erin);

  n.assertClean('after the follow_request notification');
  u.assertClean('after the follow_request notification');
  n.assertCount((m) => m.event === 'notification', 6, 'notifications');
}));

test('public and public:local: public statuses of everyone (the reader\'s own too); no unlisted, private, direct or reblogs', T, wsTest(async (t, start) => {
  const { srv, users: [alice, bob, carol] } = await socialServer(start, { users: ['alice', 'bob', 'carol'] });
  const p = await open(t, srv, carol, 'public');
  const l = await open(t, srv, carol, 'public:local');
  const both = [[p, ['public']], [l, ['public:local']]];
  for (const [c] of both) c.forbid((m) => m.event === 'update' && m.body?.reblog, 'a reblog');

  const p1 = await postOk(srv, alice, 'alice public');
  const hidden = [
    await postOk(srv, alice, { status: 'alice unlisted', visibility: 'unlisted' }),
    await postOk(srv, alice, { status: 'alice private', visibility: 'private' }),
    await postOk(srv, alice, { status: `alice direct @${bob.username}`, visibility: 'direct' }),
    await postOk(srv, carol, { status: 'carol unlisted', visibility: 'unlisted' }),
  ];
  const wrapper = await reblog(srv, bob, p1);
  hidden.push(wrapper);
  for (const [c] of both) for (const s of hidden) c.forbid(refersToStatus(s.id), `"${s.content}" (${s.visibility}${s.reblog ? ', reblog' : ''})`);
  const own = await postOk(srv, carol, 'carol public');
  const last = await postOk(srv, bob, 'bob public');

  for (const [c, stream] of both) {
    for (const s of [p1, own, last]) await waitUpdate(c, s, stream);
    c.assertClean('after bob\'s public status');
    c.assertCount(isUpdate(p1.id), 1, `update ${p1.id}`);
  }
}));

test('hashtag and hashtag:local: public statuses with the tag, matched case-insensitively, the tag echoed as subscribed; not unlisted, private, or other tags', T, wsTest(async (t, start) => {
  const { srv, users: [alice, bob, carol] } = await socialServer(start, { users: ['alice', 'bob', 'carol'] });
  const h1 = await open(t, srv, carol, 'hashtag', { tag: 'Kitten' });
  const h2 = await open(t, srv, carol, 'hashtag:local', { tag: 'kitten' });
  const h3 = await open(t, srv, carol, undefined, { label: 'carol subscribe hashtag KITTEN' });
  await h3.subscribe('hashtag', { tag: 'KITTEN' });
  const streams = [[h1, ['hashtag', 'Kitten']], [h2, ['hashtag:local', 'kitten']], [h3, ['hashtag', 'KITTEN']]];

  const shown = [];
  shown.push(await postOk(srv, alice, 'one #kitten'));
  shown.push(await postOk(srv, bob, '#KiTTeN two'));
  const hidden = [
    await postOk(srv, alice, { status: 'unlisted #kitten', visibility: 'unlisted' }),
    await postOk(srv, alice, { status: 'private #kitten', visibility: 'private' }),
    await postOk(srv, alice, { status: `direct #kitten @${carol.username}`, visibility: 'direct' }),
    await postOk(srv, alice, 'a longer tag #kittens'),
    await postOk(srv, alice, 'another tag #puppy'),
    await postOk(srv, alice, 'the word kitten without a hash'),
  ];
  hidden.push(await reblog(srv, bob, shown[0]));
  for (const [c] of streams) for (const s of hidden) c.forbid(refersToStatus(s.id), `"${s.content}" (${s.visibility}${s.reblog ? ', a reblog' : ''})`);
  shown.push(await postOk(srv, carol, 'the reader\'s own #Kitten'));
  shown.push(await postOk(srv, bob, 'last #Kitten'));

  for (const [c, stream] of streams) {
    for (const s of shown) await waitUpdate(c, s, stream);
    c.forbid((m) => m.event === 'update' && m.body?.reblog, 'a reblog');
    c.assertClean('after the last #Kitten status');
    for (const s of shown) c.assertCount(isUpdate(s.id), 1, `update ${s.id}`);
  }
}));

test('direct: a conversation event to every participant (author included), none to others; a reply in the thread keeps the conversation id', T, wsTest(async (t, start) => {
  const { srv, users: [alice, bob, carol, dave] } = await socialServer(start, { users: ['alice', 'bob', 'carol', 'dave'] });
  await followOk(srv, carol, bob);
  const dA = await open(t, srv, alice, 'direct');
  const dB = await open(t, srv, bob, 'direct');
  const dD = await open(t, srv, dave, 'direct');
  const dC = await open(t, srv, carol, 'direct');
  const cU = await open(t, srv, carol, 'user');
  const cP = await open(t, srv, carol, 'public');

  const dm = await postOk(srv, bob, { status: `@${alice.username} @${dave.username} just us`, visibility: 'direct' });
  for (const c of [dC, cU, cP]) c.forbid(refersToStatus(dm.id), 'a direct status carol is not part of');
  for (const c of [dA, dB, dD]) c.forbid((m) => m.event === 'conversation' && m.body?.last_status?.visibility !== 'direct', 'a conversation about a non-direct status');

  const ca = checkConversation(await dA.waitFor(isConversation(dm.id), 'alice\'s conversation'), dm, { others: [bob, dave], unread: true });
  const cd = checkConversation(await dD.waitFor(isConversation(dm.id), 'dave\'s conversation'), dm, { others: [bob, alice], unread: true });
  const cb = checkConversation(await dB.waitFor(isConversation(dm.id), 'bob\'s conversation'), dm, { others: [alice, dave], unread: false });

  const reply = await postOk(srv, alice, { status: `@${bob.username} @${dave.username} agreed`, visibility: 'direct', in_reply_to_id: dm.id });
  for (const c of [dC, cU, cP]) c.forbid(refersToStatus(reply.id), 'a direct reply carol is not part of');
  const cb2 = checkConversation(await dB.waitFor(isConversation(reply.id), 'bob\'s conversation after alice\'s reply'), reply, { others: [alice, dave], unread: true });
  const ca2 = checkConversation(await dA.waitFor(isConversation(reply.id), 'alice\'s conversation after her reply'), reply, { others: [bob, dave], unread: false });
  const cd2 = checkConversation(await dD.waitFor(isConversation(reply.id), 'dave\'s conversation after alice\'s reply'), reply, { others: [bob, alice] });
  assert.equal(cb2.id, cb.id, 'bob: the reply continues the same conversation');
  assert.equal(ca2.id, ca.id, 'alice: the reply continues the same conversation');
  assert.equal(cd2.id, cd.id, 'dave: the reply continues the same conversation');

  // A public status is not a conversation.
  const pub = await postOk(srv, bob, 'bob public');
  await waitUpdate(cU, pub, ['user']);
  await waitUpdate(cP, pub, ['public']);
  const fence = await postOk(srv, bob, { status: `@${carol.username} and now you`, visibility: 'direct' });
  checkConversation(await dC.waitFor(isConversation(fence.id), 'carol\'s own conversation'), fence, { others: [bob], unread: true });
  await dB.waitFor(isConversation(fence.id), 'bob\'s conversation with carol');
  for (const c of [dA, dB, dD, dC]) c.forbid(refersToStatus(pub.id), 'bob\'s public status on a direct stream');
  for (const c of [dC, cU, cP, dA, dB, dD]) c.assertClean('after the fences');
}));

// ---------------------------------------------------------------------------
// Visibility, blocks, mutes

test('visibility: a private status reaches only followers\' user streams, never a non-follower\'s stream of any kind; unlisted stays off public and hashtag streams', T, wsTest(async (t, start) => {
  const { srv, users: [alice, bob, carol] } = await socialServer(start, { users: ['alice', 'bob', 'carol'] });
  await followOk(srv, alice, bob);
  const TAG = 'VisTag';
  const aU = await open(t, srv, alice, 'user');
  const aP = await open(t, srv, alice, 'public');
  const aH = await open(t, srv, alice, 'hashtag', { tag: TAG });
  const cU = await open(t, srv, carol, 'user');
  const cP = await open(t, srv, carol, 'public');
  const cL = await open(t, srv, carol, 'public:local');
  const cH = await open(t, srv, carol, 'hashtag', { tag: TAG });
  const cHL = await open(t, srv, carol, 'hashtag:local', { tag: TAG });
  const cD = await open(t, srv, carol, 'direct');
  const cN = await open(t, srv, carol, 'user:notification');
  const carols = [cU, cP, cL, cH, cHL, cD, cN];
  const publicish = [[aP, ['public']], [aH, ['hashtag', TAG]], [cP, ['public']], [cL, ['public:local']], [cH, ['hashtag', TAG]], [cHL, ['hashtag:local', TAG]]];

  // Every stream that can carry a public status is live.
  const prime = await postOk(srv, carol, `carol primes #${TAG}`);
  for (const [c, stream] of publicish) await waitUpdate(c, prime, stream);
  await waitUpdate(cU, prime, ['user']);

  const priv = await postOk(srv, bob, { status: `bob private #${TAG}`, visibility: 'private' });
  for (const c of carols) c.forbid(refersToStatus(priv.id), 'bob\'s private status (carol does not follow bob)');
  for (const [c] of publicish) c.forbid(refersToStatus(priv.id), 'a private status on a public or hashtag stream');
  const privUpdate = await waitUpdate(aU, priv, ['user']);
  assert.equal(privUpdate.body.visibility, 'private');

  const unl = await postOk(srv, bob, { status: `bob unlisted #${TAG}`, visibility: 'unlisted' });
  for (const c of carols) c.forbid(refersToStatus(unl.id), 'bob\'s unlisted status (carol does not follow bob)');
  for (const [c] of publicish) c.forbid(refersToStatus(unl.id), 'an unlisted status on a public or hashtag stream');
  await waitUpdate(aU, unl, ['user']);

  // Fences on every stream.
  const pub = await postOk(srv, bob, `bob public #${TAG}`);
  await waitUpdate(aU, pub, ['user']);
  for (const [c, stream] of publicish) await waitUpdate(c, pub, stream);
  const dm = await postOk(srv, bob, { status: `@${carol.username} fence`, visibility: 'direct' });
  await cD.waitFor(isConversation(dm.id), 'carol\'s conversation (fence)');
  await cN.waitFor(isNotification('mention', { account: bob.id, status: dm.id }), 'carol\'s mention notification (fence)');
  const own = await postOk(srv, carol, 'carol fence');
  await waitUpdate(cU, own, ['user']);
  for (const c of [aU, aP, aH, ...carols]) c.assertClean('after the fences');
}));

test('blocks and mutes: nothing from an account the reader blocks, is blocked by, or mutes, on any stream (statuses, reblogs, mentions, notifications, conversations)', T, wsTest(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: ['alice', 'bob', 'dave', 'erin', 'frank'] });
  const [alice, bob, dave, erin, frank] = users;
  for (const u of [bob, dave, erin, frank]) await followOk(srv, alice, u);
  await blockOk(srv, alice, dave); // alice blocks dave
  await blockOk(srv, erin, alice); // erin blocks alice
  await muteOk(srv, alice, frank); // alice mutes frank (notifications too, the default)
  const TAG = 'BlkTag';
  const mine = await postOk(srv, alice, 'alice writes');
  const streams = {
    user: await open(t, srv, alice, 'user'),
    note: await open(t, srv, alice, 'user:notification'),
    pub: await open(t, srv, alice, 'public'),
    local: await open(t, srv, alice, 'public:local'),
    tag: await open(t, srv, alice, 'hashtag', { tag: TAG }),
    direct: await open(t, srv, alice, 'direct'),
  };
  const all = Object.values(streams);
  const hidden = [[dave, 'blocked by alice'], [erin, 'blocking alice'], [frank, 'muted by alice']];
  for (const c of all) for (const [u, why] of hidden) c.forbid(refersToAccount(u.id), `something from ${u.name} (${why})`);

  const prime = await postOk(srv, bob, `bob primes #${TAG}`);
  for (const [c, stream] of [[streams.user, ['user']], [streams.pub, ['public']], [streams.local, ['public:local']], [streams.tag, ['hashtag', TAG]]]) {
    await waitUpdate(c, prime, stream);
  }

  for (const [u] of hidden) {
    const s = await postOk(srv, u, `${u.name} public #${TAG}`);
    await postOk(srv, u, `${u.name} mentions @${alice.username}`);
    await postOk(srv, u, { status: `${u.name} writes to @${alice.username}`, visibility: 'direct' });
    await reblog(srv, bob, s); // a followed account reblogs it: not on alice's user stream either
  }
  await favourite(srv, frank, mine);
  await reblog(srv, frank, mine);

  // Fences: bob (followed, not blocked) on every stream.
  const fence = await postOk(srv, bob, `bob mentions @${alice.username} #${TAG}`);
  await waitUpdate(streams.user, fence, ['user']);
  await waitUpdate(streams.pub, fence, ['public']);
  await waitUpdate(streams.local, fence, ['public:local']);
  await waitUpdate(streams.tag, fence, ['hashtag', TAG]);
  await streams.note.waitFor(isNotification('mention', { account: bob.id, status: fence.id }), 'bob\'s mention (fence)');
  await streams.user.waitFor(isNotification('mention', { account: bob.id, status: fence.id }), 'bob\'s mention on the user stream (fence)');
  const dm = await postOk(srv, bob, { status: `@${alice.username} fence`, visibility: 'direct' });
  await streams.direct.waitFor(isConversation(dm.id), 'bob\'s conversation (fence)');
  for (const c of all) c.assertClean('after bob\'s fences');
}));

// ---------------------------------------------------------------------------
// Delete, ping

test('delete: deleting a status sends delete with its id (a plain string) to every stream that got the update', T, wsTest(async (t, start) => {
  const { srv, users: [alice, bob, carol] } = await socialServer(start, { users: ['alice', 'bob', 'carol'] });
  await followOk(srv, alice, bob);
  const aU = await open(t, srv, alice, 'user');
  const cP = await open(t, srv, carol, 'public');
  const cH = await open(t, srv, carol, 'hashtag', { tag: 'Gone' });

  const s = await postOk(srv, bob, 'soon gone #Gone');
  await waitUpdate(aU, s, ['user']);
  await waitUpdate(cP, s, ['public']);
  await waitUpdate(cH, s, ['hashtag', 'Gone']);
  await del(srv, bob, s);
  for (const [c, stream] of [[aU, ['user']], [cP, ['public']], [cH, ['hashtag', 'Gone']]]) {
    const m = await c.waitFor(isDelete(s.id, stream), `delete ${s.id} on ${JSON.stringify(stream)}`);
    assertFrame(m, 'delete', stream);
    assert.equal(m.data.payload, s.id, 'the payload is the id itself, not JSON-encoded');
    assert.ok(m.index > c.find(isUpdate(s.id)).index, 'delete after the update');
  }

  const priv = await postOk(srv, bob, { status: 'private, soon gone', visibility: 'private' });
  await waitUpdate(aU, priv, ['user']);
  await del(srv, bob, priv);
  const m = await aU.waitFor(isDelete(priv.id, ['user']), `delete of the private status ${priv.id}`);
  assert.equal(m.data.payload, priv.id);

  const own = await postOk(srv, alice, 'alice deletes her own');
  await waitUpdate(aU, own, ['user']);
  await del(srv, alice, own);
  await aU.waitFor(isDelete(own.id, ['user']), 'delete of alice\'s own status');
}));

test('ping: a WebSocket ping gets a pong with the same data, also on a quiet connection without streams', T, wsTest(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  for (const c of [await open(t, srv, alice, 'user', { sync: false }), await open(t, srv, alice, undefined, { sync: false })]) {
    const pong = new Promise((resolve) => c.ws.once('pong', resolve));
    c.ws.ping(Buffer.from('chirp-ping'));
    let timer;
    const data = await Promise.race([
      pong,
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${c.label}: no pong within ${EVENT_TIMEOUT_MS} ms`)), EVENT_TIMEOUT_MS); }),
    ]);
    clearTimeout(timer);
    assert.equal(Buffer.from(data).toString(), 'chirp-ping', 'the pong echoes the ping\'s application data');
    // An empty ping, as megalodon sends.
    const empty = new Promise((resolve) => c.ws.once('pong', resolve));
    c.ws.ping('');
    const data2 = await Promise.race([empty, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no pong for an empty ping')), EVENT_TIMEOUT_MS); })]);
    clearTimeout(timer);
    assert.equal(Buffer.from(data2).length, 0);
    assert.ok(c.open);
  }
}));

// ---------------------------------------------------------------------------
// A reader that never reads

// The kernel's TCP buffer limits, for the failure message: a connection's
// socket buffers hold this much before the server's own queue grows.
const readProc = (f) => { try { return readFileSync(f, 'utf8').trim().split(/\s+/).map(Number); } catch { return null; } };
function tcpBuffers() {
  const show = (f) => (readProc(f) ?? ['?']).join(' ');
  return `tcp_wmem ${show('/proc/sys/net/ipv4/tcp_wmem')}, tcp_rmem ${show('/proc/sys/net/ipv4/tcp_rmem')}`;
}

// How many ~3 KB events overflow the socket buffers twice over: the server's
// send buffer may grow to tcp_wmem's maximum, the paused client's receive
// buffer stays near tcp_rmem's default. At least 3000, at most 12000.
function postBudget() {
  const wmemMax = readProc('/proc/sys/net/ipv4/tcp_wmem')?.[2] || 4 << 20;
  const rmemDefault = readProc('/proc/sys/net/ipv4/tcp_rmem')?.[1] || 128 << 10;
  return Math.min(12000, Math.max(3000, Math.ceil((2 * (wmemMax + rmemDefault + STREAM_BUFFER_BYTES)) / 3000)));
}

test(`slow reader: a connection that never reads is closed once its queue passes --stream-buffer-bytes ${STREAM_BUFFER_BYTES}; a reading client gets every update meanwhile`, { timeout: 110_000 }, wsTest(async (t, start) => {
  const { srv, users: [alice, bob, carol] } = await socialServer(start, {
    users: ['alice', 'bob', 'carol'], args: ['--stream-buffer-bytes', String(STREAM_BUFFER_BYTES), '--max-characters', '500'],
  });
  const scope = streamScope(t);
  const reader = await open(t, srv, carol, 'public', { label: 'carol public (reads everything)' });

  const raw = await rawUpgrade(srv, `/api/v1/streaming?stream=public&access_token=${encodeURIComponent(alice.token)}`);
  scope.add({ close: () => raw.socket.destroy() });
  assert.equal(raw.statusCode, 101, raw.head);
  assert.equal(raw.headers.upgrade?.toLowerCase(), 'websocket', raw.head);
  assert.equal(raw.headers['sec-websocket-accept'], acceptFor(raw.key), raw.head);
  let gone = null;
  raw.socket.on('close', () => { gone ??= 'close'; });
  raw.socket.on('end', () => { gone ??= 'end'; });
  raw.socket.on('error', (e) => { gone ??= `error ${e.code ?? e.message}`; });

  // First prove the raw connection is subscribed: read until the first
  // status shows up in its bytes, then stop reading for good.
  const first = await postOk(srv, bob, 'the slow reader still reads this one');
  await new Promise((resolve, reject) => {
    let bytes = raw.rest;
    const timer = setTimeout(() => { raw.socket.off('data', onData); reject(new Error(`the raw public stream did not carry ${first.id} within ${EVENT_TIMEOUT_MS} ms; got ${bytes.length} bytes`)); }, EVENT_TIMEOUT_MS);
    const onData = (d) => {
      bytes = Buffer.concat([bytes, d]);
      if (bytes.includes(first.id)) {
        clearTimeout(timer);
        raw.socket.off('data', onData);
        raw.socket.pause();
        resolve();
      }
    };
    if (bytes.includes(first.id)) { clearTimeout(timer); resolve(); return; }
    raw.socket.on('data', onData);
    raw.socket.resume();
  });
  raw.socket.pause();
  await waitUpdate(reader, first, ['public']);

  // 450 characters, most of which grow when rendered as HTML (&quot; &lt; &amp; &gt;).
  const filler = '"<&>" '.repeat(80);
  const text = (i) => `${i} ${filler}`.slice(0, 450);
  assert.equal(text(2999).length, 450);

  const MAX_POSTS = postBudget();
  const BATCH = 8;
  const deadline = Date.now() + 70_000;
  const posted = [];
  let eventBytes = 0;
  let batches = 0;
  while (posted.length < MAX_POSTS && !gone && Date.now() < deadline) {
    const from = reader.messages.length;
    const batch = await Promise.all(Array.from({ length: BATCH }, (_, j) => postOk(srv, bob, text(posted.length + j))));
    posted.push(...batch);
    // The reading client is not stalled by the one that does not read.
    for (const s of batch) {
      const m = await reader.waitFor(isUpdate(s.id, ['public']), `update ${s.id} (post ${posted.length}) while the slow reader is stuck`, { from });
      eventBytes += m.raw.length;
    }
    batches += 1;
    // Writing is how a paused socket learns that the server closed it (EPIPE/ECONNRESET).
    if (batches % 2 === 0 && !gone && !raw.socket.destroyed) raw.socket.write(clientFrame(0x9, 'still there?'));
  }
  if (!gone) {
    // Give a close that is under way a moment to show, by writing again.
    for (let i = 0; i < 20 && !gone && !raw.socket.destroyed; i += 1) {
      raw.socket.write(clientFrame(0x9, 'still there?'));
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  assert.ok(gone, `the server closed the connection that never reads: ${posted.length} statuses posted (budget ${MAX_POSTS}), ~${eventBytes} bytes of events sent to the reading client, which is far more than ${STREAM_BUFFER_BYTES} bytes plus socket buffers (${tcpBuffers()})`);

  // Every status reached the reading client exactly once, and it is still open.
  for (const s of posted) reader.assertCount(isUpdate(s.id), 1, `update ${s.id}`);
  assert.ok(reader.open, 'the reading client is still connected');
  const after = await postOk(srv, bob, 'after the slow reader is gone');
  await waitUpdate(reader, after, ['public']);
  const fresh = await open(t, srv, alice, 'public', { label: 'alice reconnects' });
  const again = await postOk(srv, bob, 'alice is back');
  await waitUpdate(fresh, again, ['public']);
  t.diagnostic(`slow reader closed (${gone}) after ${posted.length} posts, ~${eventBytes} bytes of public events`);
}));

// ---------------------------------------------------------------------------
// Server-sent events

test('SSE: /api/v1/streaming/{user,public,public/local,hashtag,user/notification,direct} stream text/event-stream events; 401 without a user token', T, wsTest(async (t, start) => {
  const { srv, users: [alice, bob, carol] } = await socialServer(start, { users: ['alice', 'bob', 'carol'] });
  await followOk(srv, alice, bob);
  const mine = await postOk(srv, alice, 'alice writes');

  const sse = async (path, opts = {}) => {
    const c = await openSse(srv, path, { t, token: alice.token, ...opts });
    assert.equal(c.status, 200, `GET ${path}: HTTP ${c.status} ${c.contentType}\n${c.text?.slice(0, 500)}`);
    assert.match(c.contentType, /^text\/event-stream/, `GET ${path} Content-Type`);
    return c;
  };
  const user = await sse('/api/v1/streaming/user');
  const userQ = await sse('/api/v1/streaming/user', { auth: 'query', label: 'SSE /user?access_token' });
  const pub = await sse('/api/v1/streaming/public');
  const local = await sse('/api/v1/streaming/public/local');
  const tag = await sse('/api/v1/streaming/hashtag', { query: { tag: 'SseTag' } });
  const note = await sse('/api/v1/streaming/user/notification');
  const direct = await sse('/api/v1/streaming/direct');
  note.forbid((m) => m.event !== 'notification', 'an event other than notification');

  const s = await postOk(srv, bob, 'over SSE #ssetag');
  for (const c of [user, userQ, pub, local, tag]) {
    const m = await c.waitFor(isUpdate(s.id), `update ${s.id}`);
    assert.equal(m.payloadError, undefined, m.raw);
    assertStatus(m.body);
    assert.equal(m.body.content, s.content);
    assert.match(c.text, /(^|\n)event: update\ndata: \{/, `${c.label}: "event: update\\ndata: {...}" on the wire`);
  }

  await followOk(srv, carol, alice);
  for (const c of [note, user]) {
    const m = await c.waitFor(isNotification('follow', { account: carol.id }), 'carol\'s follow');
    checkNotification(m.body, 'follow', carol);
    assert.match(c.text, /event: notification\ndata: \{/);
  }

  const dm = await postOk(srv, bob, { status: `@${alice.username} over SSE`, visibility: 'direct' });
  const conv = await direct.waitFor(isConversation(dm.id), 'the conversation');
  assert.equal(conv.payloadError, undefined, conv.raw);
  assert.deepEqual(conv.body.accounts.map((a) => a.id), [bob.id]);
  assert.match(direct.text, /event: conversation\ndata: \{/);

  await del(srv, bob, s);
  for (const c of [user, pub, local, tag]) {
    await c.waitFor(isDelete(s.id), `delete ${s.id}`);
    assert.ok(c.text.includes(`event: delete\ndata: ${s.id}\n\n`), `${c.label}: "event: delete\\ndata: ${s.id}" on the wire`);
  }
  await favourite(srv, bob, mine);
  await note.waitFor(isNotification('favourite', { account: bob.id, status: mine.id }), 'bob\'s favourite (fence)');
  note.assertClean('after bob\'s favourite');

  for (const c of [user, userQ, pub, local, tag, note, direct]) await c.close();

  const refused = [];
  for (const [name, path, opts] of [
    ['no token', '/api/v1/streaming/user', {}],
    ['no token', '/api/v1/streaming/public', {}],
    ['a wrong token', '/api/v1/streaming/user', { token: 'wrongtoken123' }],
    ['a wrong access_token', '/api/v1/streaming/public', { token: 'wrongtoken123', auth: 'query' }],
    ['an app token', '/api/v1/streaming/user', { token: alice.appToken }],
  ]) {
    const r = await openSse(srv, path, opts);
    if (r.status !== 401) {
      refused.push(`${name} on ${path}: expected 401, got ${r.status}`);
      if (r.close) await r.close();
    }
  }
  assert.deepEqual(refused, []);
}));

// ---------------------------------------------------------------------------
// Client libraries

// Iterates a masto subscription in the background (for await), logging events.
function collectMasto(subscription, label) {
  const log = new Inbox(label);
  log.done = (async () => {
    try {
      for await (const event of subscription) log.add({ ...event, raw: JSON.stringify(event).slice(0, 400) });
      log.end('the iteration finished');
    } catch (e) {
      log.error = e;
      log.end(`the iteration threw ${e?.name}: ${e?.message}`);
    }
  })();
  return log;
}

// Posts probes until one arrives everywhere it should (the subscriptions are
// live), bounded.
async function probeUntilLive(post, logs, { tries = 12, waitMs = 750 } = {}) {
  for (let i = 0; i < tries; i += 1) {
    const s = await post(i);
    try {
      await Promise.all(logs.map((log) => log.waitFor((e) => e.event === 'update' && e.payload?.id === s.id, `probe ${s.id}`, { timeoutMs: waitMs })));
      return s;
    } catch (e) {
      if (logs.some((log) => log.ended)) throw e;
    }
  }
  assert.fail(`no probe arrived after ${tries} tries\n${logs.map((l) => l.describe()).join('\n')}`);
}

test('masto: createStreamingAPIClient with ws; user.subscribe() yields a followed account\'s update, a notification and a delete; hashtag.subscribe() gets the tag echoed', T, wsTest(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  await followOk(srv, alice, bob);
  const mine = await postOk(srv, alice, 'alice for masto');
  const rest = createRestAPIClient({ url: srv.url, accessToken: alice.token });
  const instance = await rest.v1.instance.fetch();
  assert.equal(instance.urls.streamingApi, wsBase(srv));

  const client = createStreamingAPIClient({
    streamingApiUrl: instance.urls.streamingApi, accessToken: alice.token, implementation: WebSocket, retry: false, log: 'error',
  });
  streamScope(t).add({ close: () => client.close() });
  const user = collectMasto(client.user.subscribe(), 'masto user');
  const tagged = collectMasto(client.hashtag.subscribe({ tag: 'MastoTag' }), 'masto hashtag MastoTag');
  await probeUntilLive((i) => postOk(srv, bob, `probe ${i} #mastotag`), [user, tagged]);

  const s = await postOk(srv, bob, 'bob, seen through masto #MASTOTAG');
  const ev = await user.waitFor((e) => e.event === 'update' && e.payload?.id === s.id, 'masto update');
  assert.deepEqual(ev.stream, ['user']);
  assert.equal(ev.payload.account.id, bob.id);
  assert.equal(ev.payload.content, s.content);
  assert.equal(ev.payload.createdAt, s.created_at, 'masto camel-cases the parsed payload');
  const tev = await tagged.waitFor((e) => e.event === 'update' && e.payload?.id === s.id, 'masto hashtag update');
  assert.deepEqual(tev.stream, ['hashtag', 'MastoTag']);

  await favourite(srv, bob, mine);
  const n = await user.waitFor((e) => e.event === 'notification' && e.payload?.type === 'favourite', 'masto notification');
  assert.equal(n.payload.account.id, bob.id);
  assert.equal(n.payload.status?.id, mine.id);
  assert.equal(typeof n.payload.createdAt, 'string');

  await del(srv, bob, s);
  const d = await user.waitFor((e) => e.event === 'delete' && e.payload === s.id, 'masto delete');
  assert.deepEqual(d.stream, ['user']);
  assert.equal(user.error, undefined);
  client.close();
}));

test('masto: a hashtag subscription with an empty tag makes the iteration throw MastoUnexpectedError (the server\'s error message)', T, wsTest(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const client = createStreamingAPIClient({ streamingApiUrl: wsBase(srv), accessToken: alice.token, implementation: WebSocket, retry: false, log: 'error' });
  streamScope(t).add({ close: () => client.close() });
  const log = collectMasto(client.hashtag.subscribe({ tag: '' }), 'masto hashtag ""');
  let timer;
  await Promise.race([log.done, new Promise((r) => { timer = setTimeout(r, 10_000); })]);
  clearTimeout(timer);
  assert.ok(log.error instanceof MastoUnexpectedError, `MastoUnexpectedError, got ${log.error?.name}: ${log.error?.message} (${log.ended})`);
  assert.equal(log.error.message, 'No tag for stream provided');
  client.close();
}));

test('megalodon: userStreaming() and publicStreaming() connect and emit update, notification and delete', T, wsTest(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  await followOk(srv, alice, bob);
  const mine = await postOk(srv, alice, 'alice for megalodon');
  const client = generator('mastodon', srv.url, alice.token);
  assert.equal(await client.streamingURL(), wsBase(srv));

  const listen = async (streaming, label) => {
    const log = new Inbox(label);
    streamScope(t).add({
      close: () => {
        // stop() does not cancel a reconnect megalodon already scheduled (10 s
        // after a failed connection); with no attempts left it does nothing.
        streaming._reconnectMaxAttempts = 0;
        streaming.stop();
      },
    });
    const add = (event) => (payload) => log.add({ event, payload, raw: `${event} ${JSON.stringify(payload)?.slice(0, 300)}` });
    for (const e of ['connect', 'update', 'notification', 'delete', 'conversation', 'close']) streaming.on(e, add(e));
    streaming.on('error', (err) => log.add({ event: 'error', payload: String(err?.message ?? err), raw: `error ${err?.message ?? err}` }));
    streaming.on('parser-error', (err) => log.add({ event: 'parser-error', payload: String(err?.message ?? err), raw: `parser-error ${err?.message ?? err}` }));
    const first = await log.waitFor((m) => m.event === 'connect' || m.event === 'error', `${label}: connect`);
    assert.equal(first.event, 'connect', `${label}: ${first.raw}`);
    return log;
  };
  const user = await listen(await client.userStreaming(), 'megalodon user');
  const pub = await listen(await client.publicStreaming(), 'megalodon public');
  await probeUntilLive((i) => postOk(srv, bob, `megalodon probe ${i}`), [user, pub]);

  const s = await postOk(srv, bob, 'bob, seen through megalodon');
  for (const log of [user, pub]) {
    const m = await log.waitFor((e) => e.event === 'update' && e.payload?.id === s.id, 'update');
    assert.equal(m.payload.account.id, bob.id);
    assert.equal(m.payload.content, s.content);
  }
  await favourite(srv, bob, mine);
  const n = await user.waitFor((e) => e.event === 'notification' && e.payload?.type === 'favourite', 'notification');
  assert.equal(n.payload.account.id, bob.id);
  assert.equal(n.payload.status?.id, mine.id);
  await del(srv, bob, s);
  for (const log of [user, pub]) await log.waitFor((e) => e.event === 'delete' && e.payload === s.id, `delete ${s.id}`);
  for (const log of [user, pub]) {
    const bad = log.filter((e) => e.event === 'error' || e.event === 'parser-error');
    assert.deepEqual(bad.map((e) => e.raw), [], `${log.label}: no errors`);
  }
}));

test('user streams are per account: bob\'s user stream does not carry alice\'s own statuses or notifications', T, wsTest(async (t, start) => {
  const { srv, users: [alice, bob, carol, dave] } = await socialServer(start, { users: ['alice', 'bob', 'carol', 'dave'] });
  const aU = await open(t, srv, alice, 'user');
  const bU = await open(t, srv, bob, 'user');
  const bN = await open(t, srv, bob, 'user:notification');
  const s = await postOk(srv, alice, 'alice alone');
  for (const c of [bU, bN]) c.forbid(refersToStatus(s.id), 'alice\'s status (bob does not follow alice)');
  await waitUpdate(aU, s, ['user']);
  await followOk(srv, carol, alice);
  for (const c of [bU, bN]) c.forbid((m) => m.event === 'notification' && m.body?.account?.id === carol.id && m.body?.type === 'follow', 'a notification meant for alice');
  await aU.waitFor(isNotification('follow', { account: carol.id }), 'alice\'s follow notification');
  const own = await postOk(srv, bob, 'bob fence');
  await waitUpdate(bU, own, ['user']);
  await followOk(srv, dave, bob);
  await bN.waitFor(isNotification('follow', { account: dave.id }), 'bob\'s own follow notification (fence)');
  bU.assertClean();
  bN.assertClean();
}));

// Sanity for the helpers themselves (no server): frames and SSE parsing.
test('helpers: client frames are masked and sized; the SSE parser handles comments, CRLF and multi-line data', () => {
  const f = clientFrame(0x9, 'abc');
  assert.equal(f[0], 0x89);
  assert.equal(f[1], 0x80 | 3);
  const mask = f.subarray(2, 6);
  assert.equal(Buffer.from(f.subarray(6).map((b, i) => b ^ mask[i % 4])).toString(), 'abc');
  const big = clientFrame(0x1, Buffer.alloc(300, 0x61));
  assert.equal(big[1], 0x80 | 126);
  assert.equal(big.readUInt16BE(2), 300);
  const p = sseParser();
  assert.deepEqual(p.feed(':)\n\nevent: update\r\ndata: {"a":'), []);
  assert.deepEqual(p.feed('1}\r\n\r\nevent: delete\ndata:12\n\ndata: x\ndata: y\n\n'), [
    { event: 'update', data: '{"a":1}', id: undefined },
    { event: 'delete', data: '12', id: undefined },
    { event: 'message', data: 'x\ny', id: undefined },
  ]);
  assert.deepEqual(p.comments, [')']);
});
