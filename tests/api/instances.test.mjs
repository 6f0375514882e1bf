// Several chirpd instances on one PostgreSQL database (the scaled-out
// deployment), as a client sees them: two API servers, A and B, each with a
// data directory and a worker id of its own, keep their records in the same
// database, and a client may be sent to either. A status posted through A
// reaches B's streams and B's home timelines; a token revoked and a block
// made through A hold on B within a second; an account registered through B
// signs in on A at once; notifications made through A reach the recipient's
// list and user stream on B.
//
// Beside them, `chirpd worker` (no HTTP) competes for the event stream's
// durable consumer, the notifier, which one process at a time runs (a
// PostgreSQL advisory lock held by its session): a worker killed with
// kill -9 in the middle of a stream of mentions and favourites is replaced
// within about a second, and every answered request ends up as exactly one
// notification. A worker refuses the embedded store, and a second process
// with a worker id already held on the database refuses to start.
//
// Runs only against PostgreSQL (run.sh with CHIRP_API_STORE=postgres, which
// sets CHIRPD_POSTGRES_URL); otherwise every test is skipped but the one of
// a worker without a database. Each test creates a database of its own on
// that server (psql), starts both servers with CHIRP_DATABASE_URL naming it
// (chirpd_on_postgres.sh leaves an explicit one alone) and drops it at the
// end.
//
// What one instance writes reaches the other through the database and the
// event stream kept there, after the write is answered: every check polls
// (bounded), and a time limit of a second is measured from the answer of the
// request on A to the sending of the first request B answered the new way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  withLogs, api, show, registerApp, createUserToken, authorizeViaForm, elementTextById, pkcePair,
  runUntilExit, CHIRPD_BIN,
} from './lib/server.mjs';
import { assertJsonError } from './lib/entities.mjs';
import {
  NO_LIMITS, signUpMany, post, postOk, ok, as, follow, followOk, assertStatus, scopedToken, ids,
} from './lib/social.mjs';
import { eventually, homeItems, waitInHome, readAll } from './lib/timelines.mjs';
import { streamScope, openStream, expectUpgradeRefused, isUpdate, isNotification } from './lib/streaming.mjs';

const POSTGRES_URL = process.env.CHIRPD_POSTGRES_URL;
const T = {
  timeout: 60_000,
  skip: POSTGRES_URL ? false : 'needs CHIRP_API_STORE=postgres (several instances share one PostgreSQL database; CHIRPD_POSTGRES_URL is not set)',
};
// How soon a revocation or a block made through one instance must hold on
// the other, and how long a test looks for it there.
// Under a sanitizer (scripts/sanitize.sh) chirpd runs several times
// slower: the limits grow alike.
const SLOWDOWN = process.env.CHIRP_SANITIZER ? 5 : 1;
const PROPAGATION_MS = 1000 * SLOWDOWN;
const PROPAGATION_POLL_MS = 1500 * SLOWDOWN;
// How soon another process takes the notifier over from a worker killed
// with kill -9 (a standby looks again every second).
const TAKEOVER_MS = 1000 * SLOWDOWN;
const OOB = 'urn:ietf:wg:oauth:2.0:oob';

// ---------------------------------------------------------------------------
// Two instances on one database

// The server of CHIRPD_POSTGRES_URL: the URL without its last path segment.
const serverUrl = () => POSTGRES_URL.replace(/\/[^/]*$/, '');

function psql(sql) {
  return new Promise((res, rej) => {
    execFile('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', `${serverUrl()}/postgres`, '-c', sql],
      { timeout: 30_000 }, (err, stdout, stderr) => {
        if (err) return rej(new Error(`psql -c "${sql}" failed: ${err.message}\n${stderr}`));
        res(stdout);
      });
  });
}

// Rows of a query (psql -tA), each an array of its columns.
async function psqlRows(sql) {
  return new Promise((res, rej) => {
    execFile('psql', ['-X', '-tA', '-v', 'ON_ERROR_STOP=1', `${serverUrl()}/postgres`, '-c', sql],
      { timeout: 30_000 }, (err, stdout, stderr) => {
        if (err) return rej(new Error(`psql -c "${sql}" failed: ${err.message}\n${stderr}`));
        res(stdout.split('\n').filter((l) => l.length).map((l) => l.split('|')));
      });
  });
}

// The session-level advisory locks granted on database `db`:
// [{ pid (of the server backend), key }].
async function advisoryLocks(db) {
  const rows = await psqlRows(
    'SELECT l.pid, l.classid::text || \':\' || l.objid::text FROM pg_locks l JOIN pg_database d ON d.oid = l.database ' +
    `WHERE d.datname = '${db}' AND l.locktype = 'advisory' AND l.granted ORDER BY 1, 2`);
  return rows.map(([pid, key]) => ({ pid, key }));
}

// Creates a database of the test's own and starts A and B on it (worker ids
// 1 and 2, data directories of their own); with `worker` (a worker id),
// `chirpd worker` first, on its own on the database until it runs. The
// database is dropped after the test, once every process has stopped.
// Streams opened with `t` are closed before the servers stop (streamScope
// is registered first).
async function twoInstances(t, start, { args = [], worker, beforeInstances } = {}) {
  streamScope(t);
  const db = `chirp_instances_${randomBytes(6).toString('hex')}`;
  await psql(`CREATE DATABASE ${db}`);
  const url = `${serverUrl()}/${db}`;
  const servers = [];
  t.after(async () => {
    for (const s of servers) await s.dispose();
    await psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  });
  let w;
  if (worker !== undefined) {
    w = await start({ command: 'worker', env: { CHIRP_DATABASE_URL: url, CHIRP_WORKER_ID: worker } });
    servers.push(w);
    if (beforeInstances) await beforeInstances(w, db);
  }
  const instances = [];
  for (const id of ['1', '2']) {
    instances.push(await start({ args: [...NO_LIMITS, ...args], env: { CHIRP_DATABASE_URL: url, CHIRP_WORKER_ID: id } }));
    servers.push(instances.at(-1));
  }
  const [a, b] = instances;
  return { a, b, db, url, worker: w };
}

// Polls `fn` (→ { ok, value, detail }) for at most PROPAGATION_POLL_MS from
// `since` (the moment the change was answered on the other instance), and
// asserts that it held within PROPAGATION_MS (or `limitMs`, polling for at
// most `pollMs`). Returns the milliseconds from `since` to the sending of the
// first request that saw the change, and reports them as a diagnostic.
async function within(t, what, since, fn, { limitMs = PROPAGATION_MS, pollMs = PROPAGATION_POLL_MS } = {}) {
  let sentAt = 0;
  let last;
  for (;;) {
    sentAt = Date.now();
    try {
      last = await fn();
    } catch (e) {
      last = { ok: false, detail: `last attempt threw: ${e?.message ?? e}` };
    }
    if (last.ok) break;
    if (Date.now() - since >= pollMs) {
      assert.fail(`${what}: not seen within ${pollMs} ms (limit ${limitMs} ms)\n${last.detail ?? ''}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const took = sentAt - since;
  t.diagnostic(`${what}: ${took} ms`);
  assert.ok(took <= limitMs, `${what}: took ${took} ms, more than ${limitMs} ms\n${last.detail ?? ''}`);
  return took;
}

const verify = (srv, token) => api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token });
const favourite = (srv, user, s) => ok(srv, user, 'POST', `/api/v1/statuses/${s.id}/favourite`);

// The Status as another instance renders it must be the one the posting
// instance answered: every field the same, except those about the viewer
// (favourited, reblogged, muted, bookmarked, pinned, filtered), which a
// rendering for another viewer or for nobody may leave out or set otherwise,
// and the instance's own address in URLs (without --public-url each instance
// writes the Host it is reached at; a deployment sets one public URL).
const VIEWER_KEYS = ['favourited', 'reblogged', 'muted', 'bookmarked', 'pinned', 'filtered'];
function sameStatus(got, want, what, instances) {
  const normal = (x) => {
    let text = JSON.stringify(Object.fromEntries(Object.entries(x).filter(([k]) => !VIEWER_KEYS.includes(k))));
    for (const srv of instances) text = text.split(srv.url).join('http://<instance>');
    return JSON.parse(text);
  };
  const diffs = [];
  const walk = (g, w, path) => {
    if (JSON.stringify(g) === JSON.stringify(w)) return;
    if (g && w && typeof g === 'object' && typeof w === 'object' && Array.isArray(g) === Array.isArray(w)) {
      for (const k of new Set([...Object.keys(g), ...Object.keys(w)])) walk(g[k], w[k], `${path}.${k}`);
    } else {
      diffs.push(`${path}: ${JSON.stringify(g)} here, ${JSON.stringify(w)} in the answer of the posting instance`);
    }
  };
  walk(normal(got), normal(want), 'Status');
  assert.ok(diffs.length === 0, `${what}: not the Status the posting instance answered:\n  ${diffs.join('\n  ')}`);
}

// Awaits every check (promises) and fails with all their failures at once,
// so that a report says which of several things one instance did not see.
async function allOf(checks) {
  const names = Object.keys(checks);
  const results = await Promise.allSettled(Object.values(checks));
  const failed = [];
  results.forEach((r, i) => {
    if (r.status === 'rejected') failed.push(`[${names[i]}] ${r.reason?.message ?? r.reason}`);
  });
  if (failed.length) assert.fail(`${failed.length} of ${names.length} checks failed:\n${failed.join('\n')}`);
  return Object.fromEntries(names.map((k, i) => [k, results[i].value]));
}

// ---------------------------------------------------------------------------
// 1. Statuses

test('a status posted through A reaches B\'s user and public streams as the same entity, and a follower\'s home read through B', T, withLogs(async (t, start) => {
  const { a, b } = await twoInstances(t, start);
  const [alice, bob, carol] = await signUpMany(a, ['alice', 'bob', 'carol']);
  await followOk(b, bob, alice);
  // A learns of the follow made through B from the event stream, a moment
  // later: the status A answers carries alice's counts as A holds them, so
  // alice posts once A counts her follower (under load the follow's event
  // reached A after the post, and A's answer kept the count before it).
  await eventually('bob\'s follow of alice counted through A', async () => {
    const got = await api(a, 'GET', `/api/v1/accounts/${alice.id}`, { token: alice.token });
    return { ok: got.status === 200 && got.body.followers_count === 1, value: got, detail: show(got) };
  });
  // Bob has read his home through B (B may hold it in memory) before alice posts.
  assert.deepEqual(await homeItems(b, bob), [], 'bob\'s home on B before alice posts');

  const user = await openStream(b, { t, token: bob.token, stream: 'user', label: 'bob user (on B)' });
  const pub = await openStream(b, { t, token: carol.token, stream: 'public', label: 'carol public (on B)' });

  const posted = Date.now();
  const s = await postOk(a, alice, { status: 'hello from instance A' });
  assertStatus(s, { authed: true });
  const instances = [a, b];

  const onStream = async (c, stream, what) => {
    const m = await c.waitFor(isUpdate(s.id, stream), what);
    t.diagnostic(`${what}: ${Date.now() - posted} ms after the POST to A`);
    assert.equal(m.payloadError, undefined, `${what}: ${m.payloadError}: ${m.raw.slice(0, 500)}`);
    assertStatus(m.body);
    sameStatus(m.body, s, what, instances);
  };
  await allOf({
    'user stream': onStream(user, ['user'], 'alice\'s status on bob\'s user stream on B'),
    'public stream': onStream(pub, ['public'], 'alice\'s status on carol\'s public stream on B'),
    'home': within(t, 'alice\'s status in bob\'s home read through B as A answered it', posted, async () => {
      const found = (await homeItems(b, bob)).find((x) => x.id === s.id);
      if (!found) return { ok: false, detail: 'not in bob\'s home on B' };
      try {
        sameStatus(found, s, 'bob\'s home on B', instances);
        return { ok: true };
      } catch (e) {
        return { ok: false, detail: e.message };
      }
    }),
    // B renders the author with the counts it holds, which its cache
    // keeper brings up to the new status from the event stream a moment
    // after the status itself can be read: the same entity within 1 s.
    'the status': within(t, 'alice\'s status read through B as A answered it', posted, async () => {
      const res = await as(b, bob, 'GET', `/api/v1/statuses/${s.id}`);
      if (res.status !== 200) return { ok: false, detail: show(res) };
      try {
        sameStatus(res.body, s, 'GET /api/v1/statuses/:id on B', instances);
        return { ok: true };
      } catch (e) {
        return { ok: false, detail: e.message };
      }
    }),
  });
}));

// ---------------------------------------------------------------------------
// 2. Tokens

test('a token revoked through A is refused (401) by B within 1 s', T, withLogs(async (t, start) => {
  const { a, b } = await twoInstances(t, start);
  const user = await createUserToken(a);
  // B has used the token (and may hold it in memory) before it is revoked.
  for (const srv of [a, b]) {
    const me = await verify(srv, user.token);
    assert.equal(me.status, 200, show(me));
  }
  const rev = await api(a, 'POST', '/oauth/revoke', {
    form: { client_id: user.app.client_id, client_secret: user.app.client_secret, token: user.token },
  });
  assert.equal(rev.status, 200, show(rev));
  const revoked = Date.now();

  await within(t, 'revoked token refused by B', revoked, async () => {
    const res = await verify(b, user.token);
    return { ok: res.status === 401, detail: `B answers ${show(res)}` };
  });
  assertJsonError(await verify(a, user.token), 401);
  assertJsonError(await verify(b, user.token), 401);
  assertJsonError(await as(b, user.token, 'POST', '/api/v1/statuses', { json: { status: 'after revoke' } }), 401);
  const refused = await expectUpgradeRefused(b, { token: user.token, stream: 'user' });
  assert.equal(refused.statusCode, 401, `B's streaming refuses the revoked token: ${refused.body ?? refused.error?.message}`);
}));

// ---------------------------------------------------------------------------
// 3. Blocks

test('a block made through A: within 1 s B hides each account\'s statuses from the other, and B refuses a follow across it', T, withLogs(async (t, start) => {
  const { a, b } = await twoInstances(t, start);
  const [alice, bob] = await signUpMany(a, ['alice', 'bob']);
  await followOk(a, alice, bob);
  await followOk(a, bob, alice);
  const a1 = await postOk(a, alice, { status: 'alice before the block' });
  const b1 = await postOk(a, bob, { status: 'bob before the block' });
  await waitInHome(b, alice, [a1, b1], 'both statuses in alice\'s home on B');
  await waitInHome(b, bob, [a1, b1], 'both statuses in bob\'s home on B');

  const r = await ok(a, alice, 'POST', `/api/v1/accounts/${bob.id}/block`);
  assert.equal(r.blocking, true, JSON.stringify(r));
  const blocked = Date.now();

  const views = [
    within(t, 'bob\'s status gone from alice\'s home on B', blocked, async () => {
      const items = ids(await homeItems(b, alice));
      return { ok: !items.includes(b1.id) && items.includes(a1.id), detail: `alice's home on B: ${items.join(' ')}` };
    }),
    within(t, 'alice\'s status gone from bob\'s views on B', blocked, async () => {
      const home = ids(await homeItems(b, bob));
      const single = await as(b, bob, 'GET', `/api/v1/statuses/${a1.id}`);
      const list = ids(await ok(b, bob, 'GET', `/api/v1/accounts/${alice.id}/statuses`));
      return {
        ok: !home.includes(a1.id) && home.includes(b1.id) && single.status === 404 && list.length === 0,
        detail: `bob's home on B: ${home.join(' ')}; GET alice's status: HTTP ${single.status}; alice's statuses as bob: ${list.join(' ') || '(none)'}`,
      };
    }),
  ];
  await allOf({
    'alice\'s home': views[0],
    'bob\'s views': views[1],
    // Mastodon: the relationship says so, and a follow either way is 403.
    'follows across the block': (async () => {
      await Promise.allSettled(views);
      const rel = await ok(b, bob, 'GET', `/api/v1/accounts/relationships?id[]=${alice.id}`);
      assert.equal(rel[0]?.blocked_by, true, `bob's relationship to alice on B: ${JSON.stringify(rel)}`);
      assert.equal(rel[0]?.following, false, `the block ended bob's follow: ${JSON.stringify(rel)}`);
      assertJsonError(await follow(b, bob, alice), 403);
      assertJsonError(await follow(b, alice, bob), 403);
      // The block ended both follows: B's lists and counts say so.
      assert.deepEqual(await ok(b, null, 'GET', `/api/v1/accounts/${alice.id}/followers`), [], 'alice\'s followers on B');
      assert.deepEqual(await ok(b, null, 'GET', `/api/v1/accounts/${alice.id}/following`), [], 'alice\'s following on B');
      // The counts as B holds them, kept by its cache keeper: within 1 s.
      for (const u of [alice, bob]) {
        await within(t, `${u.name}'s followers_count and following_count on B after the block ended both follows`, blocked, async () => {
          const acc = await ok(b, null, 'GET', `/api/v1/accounts/${u.id}`);
          return {
            ok: acc.followers_count === 0 && acc.following_count === 0,
            detail: `followers_count ${acc.followers_count}, following_count ${acc.following_count}`,
          };
        });
      }
    })(),
  });
}));

// ---------------------------------------------------------------------------
// 4. Accounts

test('an account registered through B uses its token and signs in on A at once', T, withLogs(async (t, start) => {
  const { a, b } = await twoInstances(t, start, { args: ['--password-grant', 'on'] });
  const app = await registerApp(b, { redirect_uris: OOB });
  const u = await createUserToken(b, { app });

  // The token, issued by B, on A.
  const me = await verify(a, u.token);
  assert.equal(me.status, 200, show(me));
  assert.equal(me.body.id, u.account.id);
  assert.equal(me.body.username, u.username);
  // The account, found on A.
  assert.equal((await ok(a, null, 'GET', `/api/v1/accounts/${u.account.id}`)).username, u.username);
  assert.equal((await ok(a, null, 'GET', `/api/v1/accounts/lookup?acct=${u.username}`)).id, u.account.id);

  // Signing in on A: the password grant, and the authorize form (code exchanged on A).
  const pw = await scopedToken(a, { ...u, app }, 'read write');
  assert.equal((await ok(a, pw, 'GET', '/api/v1/accounts/verify_credentials')).id, u.account.id);
  const { verifier, challenge } = pkcePair();
  const { res } = await authorizeViaForm(a, {
    app, redirect_uri: OOB, scope: 'read', challenge, username: u.username, password: u.password,
  });
  assert.equal(res.status, 200, show(res));
  const code = elementTextById(res.text, 'authorization-code');
  assert.ok(code, `A's page shows the code:\n${res.text.slice(0, 1500)}`);
  const tok = await api(a, 'POST', '/oauth/token', {
    form: {
      grant_type: 'authorization_code', code, client_id: app.client_id, client_secret: app.client_secret,
      redirect_uri: OOB, code_verifier: verifier,
    },
  });
  assert.equal(tok.status, 200, show(tok));
  assert.equal((await ok(a, tok.body.access_token, 'GET', '/api/v1/accounts/verify_credentials')).id, u.account.id);

  // A write through A with B's token is the account's, and B reads it.
  const s = await postOk(a, u.token, { status: 'first post, through A' });
  assert.equal(s.account.id, u.account.id);
  await eventually('the status posted through A, read through B', async () => {
    const res2 = await as(b, u.token, 'GET', `/api/v1/statuses/${s.id}`);
    return { ok: res2.status === 200 && res2.body?.id === s.id, detail: show(res2) };
  });
}));

// ---------------------------------------------------------------------------
// 5. Notifications

test('a mention and a favourite made through A reach the recipient\'s notifications read through B', T, withLogs(async (t, start) => {
  const { a, b } = await twoInstances(t, start);
  const [alice, bob] = await signUpMany(a, ['alice', 'bob']);
  const own = await postOk(a, alice, { status: 'alice posts' });
  const mention = await postOk(a, bob, { status: `hello @${alice.username}` });
  await favourite(a, bob, own);

  const list = await eventually('the mention and the favourite in alice\'s notifications on B', async () => {
    const items = await ok(b, alice, 'GET', '/api/v1/notifications');
    const got = items.map((n) => `${n.type} ${n.account?.id === bob.id ? 'bob' : n.account?.id} ${n.status?.id}`);
    const ok2 = got.includes(`mention bob ${mention.id}`) && got.includes(`favourite bob ${own.id}`);
    return { ok: ok2, value: items, detail: `alice's notifications on B: ${JSON.stringify(got)}` };
  });
  assert.equal(list.length, 2, `exactly two notifications: ${JSON.stringify(list.map((n) => n.type))}`);
  assert.deepEqual(list.map((n) => n.type), ['favourite', 'mention'], 'newest first');
}));

test('a mention and a favourite made through A reach the recipient\'s user stream on B', T, withLogs(async (t, start) => {
  const { a, b } = await twoInstances(t, start);
  const [alice, bob] = await signUpMany(a, ['alice', 'bob']);
  const own = await postOk(a, alice, { status: 'alice posts' });
  const c = await openStream(b, { t, token: alice.token, stream: 'user', label: 'alice user (on B)' });

  const mention = await postOk(a, bob, { status: `hello @${alice.username}` });
  await favourite(a, bob, own);
  const onStream = async (type, status) => {
    const m = await c.waitFor(isNotification(type, { account: bob.id, status: status.id, stream: ['user'] }),
      `the ${type} notification on alice's user stream on B`);
    assert.equal(m.payloadError, undefined, m.raw.slice(0, 500));
    return m.body;
  };
  const got = await allOf({ mention: onStream('mention', mention), favourite: onStream('favourite', own) });
  // The events carry the notifications B lists.
  const listed = await ok(b, alice, 'GET', '/api/v1/notifications');
  assert.deepEqual(listed.map((n) => n.id).sort(), [got.mention.id, got.favourite.id].sort(), 'the streamed notifications are the listed ones');
}));

// ---------------------------------------------------------------------------
// 6. The worker

// Alice's notifications read through `srv`, every page, each as
// "type <account> <status id>" (bob's account as "bob").
async function notificationKeys(srv, alice, bob) {
  const items = await readAll(srv, alice, '/api/v1/notifications', { limit: 80 });
  return {
    items,
    keys: items.map((n) => `${n.type} ${n.account?.id === bob.id ? 'bob' : n.account?.id} ${n.status?.id}`),
  };
}

// What differs between the notifications `got` (keys, with repeats) and the
// `want`ed ones, each once: missing, twice or more, unexpected.
function notificationDiff(got, want) {
  const seen = new Map();
  for (const k of got) seen.set(k, (seen.get(k) ?? 0) + 1);
  const missing = [...want].filter((k) => !seen.has(k));
  const repeated = [...seen].filter(([k, n]) => want.has(k) && n > 1).map(([k, n]) => `${k} (${n} times)`);
  const unexpected = [...seen].filter(([k]) => !want.has(k)).map(([k, n]) => `${k} (${n} times)`);
  const ok2 = missing.length === 0 && repeated.length === 0 && unexpected.length === 0 && got.length === want.size;
  return {
    ok: ok2,
    detail: `${got.length} notifications, ${want.size} wanted; missing ${missing.length}: ${missing.join(', ') || '-'}; ` +
      `repeated: ${repeated.join(', ') || '-'}; unexpected: ${unexpected.join(', ') || '-'}`,
  };
}

test('a worker killed with kill -9 in the middle of a stream of mentions and favourites: another process takes the notifier over, and every answered one is one notification on B', T, withLogs(async (t, start) => {
  const N = 60; // requests: two mentions, then a favourite, and again
  const IN_FLIGHT = 4;
  const CHECK_AT = 10; // requests from here on wait for the checks below
  const KILL_AT = 25; // the kill is sent when this many are answered

  // The worker first, alone on the database: its session holds its worker
  // id and the notifier (advisory locks) before A and B start.
  let workerLocks;
  const { a, b, db, worker } = await twoInstances(t, start, {
    worker: '3',
    beforeInstances: async (w, dbName) => {
      workerLocks = await eventually('the worker\'s session holds its worker id and the notifier (two advisory locks)', async () => {
        const locks = await advisoryLocks(dbName);
        const pids = new Set(locks.map((l) => l.pid));
        return { ok: locks.length >= 2 && pids.size === 1, value: locks, detail: `advisory locks on the database: ${JSON.stringify(locks)}` };
      }, { timeoutMs: 3000 });
    },
  });
  const workerPid = workerLocks[0].pid;
  const workerKeys = new Set(workerLocks.map((l) => l.key));
  t.diagnostic(`the worker's session (backend ${workerPid}) holds ${[...workerKeys].join(', ')}`);

  const [alice, bob] = await signUpMany(a, ['alice', 'bob']);
  const own = [];
  for (let i = 0; i < N / 3; i += 1) own.push(await postOk(a, alice, { status: `alice's status ${i}` }));

  // The stream, through A, IN_FLIGHT requests at a time: request i is a
  // favourite of one of alice's statuses when i % 3 == 2, a mention of
  // alice otherwise. Requests from CHECK_AT on wait until the worker has
  // written a notification of the stream and still holds its locks; the
  // kill -9 is sent as the KILL_AT-th answer arrives, the others in flight.
  const want = new Set(); // keys of the notifications of answered requests
  const failures = [];
  let answered = 0;
  let lastAnsweredAt = 0;
  let killedAt = 0;
  let killed;
  let inFlightAtKill = 0;
  let inFlight = 0;
  let takeover;
  // Another process (A or B) takes the notifier over: a lock the worker
  // held is held by another session.
  const watchTakeover = () => eventually('another session holds the notifier\'s lock after the kill', async () => {
    const locks = await advisoryLocks(db);
    const taken = locks.filter((l) => workerKeys.has(l.key) && l.pid !== workerPid);
    return { ok: taken.length > 0, value: Date.now() - killedAt, detail: `advisory locks on the database: ${JSON.stringify(locks)}` };
  }, { timeoutMs: 5000, intervalMs: 10 });
  const checked = (async () => {
    const seen = await eventually('a notification of the stream on B, written by the worker', async () => {
      const { keys } = await notificationKeys(b, alice, bob);
      return { ok: keys.length > 0, value: keys.length, detail: `none yet; ${answered} answered; refused: ${failures.join('\n') || '-'}` };
    }, { timeoutMs: 10_000 });
    const locks = await advisoryLocks(db);
    const still = locks.filter((l) => l.pid === workerPid).map((l) => l.key);
    assert.deepEqual(new Set(still), workerKeys,
      `the worker's session still holds its locks (the notifier) in the middle of the stream: ${JSON.stringify(locks)}`);
    t.diagnostic(`${seen} notifications of the stream on B, ${answered} requests answered, before the stream goes on`);
  })();
  let next = 0;
  const runner = async () => {
    for (;;) {
      const i = next++;
      if (i >= N) return;
      if (i >= CHECK_AT) await checked;
      inFlight += 1;
      const res = i % 3 === 2
        ? await as(a, bob, 'POST', `/api/v1/statuses/${own[(i - 2) / 3].id}/favourite`)
        : await post(a, bob, { status: `@${alice.username} mention ${i}` });
      inFlight -= 1;
      if (res.status !== 200) {
        failures.push(`request ${i}: ${show(res)}`);
        continue;
      }
      want.add(i % 3 === 2 ? `favourite bob ${own[(i - 2) / 3].id}` : `mention bob ${res.body.id}`);
      answered += 1;
      lastAnsweredAt = Date.now();
      if (answered === KILL_AT) {
        killed = worker.kill9(); // sends SIGKILL at once
        killedAt = Date.now();
        inFlightAtKill = inFlight;
        takeover = watchTakeover();
      }
    }
  };
  await Promise.all([checked, ...Array.from({ length: IN_FLIGHT }, runner)]);
  assert.deepEqual(failures, [], 'every request of the stream is answered 200 by A');
  assert.equal(want.size, N);
  assert.ok(killed, 'the worker was killed in the middle of the stream');
  assert.equal(await killed, 'SIGKILL');
  t.diagnostic(`kill -9 of the worker as the ${KILL_AT}th answer arrived, ${inFlightAtKill} requests in flight; ` +
    `the stream's last answer ${lastAnsweredAt - killedAt} ms after the kill`);

  t.diagnostic(`the notifier's lock seen held by another session ${await takeover} ms after the kill`);

  // Every answered request ends up as one notification, within the takeover
  // and the propagation from the kill or the last answer, whichever is later.
  const since = Math.max(killedAt, lastAnsweredAt);
  let lastKeys = [];
  await within(t, `the ${N} notifications of the stream, each once, in alice's notifications on B`, since, async () => {
    const { keys } = await notificationKeys(b, alice, bob);
    lastKeys = keys;
    return notificationDiff(keys, want);
  }, { limitMs: TAKEOVER_MS + PROPAGATION_MS, pollMs: TAKEOVER_MS + PROPAGATION_MS + 2000 });
  t.diagnostic(`all of them on B ${Date.now() - killedAt} ms after the kill`);

  // None comes twice later either (events handled again after the takeover).
  await new Promise((r) => setTimeout(r, 1000));
  const { items, keys } = await notificationKeys(b, alice, bob);
  const again = notificationDiff(keys, want);
  assert.ok(again.ok, `a second after: ${again.detail}\n(before: ${lastKeys.length} notifications)`);
  assert.equal(new Set(items.map((n) => n.id)).size, items.length, 'notification ids are distinct');
  // A lists the same ones.
  const onA = await notificationKeys(a, alice, bob);
  assert.deepEqual(onA.items.map((n) => n.id), items.map((n) => n.id), 'A lists the notifications B lists');
}));

test('chirpd worker without --database-url exits with a non-zero status and says it needs a database', { timeout: 60_000 }, async (t) => {
  // The real binary: chirpd_on_postgres.sh would give a data directory a
  // database of its own.
  const bin = process.env.CHIRPD_REAL_BIN ? resolve(process.env.CHIRPD_REAL_BIN) : CHIRPD_BIN;
  const dir = await mkdtemp(join(tmpdir(), 'chirp-api-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const r = await runUntilExit(['worker', '--data', dir], { bin, env: { CHIRP_WORKER_ID: '3' } });
  const what = `chirpd worker --data DIR (no database): code ${r.code}, signal ${r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  assert.ok(!r.started, `the worker refuses the embedded store instead of running: ${what}`);
  assert.ok(!r.timedOut, `the worker exits at once: ${what}`);
  assert.ok(r.code !== 0 && r.code !== null, `a non-zero exit status: ${what}`);
  assert.match(r.stderr, /--database-url|CHIRP_DATABASE_URL/, `stderr says what is missing: ${what}`);
});

test('PostgreSQL or the Redis Cluster unreachable at start: chirpd serve and chirpd worker exit non-zero, naming what they could not reach', { timeout: 60_000 }, async (t) => {
  const bin = process.env.CHIRPD_REAL_BIN ? resolve(process.env.CHIRPD_REAL_BIN) : CHIRPD_BIN;
  const dir = await mkdtemp(join(tmpdir(), 'chirp-api-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // Port 1 on loopback: nothing listens there.
  const cases = [
    { what: 'PostgreSQL', env: { CHIRP_DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/chirp' }, says: /127\.0\.0\.1|port 1|connect/i },
  ];
  if (POSTGRES_URL) {
    cases.push({ what: 'the Redis Cluster', env: { CHIRP_DATABASE_URL: POSTGRES_URL, CHIRP_REDIS_URL: 'redis://127.0.0.1:1' }, says: /Redis Cluster at redis:\/\/127\.0\.0\.1:1/ });
  }
  for (const c of cases) {
    for (const command of ['serve', 'worker']) {
      const argv = command === 'worker'
        ? ['worker', '--data', dir, '--worker-id', '7']
        : ['serve', '--listen', '127.0.0.1:0', '--data', dir, '--worker-id', '7'];
      const r = await runUntilExit(argv, { bin, env: c.env });
      const shown = `chirpd ${command} with ${c.what} unreachable: code ${r.code}, signal ${r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
      assert.ok(!r.started && !r.timedOut, `exits at once: ${shown}`);
      assert.ok(r.code !== 0 && r.code !== null, `a non-zero exit status: ${shown}`);
      assert.match(r.stderr, c.says, `stderr names what it could not reach: ${shown}`);
    }
  }
});

test('a second process with a worker id already held on the database (a worker or an API instance) refuses to start, naming the worker id', T, withLogs(async (t, start) => {
  const { a, url, worker } = await twoInstances(t, start, { worker: '3' });
  const dirs = [];
  t.after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });
  // Each with a data directory of its own: the database refuses it.
  const refused = async (command, id) => {
    const dir = await mkdtemp(join(tmpdir(), 'chirp-api-'));
    dirs.push(dir);
    const argv = command === 'worker'
      ? ['worker', '--data', dir]
      : ['serve', '--listen', '127.0.0.1:0', '--data', dir, ...NO_LIMITS];
    const r = await runUntilExit(argv, { env: { CHIRP_DATABASE_URL: url, CHIRP_WORKER_ID: id } });
    const what = `chirpd ${command} with worker id ${id}, held by another process: code ${r.code}, signal ${r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
    assert.ok(!r.started, `refuses to start: ${what}`);
    assert.ok(!r.timedOut, `exits at once: ${what}`);
    assert.ok(r.code !== 0 && r.code !== null, `a non-zero exit status: ${what}`);
    assert.match(r.stderr, new RegExp(`worker[ -]id\\D{0,20}\\b${id}\\b`, 'i'), `stderr names the worker id: ${what}`);
  };
  await refused('worker', '3'); // the worker's
  await refused('serve', '3');
  await refused('worker', '1'); // A's
  await refused('serve', '2'); // B's

  // Those that hold them go on.
  assert.ok(worker.running, `the worker still runs\n${worker.logs()}`);
  assert.equal((await verify(a, (await createUserToken(a)).token)).status, 200, 'A still answers');
  // A worker stopped gives its id up: another process takes it.
  assert.equal(await worker.stop(), 0, `the worker exits 0 on SIGTERM\n${worker.logs()}`);
  const again = await start({ command: 'worker', env: { CHIRP_DATABASE_URL: url, CHIRP_WORKER_ID: '3' } });
  assert.equal(again.workerId, '3');
  await again.dispose();
}));
