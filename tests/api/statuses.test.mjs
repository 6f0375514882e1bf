// Statuses: posting (every parameter, HTML rendering, length counting,
// idempotency, location), get/delete/source, context, favourites, reblogs,
// account statuses filters and pagination.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withLogs, api, show } from './lib/server.mjs';
import { assertJsonError } from './lib/entities.mjs';
import {
  socialServer, post, postOk, as, ok, account, followOk, walk, page, all, ids,
  assertStatus, htmlText, tagNames, anchors, classes, newestFirst, cmpId, scopedToken,
} from './lib/social.mjs';

const statusesOf = (srv, viewer, acct, query = '') =>
  ok(srv, viewer, 'GET', `/api/v1/accounts/${acct.id}/statuses${query}`);
const statusesCount = async (srv, u) => (await account(srv, u.id)).statuses_count;

// ---------------------------------------------------------------------------
// Posting

test('POST /api/v1/statuses returns a complete Status and "0.123" renders as <p>0.123</p>', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const s = await postOk(srv, alice, { status: '0.123' });
  assertStatus(s, { authed: true });
  assert.equal(s.content, '<p>0.123</p>');
  assert.equal(s.account.id, alice.id);
  assert.equal(s.account.username, alice.username);
  assert.equal(s.visibility, 'public', 'visibility defaults to public');
  assert.equal(s.sensitive, false);
  assert.equal(s.spoiler_text, '');
  assert.equal(s.in_reply_to_id, null);
  assert.equal(s.in_reply_to_account_id, null);
  assert.equal(s.reblog, null);
  assert.deepEqual(s.media_attachments, []);
  assert.deepEqual(s.mentions, []);
  assert.deepEqual(s.tags, []);
  assert.deepEqual([s.replies_count, s.reblogs_count, s.favourites_count], [0, 0, 0]);
  assert.deepEqual([s.favourited, s.reblogged, s.muted, s.bookmarked], [false, false, false, false]);
  assert.ok(Math.abs(Date.parse(s.created_at) - Date.now()) < 60_000, `created_at is now: ${s.created_at}`);

  const anon = await ok(srv, null, 'GET', `/api/v1/statuses/${s.id}`);
  assertStatus(anon, { authed: false });
  assert.equal(anon.id, s.id);
  assert.equal(anon.content, '<p>0.123</p>');

  const asBob = await ok(srv, bob, 'GET', `/api/v1/statuses/${s.id}`);
  assertStatus(asBob, { authed: true });
  assert.deepEqual([asBob.favourited, asBob.reblogged, asBob.muted, asBob.bookmarked], [false, false, false, false]);

  assert.equal(await statusesCount(srv, alice), 1);
  const me = await ok(srv, alice, 'GET', '/api/v1/accounts/verify_credentials');
  assert.equal(me.statuses_count, 1);
  assert.notEqual(me.last_status_at, null, 'last_status_at is set after posting');

  const noAuth = await post(srv, null, { status: 'anonymous' });
  assertJsonError(noAuth, 401);
}));

test('a status can be posted as JSON, urlencoded and multipart', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const json = await api(srv, 'POST', '/api/v1/statuses', { token: alice.token, json: { status: 'via json', visibility: 'unlisted' } });
  assert.equal(json.status, 200, show(json));
  assert.equal(json.body.visibility, 'unlisted');
  const form = await api(srv, 'POST', '/api/v1/statuses', {
    token: alice.token, form: { status: 'via form', visibility: 'private', sensitive: 'true' },
  });
  assert.equal(form.status, 200, show(form));
  assert.equal(htmlText(form.body.content), 'via form');
  assert.equal(form.body.visibility, 'private');
  assert.equal(form.body.sensitive, true);
  const multi = await api(srv, 'POST', '/api/v1/statuses', {
    token: alice.token, multipart: { status: 'via multipart', spoiler_text: 'cw' },
  });
  assert.equal(multi.status, 200, show(multi));
  assert.equal(htmlText(multi.body.content), 'via multipart');
  assert.equal(multi.body.spoiler_text, 'cw');
  assert.equal(await statusesCount(srv, alice), 3);
}));

test('HTML in the text is escaped, never passed through', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const text = `<script>alert("x")</script> <b>bold</b> <a href="javascript:alert(1)">x</a> <img src=x onerror=alert(1)> & 'q'`;
  const s = await postOk(srv, alice, { status: text });
  const c = s.content;
  assert.ok(!/<script/i.test(c), `no <script> element: ${c}`);
  assert.ok(!/<b>/i.test(c), `no <b> element: ${c}`);
  assert.ok(!/<img/i.test(c), `no <img> element: ${c}`);
  assert.ok(!/href\s*=\s*["']?javascript:/i.test(c), `no javascript: link: ${c}`);
  assert.ok(c.includes('&lt;script&gt;'), `markup is entity-escaped: ${c}`);
  assert.deepEqual(anchors(c), [], `no links in a text without URLs: ${c}`);
  for (const tag of tagNames(c)) assert.ok(['p', 'br', 'span', 'a'].includes(tag), `only p/br/span/a elements, got <${tag}>: ${c}`);
  assert.equal(htmlText(c), text, 'the visible text is exactly what was posted');
  const src = await ok(srv, alice, 'GET', `/api/v1/statuses/${s.id}/source`);
  assert.equal(src.text, text, 'the source keeps the raw text');
}));

test('mentions of existing local users become "u-url mention" links and fill mentions[]', withLogs(async (t, start) => {
  const { srv, users: [alice, bob, carol] } = await socialServer(start, { users: ['alice', 'bob', 'carol'] });
  const text = `hi @${bob.username} and @${carol.username}, not @nosuchuser123`;
  const s = await postOk(srv, alice, { status: text });
  const byId = (a, b) => cmpId(a.id, b.id);
  assert.deepEqual(
    [...s.mentions].sort(byId),
    [bob, carol].map((u) => ({ id: u.id, username: u.username, url: u.account.url, acct: u.username })).sort(byId),
    `mentions: ${JSON.stringify(s.mentions)}`,
  );
  const links = anchors(s.content);
  for (const u of [bob, carol]) {
    const a = links.find((l) => l.text === `@${u.username}`);
    assert.ok(a, `a link with text @${u.username}: ${s.content}`);
    assert.equal(a.attrs.href, u.account.url, `mention links to the profile: ${a.html}`);
    assert.ok(classes(a).includes('u-url') && classes(a).includes('mention'), `class "u-url mention": ${a.html}`);
  }
  assert.ok(!links.some((l) => l.text.includes('nosuchuser123')), `an unknown user is not linked: ${s.content}`);
  assert.equal(links.length, 2, `exactly two links: ${s.content}`);
  assert.equal(htmlText(s.content), text, 'the visible text is exactly what was posted');
  const twice = await postOk(srv, alice, { status: `@${bob.username} and again @${bob.username}` });
  assert.deepEqual(twice.mentions.map((m) => m.id), [bob.id], 'a user mentioned twice is one mention');
  assert.equal(anchors(twice.content).length, 2, `both are linked: ${twice.content}`);
  // The mention makes the status visible to bob, and it shows up in GET.
  const again = await ok(srv, bob, 'GET', `/api/v1/statuses/${s.id}`);
  assert.deepEqual(again.mentions.map((m) => m.id).sort(), [bob.id, carol.id].sort());
}));

test('hashtags become /tags/NAME links with class "mention hashtag" and fill tags[]', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const text = 'about #Chirp and #tests_1 and again #chirp';
  const s = await postOk(srv, alice, { status: text });
  assert.deepEqual(s.tags.map((x) => x.name.toLowerCase()).sort(), ['chirp', 'tests_1'], `tags (one per tag, case-insensitive): ${JSON.stringify(s.tags)}`);
  for (const tag of s.tags) {
    const u = new URL(tag.url);
    assert.equal(u.pathname.toLowerCase(), `/tags/${tag.name.toLowerCase()}`, `tag url: ${tag.url}`);
  }
  const links = anchors(s.content);
  assert.deepEqual(links.map((l) => l.text), ['#Chirp', '#tests_1', '#chirp'], `three hashtag links: ${s.content}`);
  for (const a of links) {
    assert.ok(classes(a).includes('mention') && classes(a).includes('hashtag'), `class "mention hashtag": ${a.html}`);
    assert.equal(new URL(a.attrs.href).pathname.toLowerCase(), `/tags/${a.text.slice(1).toLowerCase()}`, `links to /tags/NAME: ${a.html}`);
  }
  assert.equal(htmlText(s.content), text);
}));

test('URLs become links and the visible text of content equals the posted text', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const text = 'read https://example.com/a/b?c=d&e=f now and http://example.org too';
  const s = await postOk(srv, alice, { status: text });
  const hrefs = anchors(s.content).map((a) => a.attrs.href);
  assert.deepEqual(hrefs, ['https://example.com/a/b?c=d&e=f', 'http://example.org'], `links: ${s.content}`);
  assert.equal(htmlText(s.content), text, `content: ${s.content}`);
  assert.ok(!/href\s*=\s*"[^"]*[<>][^"]*"/.test(s.content), `hrefs hold no raw < or >: ${s.content}`);
}));

test('mentions resolve case-insensitively: @BOB mentions bob', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const s = await postOk(srv, alice, { status: `hey @${bob.username.toUpperCase()}` });
  assert.deepEqual(s.mentions.map((m) => m.id), [bob.id], `mentions: ${JSON.stringify(s.mentions)}`);
  const a = anchors(s.content).find((l) => classes(l).includes('mention'));
  assert.ok(a, `a mention link: ${s.content}`);
  assert.equal(a.attrs.href, bob.account.url);
}));

test('no mention or hashtag is taken from inside a URL or an e-mail address', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const text = `see https://example.com/@${bob.username} and https://example.com/page#section, mail ${bob.username}@example.com, #real`;
  const s = await postOk(srv, alice, { status: text });
  assert.deepEqual(s.mentions, [], `no mentions: ${JSON.stringify(s.mentions)}`);
  assert.deepEqual(s.tags.map((x) => x.name.toLowerCase()), ['real'], `only #real: ${JSON.stringify(s.tags)}`);
  const hrefs = anchors(s.content).map((a) => a.attrs.href);
  assert.ok(hrefs.includes(`https://example.com/@${bob.username}`), `the first URL is one link: ${s.content}`);
  assert.ok(hrefs.includes('https://example.com/page#section'), `the second URL is one link: ${s.content}`);
  assert.equal(htmlText(s.content), text);
}));

test('line breaks survive rendering: a newline is <br>, a blank line starts a new paragraph', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const text = 'line one\nline two\n\nparagraph two';
  const s = await postOk(srv, alice, { status: text });
  assert.equal(htmlText(s.content), text, `content: ${s.content}`);
  assert.equal((s.content.match(/<p>/g) || []).length, 2, `two paragraphs: ${s.content}`);
  assert.match(s.content, /line one<br\s*\/?>line two/, `a <br> between the lines: ${s.content}`);
}));

// ---------------------------------------------------------------------------
// Length

test('length: 280 characters fit, 281 → 422, and nothing is created by a rejected post', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const r280 = await post(srv, alice, { status: 'a'.repeat(280) });
  assert.equal(r280.status, 200, show(r280));
  const r281 = await post(srv, alice, { status: 'a'.repeat(281) });
  assertJsonError(r281, 422);
  // Characters, not bytes or UTF-16 units: 280 emoji (4 bytes, 2 UTF-16 units each).
  const e280 = await post(srv, alice, { status: '😀'.repeat(280) });
  assert.equal(e280.status, 200, show(e280));
  const e281 = await post(srv, alice, { status: '😀'.repeat(281) });
  assertJsonError(e281, 422);
  const u280 = await post(srv, alice, { status: 'ü'.repeat(280) });
  assert.equal(u280.status, 200, show(u280));
  assert.equal(await statusesCount(srv, alice), 3);
}));

test('length: grapheme clusters count once (combining marks, ZWJ emoji), as Mastodon counts', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const combining = 'e\u0301'.repeat(280); // 560 code points, 280 graphemes
  const r1 = await post(srv, alice, { status: combining });
  assert.equal(r1.status, 200, `280 "é" written with a combining accent: ${show(r1)}`);
  const family = '👩‍👩‍👧'.repeat(280); // 5 code points each
  const r2 = await post(srv, alice, { status: family });
  assert.equal(r2.status, 200, `280 ZWJ family emoji: ${show(r2)}`);
  const r3 = await post(srv, alice, { status: 'e\u0301'.repeat(281) });
  assertJsonError(r3, 422);
}));

test('length: any URL counts as 23 characters', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const url = `https://example.com/${'x'.repeat(300)}`;
  const fits = `${url} ${'a'.repeat(256)}`; // 23 + 1 + 256 = 280
  const r1 = await post(srv, alice, { status: fits });
  assert.equal(r1.status, 200, `${fits.length} raw characters, 280 counted: ${show(r1)}`);
  assert.equal(anchors(r1.body.content)[0]?.attrs.href, url, 'the long URL is one link');
  const r2 = await post(srv, alice, { status: `${url} ${'a'.repeat(257)}` }); // 281
  assertJsonError(r2, 422);
  const short = `http://a.co ${'a'.repeat(256)}`; // a short URL counts 23 as well: 280
  const r3 = await post(srv, alice, { status: short });
  assert.equal(r3.status, 200, show(r3));
  const r4 = await post(srv, alice, { status: `http://a.co ${'a'.repeat(257)}` });
  assertJsonError(r4, 422);
}));

test('length: @user@domain counts as @user, and spoiler_text counts too', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const remote = `@someone@${'d'.repeat(100)}.example`; // counts as "@someone" = 8
  const r1 = await post(srv, alice, { status: `${remote} ${'a'.repeat(271)}` }); // 8 + 1 + 271 = 280
  assert.equal(r1.status, 200, `remote mention counted as @someone: ${show(r1)}`);
  const r2 = await post(srv, alice, { status: `${remote} ${'a'.repeat(272)}` }); // 281
  assertJsonError(r2, 422);

  const r3 = await post(srv, alice, { status: 'a'.repeat(180), spoiler_text: 'b'.repeat(100) });
  assert.equal(r3.status, 200, `180 + 100 = 280: ${show(r3)}`);
  const r4 = await post(srv, alice, { status: 'a'.repeat(181), spoiler_text: 'b'.repeat(100) });
  assertJsonError(r4, 422);
  assert.equal(await statusesCount(srv, alice), 2);
}));

test('--max-characters 50 changes the limit and the advertised configuration', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'], args: ['--max-characters', '50'] });
  const inst = await ok(srv, null, 'GET', '/api/v1/instance');
  assert.equal(inst.configuration.statuses.max_characters, 50);
  const r50 = await post(srv, alice, { status: 'a'.repeat(50) });
  assert.equal(r50.status, 200, show(r50));
  const r51 = await post(srv, alice, { status: 'a'.repeat(51) });
  assertJsonError(r51, 422);
}));

test('empty, whitespace-only and missing text → 422 and nothing is created', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  for (const [name, body] of [
    ['empty string', { status: '' }],
    ['spaces, tabs and newlines', { status: '   \n\t  \r\n ' }],
    ['missing status', {}],
    ['missing status with a spoiler', { spoiler_text: 'cw only' }],
  ]) {
    const res = await post(srv, alice, body);
    assert.equal(res.status, 422, `${name}: ${show(res)}`);
    assertJsonError(res, 422);
  }
  const form = await api(srv, 'POST', '/api/v1/statuses', { token: alice.token, form: { status: '' } });
  assertJsonError(form, 422);
  assert.equal(await statusesCount(srv, alice), 0);
  assert.deepEqual(await statusesOf(srv, alice, alice), []);
}));

// ---------------------------------------------------------------------------
// Parameters

test('sensitive, spoiler_text, visibility and language are stored and echoed; a bad visibility → 422', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const sens = await postOk(srv, alice, { status: 'nsfw', sensitive: true });
  assert.equal(sens.sensitive, true);
  const cw = await postOk(srv, alice, { status: 'spoiler below', spoiler_text: 'Content warning' });
  assert.equal(cw.spoiler_text, 'Content warning');
  assert.equal(cw.sensitive, true, 'a spoiler_text makes the status sensitive (Mastodon)');
  for (const v of ['public', 'unlisted', 'private', 'direct']) {
    const s = await postOk(srv, alice, { status: `visibility ${v}`, visibility: v });
    assert.equal(s.visibility, v);
    const again = await ok(srv, alice, 'GET', `/api/v1/statuses/${s.id}`);
    assert.equal(again.visibility, v);
  }
  const de = await postOk(srv, alice, { status: 'Guten Tag', language: 'de' });
  assert.equal(de.language, 'de');
  assert.equal((await ok(srv, null, 'GET', `/api/v1/statuses/${de.id}`)).language, 'de');
  const bad = await post(srv, alice, { status: 'x', visibility: 'bogus' });
  assertJsonError(bad, 422);
  // 2 + 4 + 1; the direct one does not count (Mastodon).
  assert.equal(await statusesCount(srv, alice), 6);
}));

test('media_ids → 422 (no media upload exists yet)', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  assertJsonError(await post(srv, alice, { status: 'with media', media_ids: ['1'] }), 422);
  assertJsonError(await post(srv, alice, { media_ids: ['123456789'] }), 422);
  const form = await api(srv, 'POST', '/api/v1/statuses', {
    token: alice.token, body: 'status=x&media_ids%5B%5D=42', headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assertJsonError(form, 422);
  assert.equal(await statusesCount(srv, alice), 0);
}));

test('latitude/longitude (Chirp): both or neither, numbers or numeric strings, out of range → 422', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const good = [
    ['numbers', { latitude: 52.52, longitude: 13.405 }],
    ['numeric strings', { latitude: '52.52', longitude: '13.405' }],
    ['upper bounds', { latitude: 90, longitude: 180 }],
    ['lower bounds', { latitude: -90, longitude: -180 }],
    ['zero', { latitude: 0, longitude: 0 }],
  ];
  const bad = [
    ['latitude only', { latitude: 10 }],
    ['longitude only', { longitude: 10 }],
    ['latitude above 90', { latitude: 90.0001, longitude: 0 }],
    ['latitude below -90', { latitude: -91, longitude: 0 }],
    ['longitude above 180', { latitude: 0, longitude: 180.5 }],
    ['longitude below -180', { latitude: 0, longitude: -181 }],
    ['non-numeric string', { latitude: 'abc', longitude: '10' }],
    ['empty string', { latitude: '', longitude: '10' }],
  ];
  for (const [name, loc] of good) {
    const res = await post(srv, alice, { status: `at ${name}`, ...loc });
    assert.equal(res.status, 200, `${name}: ${show(res)}`);
  }
  const form = await api(srv, 'POST', '/api/v1/statuses', {
    token: alice.token, form: { status: 'form location', latitude: '-33.86', longitude: '151.21' },
  });
  assert.equal(form.status, 200, `urlencoded location: ${show(form)}`);
  for (const [name, loc] of bad) {
    const res = await post(srv, alice, { status: `at ${name}`, ...loc });
    assert.equal(res.status, 422, `${name} ${JSON.stringify(loc)}: ${show(res)}`);
  }
  assert.equal(await statusesCount(srv, alice), good.length + 1);
}));

test('Idempotency-Key: a repeat returns the same status (200) and creates nothing; keys are per account', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const h = { 'Idempotency-Key': 'key-1' };
  const first = await postOk(srv, alice, { status: 'first' }, { headers: h });
  const repeat = await post(srv, alice, { status: 'first' }, { headers: h });
  assert.equal(repeat.status, 200, show(repeat));
  assert.equal(repeat.body.id, first.id, 'the same status comes back');
  const changed = await post(srv, alice, { status: 'a different text' }, { headers: h });
  assert.equal(changed.status, 200, show(changed));
  assert.equal(changed.body.id, first.id, 'the key wins over a changed body');
  assert.equal(htmlText(changed.body.content), 'first');
  assert.equal(await statusesCount(srv, alice), 1);
  assert.equal((await statusesOf(srv, alice, alice)).length, 1);

  const other = await postOk(srv, alice, { status: 'first' }, { headers: { 'Idempotency-Key': 'key-2' } });
  assert.notEqual(other.id, first.id, 'another key makes another status');
  const none = await postOk(srv, alice, { status: 'first' });
  assert.notEqual(none.id, first.id, 'no key makes another status');
  const bobs = await postOk(srv, bob, { status: 'first' }, { headers: h });
  assert.notEqual(bobs.id, first.id, 'the same key from another account makes a new status');
  assert.equal(bobs.account.id, bob.id);
  assert.equal(await statusesCount(srv, alice), 3);
  assert.equal(await statusesCount(srv, bob), 1);
}));

test('10 parallel posts with one Idempotency-Key create exactly one status', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const h = { 'Idempotency-Key': 'parallel-key' };
  const res = await Promise.all(Array.from({ length: 10 }, () => post(srv, alice, { status: 'once only' }, { headers: h })));
  for (const r of res) assert.equal(r.status, 200, show(r));
  assert.equal(new Set(res.map((r) => r.body.id)).size, 1, `one id for all: ${res.map((r) => r.body.id)}`);
  assert.equal(await statusesCount(srv, alice), 1);
  assert.equal((await statusesOf(srv, alice, alice)).length, 1);
}));

test('in_reply_to_id sets the reply fields; an unknown, "abc", invisible or deleted parent → 404', withLogs(async (t, start) => {
  const { srv, users: [alice, bob, carol] } = await socialServer(start, { users: ['alice', 'bob', 'carol'] });
  const root = await postOk(srv, alice, { status: 'root' });
  const reply = await postOk(srv, bob, { status: `@${alice.username} reply`, in_reply_to_id: root.id });
  assert.equal(reply.in_reply_to_id, root.id);
  assert.equal(reply.in_reply_to_account_id, alice.id);
  const priv = await postOk(srv, carol, { status: 'followers only', visibility: 'private' });
  const gone = await postOk(srv, alice, { status: 'to be deleted' });
  await ok(srv, alice, 'DELETE', `/api/v1/statuses/${gone.id}`);
  for (const [name, id] of [['unknown id', '99999999999999'], ['non-numeric id', 'abc'], ['private status of a stranger', priv.id], ['deleted status', gone.id]]) {
    const res = await post(srv, bob, { status: 'reply', in_reply_to_id: id });
    assert.equal(res.status, 404, `${name}: ${show(res)}`);
    assert.match(res.contentType, /^application\/json/);
  }
  assert.equal(await statusesCount(srv, bob), 1, 'failed replies created nothing');
  // The author of the private status may reply to it.
  const self = await postOk(srv, carol, { status: 'self reply', in_reply_to_id: priv.id });
  assert.equal(self.in_reply_to_id, priv.id);
}));

test('scopes: write:statuses posts, write:favourites favourites, read cannot write, an app token is not a user', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'], args: ['--password-grant', 'on'] });
  const s = await postOk(srv, alice, { status: 'scoped' });
  const read = await scopedToken(srv, alice, 'read');
  const writeStatuses = await scopedToken(srv, alice, 'write:statuses');
  const writeFavourites = await scopedToken(srv, alice, 'write:favourites');
  assertJsonError(await api(srv, 'POST', '/api/v1/statuses', { token: read, json: { status: 'no' } }), 403, 'This action is outside the authorized scopes');
  assertJsonError(await api(srv, 'POST', `/api/v1/statuses/${s.id}/favourite`, { token: read }), 403);
  assertJsonError(await api(srv, 'DELETE', `/api/v1/statuses/${s.id}`, { token: read }), 403);
  const posted = await api(srv, 'POST', '/api/v1/statuses', { token: writeStatuses, json: { status: 'yes' } });
  assert.equal(posted.status, 200, show(posted));
  assertJsonError(await api(srv, 'POST', `/api/v1/statuses/${s.id}/favourite`, { token: writeStatuses }), 403);
  assertJsonError(await api(srv, 'POST', '/api/v1/statuses', { token: writeFavourites, json: { status: 'no' } }), 403);
  const fav = await api(srv, 'POST', `/api/v1/statuses/${s.id}/favourite`, { token: writeFavourites });
  assert.equal(fav.status, 200, show(fav));
  const viaApp = await api(srv, 'POST', '/api/v1/statuses', { token: alice.appToken, json: { status: 'app' } });
  assert.ok([401, 403, 422].includes(viaApp.status), `an app token cannot post: ${show(viaApp)}`);
  assertJsonError(viaApp, viaApp.status);
  assert.equal(await statusesCount(srv, alice), 2);
}));

// ---------------------------------------------------------------------------
// GET, DELETE, source

test('GET /api/v1/statuses/:id: anonymous reads a public status; unknown and "abc" → 404 "Record not found"', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const s = await postOk(srv, alice, { status: 'hello' });
  const anon = await ok(srv, null, 'GET', `/api/v1/statuses/${s.id}`);
  assertStatus(anon, { authed: false });
  for (const id of ['99999999999999', 'abc', '0', '-1']) {
    const res = await as(srv, null, 'GET', `/api/v1/statuses/${id}`);
    assertJsonError(res, 404, 'Record not found');
    const authed = await as(srv, alice, 'GET', `/api/v1/statuses/${id}`);
    assertJsonError(authed, 404, 'Record not found');
  }
  const priv = await postOk(srv, alice, { status: 'private', visibility: 'private' });
  assertJsonError(await as(srv, null, 'GET', `/api/v1/statuses/${priv.id}`), 404, 'Record not found');
}));

test('DELETE: author gets the source text; others 403 (visible) or 404 (invisible); afterwards 404 everywhere', withLogs(async (t, start) => {
  const { srv, users: [alice, bob, carol] } = await socialServer(start, { users: ['alice', 'bob', 'carol'] });
  const pub = await postOk(srv, alice, { status: 'public <b>text</b> #tag', spoiler_text: 'cw' });
  const priv = await postOk(srv, alice, { status: 'private', visibility: 'private' });
  const reply = await postOk(srv, bob, { status: 'a reply', in_reply_to_id: pub.id });
  await ok(srv, carol, 'POST', `/api/v1/statuses/${reply.id}/favourite`);
  assert.equal((await ok(srv, null, 'GET', `/api/v1/statuses/${pub.id}`)).replies_count, 1);
  assert.equal(await statusesCount(srv, alice), 2);

  assertJsonError(await as(srv, bob, 'DELETE', `/api/v1/statuses/${pub.id}`), 403);
  assertJsonError(await as(srv, bob, 'DELETE', `/api/v1/statuses/${priv.id}`), 404);
  assertJsonError(await as(srv, null, 'DELETE', `/api/v1/statuses/${pub.id}`), 401);
  assertJsonError(await as(srv, alice, 'DELETE', '/api/v1/statuses/99999999999999'), 404);
  assertJsonError(await as(srv, alice, 'DELETE', '/api/v1/statuses/abc'), 404);

  // Deleting a reply: gone from the thread, from favourites, from the author's statuses.
  const delReply = await ok(srv, bob, 'DELETE', `/api/v1/statuses/${reply.id}`);
  assert.equal(delReply.id, reply.id);
  assert.equal((await ok(srv, null, 'GET', `/api/v1/statuses/${pub.id}`)).replies_count, 0, 'replies_count drops');
  assert.deepEqual((await ok(srv, null, 'GET', `/api/v1/statuses/${pub.id}/context`)).descendants, []);
  assert.deepEqual(await ok(srv, carol, 'GET', '/api/v1/favourites'), [], 'a deleted status leaves the favourites');
  assert.deepEqual(await statusesOf(srv, bob, bob), []);
  assert.equal(await statusesCount(srv, bob), 0);

  const del = await ok(srv, alice, 'DELETE', `/api/v1/statuses/${pub.id}`);
  assertStatus(del, { authed: true, source: true });
  assert.equal(del.id, pub.id);
  assert.equal(del.text, 'public <b>text</b> #tag', 'the source text for delete-and-redraft');
  assert.ok(!('content' in del), `text instead of content: ${JSON.stringify(del).slice(0, 400)}`);
  assert.equal(del.spoiler_text, 'cw');
  for (const viewer of [alice, bob, null]) {
    assertJsonError(await as(srv, viewer, 'GET', `/api/v1/statuses/${pub.id}`), 404, 'Record not found');
  }
  assertJsonError(await as(srv, alice, 'DELETE', `/api/v1/statuses/${pub.id}`), 404);
  assertJsonError(await as(srv, alice, 'GET', `/api/v1/statuses/${pub.id}/context`), 404);
  assertJsonError(await as(srv, alice, 'GET', `/api/v1/statuses/${pub.id}/source`), 404);
  assert.deepEqual(ids(await statusesOf(srv, alice, alice)), [priv.id]);
  assert.equal(await statusesCount(srv, alice), 1, 'statuses_count drops');
}));

test('deleting a direct status leaves statuses_count alone; deleting a private reply leaves replies_count alone', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const root = await postOk(srv, alice, { status: 'root' });
  const dm = await postOk(srv, alice, { status: `@${bob.username} psst`, visibility: 'direct' });
  const pubReply = await postOk(srv, bob, { status: 'public reply', in_reply_to_id: root.id });
  const privReply = await postOk(srv, bob, { status: 'private reply', in_reply_to_id: root.id, visibility: 'private' });
  const dmReply = await postOk(srv, bob, { status: `@${alice.username} direct reply`, in_reply_to_id: root.id, visibility: 'direct' });
  assert.equal(await statusesCount(srv, alice), 1, 'the direct status is not counted');
  assert.equal(await statusesCount(srv, bob), 2);
  const replies = async () => (await ok(srv, alice, 'GET', `/api/v1/statuses/${root.id}`)).replies_count;
  assert.equal(await replies(), 1);
  await ok(srv, alice, 'DELETE', `/api/v1/statuses/${dm.id}`);
  assert.equal(await statusesCount(srv, alice), 1, 'deleting a direct status does not decrement');
  await ok(srv, bob, 'DELETE', `/api/v1/statuses/${privReply.id}`);
  await ok(srv, bob, 'DELETE', `/api/v1/statuses/${dmReply.id}`);
  assert.equal(await replies(), 1, 'deleting uncounted replies does not decrement');
  assert.equal(await statusesCount(srv, bob), 1);
  await ok(srv, bob, 'DELETE', `/api/v1/statuses/${pubReply.id}`);
  assert.equal(await replies(), 0);
  assert.equal(await statusesCount(srv, bob), 0);
}));

test('GET /api/v1/statuses/:id/source returns {id, text, spoiler_text}', withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, { users: ['alice'] });
  const text = 'raw <i>text</i> & #tag https://example.com';
  const s = await postOk(srv, alice, { status: text, spoiler_text: 'spoiler' });
  const src = await ok(srv, alice, 'GET', `/api/v1/statuses/${s.id}/source`);
  assert.deepEqual({ id: src.id, text: src.text, spoiler_text: src.spoiler_text }, { id: s.id, text, spoiler_text: 'spoiler' });
  const plain = await postOk(srv, alice, { status: 'no spoiler' });
  const src2 = await ok(srv, alice, 'GET', `/api/v1/statuses/${plain.id}/source`);
  assert.equal(src2.spoiler_text, '', 'spoiler_text is "" not null');
  assertJsonError(await as(srv, alice, 'GET', '/api/v1/statuses/99999999999999/source'), 404);
  assertJsonError(await as(srv, null, 'GET', `/api/v1/statuses/${s.id}/source`), 401);
}));

// ---------------------------------------------------------------------------
// Context

test('context: ancestors oldest→newest, descendants depth-first, only what the viewer may see; replies_count counts public/unlisted replies', withLogs(async (t, start) => {
  const { srv, users: [alice, bob, carol, dave] } = await socialServer(start, { users: ['alice', 'bob', 'carol', 'dave'] });
  const root = await postOk(srv, alice, { status: 'root' });
  const r1 = await postOk(srv, bob, { status: 'r1', in_reply_to_id: root.id });
  const r2 = await postOk(srv, carol, { status: 'r2', in_reply_to_id: root.id, visibility: 'unlisted' });
  const r1a = await postOk(srv, alice, { status: 'r1a', in_reply_to_id: r1.id });
  const r1b = await postOk(srv, carol, { status: 'r1b', in_reply_to_id: r1.id });
  const r1a1 = await postOk(srv, bob, { status: 'r1a1', in_reply_to_id: r1a.id });
  const r2p = await postOk(srv, dave, { status: 'r2p private', in_reply_to_id: r2.id, visibility: 'private' });
  const r2d = await postOk(srv, dave, { status: `@${alice.username} r2d direct`, in_reply_to_id: root.id, visibility: 'direct' });
  const name = new Map([[root, 'root'], [r1, 'r1'], [r2, 'r2'], [r1a, 'r1a'], [r1b, 'r1b'], [r1a1, 'r1a1'], [r2p, 'r2p'], [r2d, 'r2d']].map(([s, n]) => [s.id, n]));
  const names = (list) => list.map((s) => name.get(s.id) ?? s.id);

  const ctx = async (viewer, s) => {
    const c = await ok(srv, viewer, 'GET', `/api/v1/statuses/${s.id}/context`);
    assert.deepEqual(Object.keys(c).sort(), ['ancestors', 'descendants']);
    for (const x of [...c.ancestors, ...c.descendants]) assertStatus(x, { authed: viewer !== null });
    return { ancestors: names(c.ancestors), descendants: names(c.descendants) };
  };
  assert.deepEqual(await ctx(null, root), { ancestors: [], descendants: ['r1', 'r1a', 'r1a1', 'r1b', 'r2'] }, 'anonymous');
  assert.deepEqual(await ctx(alice, root), { ancestors: [], descendants: ['r1', 'r1a', 'r1a1', 'r1b', 'r2', 'r2d'] }, 'alice is mentioned in r2d, does not follow dave');
  assert.deepEqual(await ctx(dave, root), { ancestors: [], descendants: ['r1', 'r1a', 'r1a1', 'r1b', 'r2', 'r2p', 'r2d'] }, 'dave wrote r2p and r2d');
  assert.deepEqual(await ctx(carol, root), { ancestors: [], descendants: ['r1', 'r1a', 'r1a1', 'r1b', 'r2'] }, 'carol does not follow dave');
  assert.deepEqual(await ctx(null, r1a1), { ancestors: ['root', 'r1', 'r1a'], descendants: [] });
  assert.deepEqual(await ctx(bob, r1a), { ancestors: ['root', 'r1'], descendants: ['r1a1'] });
  assert.deepEqual(await ctx(null, r1), { ancestors: ['root'], descendants: ['r1a', 'r1a1', 'r1b'] });
  assert.deepEqual(await ctx(dave, r2p), { ancestors: ['root', 'r2'], descendants: [] });
  assert.deepEqual(await ctx(alice, r2d), { ancestors: ['root'], descendants: [] });
  assertJsonError(await as(srv, null, 'GET', `/api/v1/statuses/${r2p.id}/context`), 404);
  assertJsonError(await as(srv, carol, 'GET', `/api/v1/statuses/${r2d.id}/context`), 404);
  assertJsonError(await as(srv, null, 'GET', '/api/v1/statuses/99999999999999/context'), 404);

  const count = async (s) => (await ok(srv, dave, 'GET', `/api/v1/statuses/${s.id}`)).replies_count;
  assert.equal(await count(root), 2, 'root: r1 (public) and r2 (unlisted); the direct r2d does not count');
  assert.equal(await count(r1), 2);
  assert.equal(await count(r1a), 1);
  assert.equal(await count(r2), 0, 'the private r2p does not count');
  assert.equal(await count(r1a1), 0);
}));

// ---------------------------------------------------------------------------
// Favourites

test('favourite/unfavourite are idempotent, favourites_count is exact, favourited_by lists newest first', withLogs(async (t, start) => {
  const { srv, users: [alice, bob, carol, dave] } = await socialServer(start, { users: ['alice', 'bob', 'carol', 'dave'] });
  const s = await postOk(srv, alice, { status: 'like me' });
  const f1 = await ok(srv, bob, 'POST', `/api/v1/statuses/${s.id}/favourite`);
  assertStatus(f1, { authed: true });
  assert.equal(f1.id, s.id);
  assert.equal(f1.favourited, true);
  assert.equal(f1.favourites_count, 1);
  const f1again = await ok(srv, bob, 'POST', `/api/v1/statuses/${s.id}/favourite`);
  assert.equal(f1again.favourited, true);
  assert.equal(f1again.favourites_count, 1, 'favouriting twice counts once');
  assert.equal((await ok(srv, carol, 'POST', `/api/v1/statuses/${s.id}/favourite`)).favourites_count, 2);
  assert.equal((await ok(srv, dave, 'POST', `/api/v1/statuses/${s.id}/favourite`)).favourites_count, 3);

  assert.equal((await ok(srv, bob, 'GET', `/api/v1/statuses/${s.id}`)).favourited, true);
  assert.equal((await ok(srv, alice, 'GET', `/api/v1/statuses/${s.id}`)).favourited, false);
  const anon = await ok(srv, null, 'GET', `/api/v1/statuses/${s.id}`);
  assert.equal(anon.favourites_count, 3);
  assert.ok(!('favourited' in anon));

  const by = await ok(srv, null, 'GET', `/api/v1/statuses/${s.id}/favourited_by`);
  assert.deepEqual(ids(by), [dave.id, carol.id, bob.id], 'favourited_by, newest favourite first');
  const paged = await walk(srv, null, `/api/v1/statuses/${s.id}/favourited_by?limit=1`);
  assert.deepEqual(paged.pages.map(ids), [[dave.id], [carol.id], [bob.id]], 'favourited_by pages by Link');

  const u1 = await ok(srv, bob, 'POST', `/api/v1/statuses/${s.id}/unfavourite`);
  assert.equal(u1.favourited, false);
  assert.equal(u1.favourites_count, 2);
  const u1again = await ok(srv, bob, 'POST', `/api/v1/statuses/${s.id}/unfavourite`);
  assert.equal(u1again.favourited, false);
  assert.equal(u1again.favourites_count, 2, 'unfavouriting twice counts once');
  const never = await ok(srv, alice, 'POST', `/api/v1/statuses/${s.id}/unfavourite`);
  assert.equal(never.favourites_count, 2, 'unfavouriting what was never favourited changes nothing');
  assert.deepEqual(ids(await ok(srv, null, 'GET', `/api/v1/statuses/${s.id}/favourited_by`)), [dave.id, carol.id]);

  // Favouriting again after unfavouriting puts bob first.
  await ok(srv, bob, 'POST', `/api/v1/statuses/${s.id}/favourite`);
  assert.deepEqual(ids(await ok(srv, null, 'GET', `/api/v1/statuses/${s.id}/favourited_by`)), [bob.id, dave.id, carol.id]);

  assertJsonError(await as(srv, null, 'POST', `/api/v1/statuses/${s.id}/favourite`), 401);
  assertJsonError(await as(srv, bob, 'POST', '/api/v1/statuses/99999999999999/favourite'), 404);
  assertJsonError(await as(srv, bob, 'POST', '/api/v1/statuses/abc/favourite'), 404);
  assertJsonError(await as(srv, null, 'GET', '/api/v1/statuses/99999999999999/favourited_by'), 404);
}));

test('GET /api/v1/favourites lists the user\'s favourites, newest favourite first, paged by Link', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const s = [];
  for (let i = 0; i < 5; i += 1) s.push(await postOk(srv, alice, { status: `s${i}` }));
  for (const i of [3, 1, 4, 0, 2]) await ok(srv, bob, 'POST', `/api/v1/statuses/${s[i].id}/favourite`);
  const expected = [2, 0, 4, 1, 3].map((i) => s[i].id);
  const list = await ok(srv, bob, 'GET', '/api/v1/favourites');
  for (const x of list) assertStatus(x, { authed: true });
  assert.ok(list.every((x) => x.favourited === true), 'every listed status is favourited by the viewer');
  assert.deepEqual(ids(list), expected, 'newest favourite first, not newest status first');
  const paged = await walk(srv, bob, '/api/v1/favourites?limit=2');
  assert.deepEqual(paged.pages.map((p) => p.length), [2, 2, 1]);
  assert.deepEqual(ids(paged.items), expected);
  await ok(srv, bob, 'POST', `/api/v1/statuses/${s[0].id}/unfavourite`);
  assert.deepEqual(ids(await ok(srv, bob, 'GET', '/api/v1/favourites')), [2, 4, 1, 3].map((i) => s[i].id));
  assert.deepEqual(await ok(srv, alice, 'GET', '/api/v1/favourites'), []);
  assertJsonError(await as(srv, null, 'GET', '/api/v1/favourites'), 401);
}));

// ---------------------------------------------------------------------------
// Reblogs

test('reblog returns the wrapper (reblogged on both), a repeat returns the same wrapper, unreblog returns the original; counts exact', withLogs(async (t, start) => {
  const { srv, users: [alice, bob, carol, dave] } = await socialServer(start, { users: ['alice', 'bob', 'carol', 'dave'] });
  const s = await postOk(srv, alice, { status: 'boost me' });
  const w = await ok(srv, bob, 'POST', `/api/v1/statuses/${s.id}/reblog`);
  assertStatus(w, { authed: true });
  assert.notEqual(w.id, s.id, 'a new wrapper status');
  assert.equal(w.account.id, bob.id);
  assert.ok(w.reblog, 'wrapper.reblog is the original');
  assert.equal(w.reblog.id, s.id);
  assert.equal(w.reblog.account.id, alice.id);
  assert.equal(w.reblogged, true);
  assert.equal(w.reblog.reblogged, true);
  assert.equal(w.reblog.reblogs_count, 1);

  const again = await ok(srv, bob, 'POST', `/api/v1/statuses/${s.id}/reblog`);
  assert.equal(again.id, w.id, 'reblogging again returns the same wrapper');
  assert.equal(again.reblog.reblogs_count, 1);
  assert.equal((await ok(srv, carol, 'POST', `/api/v1/statuses/${s.id}/reblog`)).reblog.reblogs_count, 2);
  assert.equal(await statusesCount(srv, bob), 1, 'statuses_count includes reblogs');

  const orig = await ok(srv, bob, 'GET', `/api/v1/statuses/${s.id}`);
  assert.equal(orig.reblogged, true);
  assert.equal(orig.reblogs_count, 2);
  assert.equal((await ok(srv, dave, 'GET', `/api/v1/statuses/${s.id}`)).reblogged, false);
  const wrapper = await ok(srv, null, 'GET', `/api/v1/statuses/${w.id}`);
  assert.equal(wrapper.reblog.id, s.id);
  assert.deepEqual(ids(await statusesOf(srv, null, bob)), [w.id]);
  assert.deepEqual(ids(await ok(srv, null, 'GET', `/api/v1/statuses/${s.id}/reblogged_by`)).sort(), [bob.id, carol.id].sort());
  const paged = await walk(srv, null, `/api/v1/statuses/${s.id}/reblogged_by?limit=1`);
  assert.deepEqual(paged.items.map((a) => a.id).sort(), [bob.id, carol.id].sort(), 'reblogged_by pages by Link');

  // Reblogging the wrapper reblogs the original (Mastodon).
  const viaWrapper = await ok(srv, dave, 'POST', `/api/v1/statuses/${w.id}/reblog`);
  assert.equal(viaWrapper.reblog.id, s.id, 'a reblog of a reblog points at the original');
  assert.equal(viaWrapper.reblog.reblogs_count, 3);

  const un = await ok(srv, bob, 'POST', `/api/v1/statuses/${s.id}/unreblog`);
  assertStatus(un, { authed: true });
  assert.equal(un.id, s.id, 'unreblog returns the original');
  assert.equal(un.reblogged, false);
  assert.equal(un.reblogs_count, 2);
  assertJsonError(await as(srv, null, 'GET', `/api/v1/statuses/${w.id}`), 404);
  assert.equal(await statusesCount(srv, bob), 0);
  assert.deepEqual(await statusesOf(srv, null, bob), []);
  const unAgain = await ok(srv, bob, 'POST', `/api/v1/statuses/${s.id}/unreblog`);
  assert.equal(unAgain.reblogged, false);
  assert.equal(unAgain.reblogs_count, 2);
  assert.deepEqual(ids(await ok(srv, null, 'GET', `/api/v1/statuses/${s.id}/reblogged_by`)).sort(), [carol.id, dave.id].sort());

  assertJsonError(await as(srv, null, 'POST', `/api/v1/statuses/${s.id}/reblog`), 401);
  assertJsonError(await as(srv, bob, 'POST', '/api/v1/statuses/99999999999999/reblog'), 404);
  assertJsonError(await as(srv, bob, 'POST', '/api/v1/statuses/abc/unreblog'), 404);
}));

test('deleting a reblog wrapper undoes the reblog: reblogs_count and statuses_count drop', withLogs(async (t, start) => {
  const { srv, users: [alice, bob, carol] } = await socialServer(start, { users: ['alice', 'bob', 'carol'] });
  const s = await postOk(srv, alice, { status: 'original' });
  const w = await ok(srv, bob, 'POST', `/api/v1/statuses/${s.id}/reblog`);
  assertJsonError(await as(srv, carol, 'DELETE', `/api/v1/statuses/${w.id}`), 403);
  assertJsonError(await as(srv, alice, 'DELETE', `/api/v1/statuses/${w.id}`), 403); // the original's author cannot delete the wrapper
  await ok(srv, bob, 'DELETE', `/api/v1/statuses/${w.id}`);
  const after = await ok(srv, bob, 'GET', `/api/v1/statuses/${s.id}`);
  assert.equal(after.reblogs_count, 0);
  assert.equal(after.reblogged, false);
  assert.equal(await statusesCount(srv, bob), 0);
  assert.deepEqual(await ok(srv, null, 'GET', `/api/v1/statuses/${s.id}/reblogged_by`), []);
  const again = await ok(srv, bob, 'POST', `/api/v1/statuses/${s.id}/reblog`);
  assert.notEqual(again.id, w.id, 'a new reblog makes a new wrapper');
  assert.equal(again.reblog.reblogs_count, 1);
}));

test('reblog: private statuses of others and all direct statuses → 403, own private → 200, invisible → 404', withLogs(async (t, start) => {
  const { srv, users: [alice, bob, carol] } = await socialServer(start, { users: ['alice', 'bob', 'carol'] });
  await followOk(srv, bob, alice);
  const priv = await postOk(srv, alice, { status: 'followers only', visibility: 'private' });
  const direct = await postOk(srv, alice, { status: `@${bob.username} just you`, visibility: 'direct' });
  assertJsonError(await as(srv, bob, 'POST', `/api/v1/statuses/${priv.id}/reblog`), 403);
  assertJsonError(await as(srv, bob, 'POST', `/api/v1/statuses/${direct.id}/reblog`), 403);
  assertJsonError(await as(srv, alice, 'POST', `/api/v1/statuses/${direct.id}/reblog`), 403);
  assertJsonError(await as(srv, carol, 'POST', `/api/v1/statuses/${priv.id}/reblog`), 404);
  assertJsonError(await as(srv, carol, 'POST', `/api/v1/statuses/${direct.id}/reblog`), 404);
  const own = await ok(srv, alice, 'POST', `/api/v1/statuses/${priv.id}/reblog`);
  assert.equal(own.reblog.id, priv.id, 'the author may reblog her own private status');
  assert.equal(own.reblog.reblogs_count, 1);
  assert.equal((await ok(srv, alice, 'GET', `/api/v1/statuses/${direct.id}`)).reblogs_count, 0);
  assert.equal((await ok(srv, alice, 'GET', `/api/v1/statuses/${priv.id}`)).reblogs_count, 1);
  assert.equal(await statusesCount(srv, bob), 0, 'no wrapper was created for bob');
}));

// ---------------------------------------------------------------------------
// Account statuses

test('account statuses: exclude_replies keeps self-replies, exclude_reblogs, only_media, tagged (case-insensitive), pinned, per-viewer visibility', withLogs(async (t, start) => {
  const { srv, users: [alice, bob, carol] } = await socialServer(start, { users: ['alice', 'bob', 'carol'] });
  await followOk(srv, carol, alice);
  const b1 = await postOk(srv, bob, { status: 'bob says' });
  const s1 = await postOk(srv, alice, { status: 'first' });
  const s2 = await postOk(srv, alice, { status: 'self reply', in_reply_to_id: s1.id });
  const s3 = await postOk(srv, alice, { status: 'reply to bob', in_reply_to_id: b1.id });
  const s4 = await ok(srv, alice, 'POST', `/api/v1/statuses/${b1.id}/reblog`);
  const s5 = await postOk(srv, alice, { status: 'tagged #Tagged' });
  const s6 = await postOk(srv, alice, { status: 'unlisted', visibility: 'unlisted' });
  const s7 = await postOk(srv, alice, { status: 'private', visibility: 'private' });
  const s8 = await postOk(srv, alice, { status: `@${bob.username} direct`, visibility: 'direct' });
  const q = async (viewer, query = '') => ids(await statusesOf(srv, viewer, alice, query));
  const I = (...xs) => xs.map((x) => x.id);

  const mine = await statusesOf(srv, alice, alice);
  for (const x of mine) assertStatus(x, { authed: true });
  assert.deepEqual(ids(mine), I(s8, s7, s6, s5, s4, s3, s2, s1), 'the author sees everything, newest first');
  assert.equal(mine.find((x) => x.id === s4.id).reblog.id, b1.id, 'the reblog is listed as a wrapper');
  assert.deepEqual(await q(alice, '?exclude_replies=true'), I(s8, s7, s6, s5, s4, s2, s1), 'exclude_replies drops the reply to bob, keeps the self-reply');
  assert.deepEqual(await q(alice, '?exclude_reblogs=true'), I(s8, s7, s6, s5, s3, s2, s1));
  assert.deepEqual(await q(alice, '?exclude_replies=true&exclude_reblogs=true'), I(s8, s7, s6, s5, s2, s1));
  assert.deepEqual(await q(alice, '?only_media=true'), []);
  assert.deepEqual(await q(null, '?tagged=tagged'), I(s5));
  assert.deepEqual(await q(null, '?tagged=TAGGED'), I(s5));
  assert.deepEqual(await q(null, '?tagged=nothing'), []);
  assert.deepEqual(await q(alice, '?pinned=true'), []);

  assert.deepEqual(await q(carol), I(s7, s6, s5, s4, s3, s2, s1), 'a follower also sees private statuses, not direct');
  assert.deepEqual(await q(bob), I(s6, s5, s4, s3, s2, s1), 'others see public and unlisted; direct only to the author');
  const anon = await statusesOf(srv, null, alice);
  for (const x of anon) assertStatus(x, { authed: false });
  assert.deepEqual(ids(anon), I(s6, s5, s4, s3, s2, s1));
  assert.deepEqual(await q(bob, '?exclude_replies=1'), I(s6, s5, s4, s2, s1));
  assertJsonError(await as(srv, null, 'GET', '/api/v1/accounts/99999999999999/statuses'), 404);
}));

// ---------------------------------------------------------------------------
// Pagination

test('walking a filtered account listing via Link keeps the filter (exclude_replies, exclude_reblogs, tagged)', withLogs(async (t, start) => {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const b = await postOk(srv, bob, { status: 'bob' });
  const plain = [];
  const tagged = [];
  for (let i = 0; i < 6; i += 1) {
    plain.push((await postOk(srv, alice, { status: `plain ${i} #walk` })).id);
    tagged.push(plain[plain.length - 1]);
    await postOk(srv, alice, { status: `reply ${i}`, in_reply_to_id: b.id });
    await ok(srv, alice, 'POST', `/api/v1/statuses/${(await postOk(srv, bob, { status: `b${i}` })).id}/reblog`);
  }
  const path = `/api/v1/accounts/${alice.id}/statuses`;
  const w1 = await walk(srv, bob, `${path}?exclude_replies=true&exclude_reblogs=true&limit=2`);
  assert.deepEqual(ids(w1.items), [...plain].reverse(), 'every page honours exclude_replies and exclude_reblogs');
  assert.deepEqual(w1.pages.map((p) => p.length), [2, 2, 2]);
  const w2 = await walk(srv, bob, `${path}?tagged=walk&limit=4`);
  assert.deepEqual(ids(w2.items), [...tagged].reverse(), 'every page honours tagged');
  const w3 = await walk(srv, bob, `${path}?exclude_reblogs=true&limit=5`);
  assert.equal(w3.items.length, 12, 'plain and replies, no reblogs');
  assert.ok(w3.items.every((x) => x.reblog === null));
}));

async function fortyFive(start) {
  const { srv, users: [alice, bob] } = await socialServer(start, { users: ['alice', 'bob'] });
  const created = [];
  for (let i = 0; i < 45; i += 1) created.push((await postOk(srv, alice, { status: `n${i}` })).id);
  const e = [...created].reverse(); // newest first
  assert.deepEqual(newestFirst(created), e, 'ids grow with creation time');
  return { srv, alice, bob, e, path: `/api/v1/accounts/${alice.id}/statuses` };
}

test('pagination: walking rel="next" with limit=7 returns every status once, newest first; rel="prev" walks back', withLogs(async (t, start) => {
  const { srv, bob, e, path } = await fortyFive(start);
  const fwd = [];
  let p = await page(srv, bob, `${path}?limit=7`);
  while (p.items.length) {
    fwd.push(p);
    const items = ids(p.items);
    const next = new URL(p.link.next);
    const prev = new URL(p.link.prev);
    assert.equal(next.pathname, path);
    assert.equal(next.searchParams.get('max_id'), items[items.length - 1], `next carries max_id = last id: ${p.link.next}`);
    assert.equal(next.searchParams.get('limit'), '7', `next carries limit: ${p.link.next}`);
    assert.equal(prev.searchParams.get('min_id'), items[0], `prev carries min_id = first id: ${p.link.prev}`);
    assert.equal(prev.searchParams.get('limit'), '7', `prev carries limit: ${p.link.prev}`);
    p = await page(srv, bob, p.link.next);
  }
  assert.deepEqual(fwd.map((x) => x.items.length), [7, 7, 7, 7, 7, 7, 3]);
  assert.deepEqual(fwd.flatMap((x) => ids(x.items)), e, 'all 45, once each, newest first');

  // Backwards from the last page: each rel="prev" gives the page before.
  const back = [];
  p = await page(srv, bob, fwd[fwd.length - 1].link.prev);
  while (p.items.length) {
    back.push(ids(p.items));
    p = await page(srv, bob, p.link.prev);
  }
  assert.deepEqual(back, fwd.slice(0, -1).reverse().map((x) => ids(x.items)), 'prev pages mirror next pages');
}));

test('pagination: since_id gives the newest page, min_id the page right above the cursor, max_id+min_id a window', withLogs(async (t, start) => {
  const { srv, bob, e, path } = await fortyFive(start);
  const get = async (qs) => ids((await page(srv, bob, `${path}?${qs}`)).items);
  const c = e[30];
  assert.deepEqual(await get(`since_id=${c}&limit=5`), e.slice(0, 5), 'since_id: the newest 5 above the cursor');
  assert.deepEqual(await get(`min_id=${c}&limit=5`), e.slice(25, 30), 'min_id: the 5 immediately above the cursor, newest first');
  assert.deepEqual(await get(`min_id=${c}`), e.slice(10, 30), 'min_id with the default limit 20');
  assert.deepEqual(await get(`max_id=${c}`), e.slice(31), 'max_id: strictly older');
  assert.deepEqual(await get(`max_id=${e[10]}&min_id=${e[20]}`), e.slice(11, 20), 'max_id and min_id combined');
  assert.deepEqual(await get(`max_id=${e[10]}&since_id=${e[20]}&limit=3`), e.slice(11, 14), 'max_id and since_id combined');
  assert.deepEqual(await get(`max_id=${e[10]}&min_id=${e[20]}&limit=3`), e.slice(17, 20), 'window from the bottom with min_id');
  assert.deepEqual(await get(`since_id=${e[0]}`), [], 'nothing newer than the newest (and no Link header)');
  assert.deepEqual(await get(`min_id=${e[0]}`), []);
  assert.deepEqual(await get(`max_id=${e[44]}`), [], 'nothing older than the oldest');
  const unknownCursor = (BigInt(e[0]) + 1000n).toString();
  assert.deepEqual(await get(`max_id=${unknownCursor}&limit=3`), e.slice(0, 3), 'a cursor need not be an existing id');
}));

test('pagination: limit defaults to 20, caps at 40, limit=0 and negative clamp into 1..40', withLogs(async (t, start) => {
  const { srv, bob, e, path } = await fortyFive(start);
  const get = async (qs) => ids((await page(srv, bob, `${path}${qs}`)).items);
  assert.deepEqual(await get(''), e.slice(0, 20), 'default 20');
  assert.deepEqual(await get('?limit=40'), e.slice(0, 40));
  assert.deepEqual(await get('?limit=100'), e.slice(0, 40), 'at most 40');
  assert.deepEqual(await get('?limit=0'), e.slice(0, 1), 'limit=0 → 1');
  const neg = await get('?limit=-5');
  assert.ok(neg.length >= 1 && neg.length <= 5, `limit=-5 clamps (1 or |−5|), got ${neg.length}`);
  assert.deepEqual(neg, e.slice(0, neg.length));
  assert.deepEqual(ids(await all(srv, null, path, 40)), e, 'anonymous walk with limit=40');
  // The same limits on the favourites listing.
  await Promise.all(e.map((id) => ok(srv, bob, 'POST', `/api/v1/statuses/${id}/favourite`)));
  assert.equal((await page(srv, bob, '/api/v1/favourites')).items.length, 20, 'favourites: default 20');
  assert.equal((await page(srv, bob, '/api/v1/favourites?limit=100')).items.length, 40, 'favourites: at most 40');
  assert.equal((await walk(srv, bob, '/api/v1/favourites?limit=40')).items.length, 45);
}));
