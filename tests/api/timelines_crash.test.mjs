// Crash test for home timelines: a follower graph of 20 accounts (loaded with
// `chirpd admin import-graph`, each edge a follow both ways), several
// concurrent clients posting, kill -9 at a random moment, restart on the same
// data directory. Every status whose POST was answered 200 must be stored and
// must reach the home timeline of its author and of every follower.
//
// CRASH_SEED=<n> replays one run (the seed is printed in failure messages).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withLogs, show } from './lib/server.mjs';
import { post, as, prng } from './lib/social.mjs';
import { graphServer, readAll, eventually, assertOrdered, HOME } from './lib/timelines.mjs';

const N = 20;
const WORKERS = 6;

// A connected random graph: a ring plus random chords (about 4-5 neighbours each).
function makeGraph(rnd) {
  const edges = new Set();
  const key = (a, b) => (a < b ? `${a} ${b}` : `${b} ${a}`);
  for (let i = 0; i < N; i += 1) edges.add(key(i, (i + 1) % N));
  while (edges.size < N + 25) {
    const a = rnd.int(N);
    const b = rnd.int(N);
    if (a !== b) edges.add(key(a, b));
  }
  const adj = Array.from({ length: N }, () => new Set());
  for (const e of edges) {
    const [a, b] = e.split(' ').map(Number);
    adj[a].add(b);
    adj[b].add(a);
  }
  return { text: [...edges].join('\n') + '\n', adj };
}

async function crashServer(start, t, seed) {
  const rnd = prng(seed);
  const { text, adj } = makeGraph(rnd);
  const names = Array.from({ length: N }, (_, i) => `user${i}`);
  const { srv, imported, tokens } = await graphServer(start, t, { edgesText: text, tokensFor: names });
  assert.equal(imported.accounts, N, JSON.stringify(imported));
  const users = names.map((n) => tokens.get(n));
  // Half the timelines are cached (read once) before the posts, half are not.
  for (let i = 0; i < N; i += 2) {
    const r = await as(srv, users[i], 'GET', HOME);
    assert.equal(r.status, 200, show(r));
  }
  return { srv, rnd, adj, users };
}

// Posts from WORKERS concurrent clients until `budget` posts were sent or
// `stop()` says so. Returns the statuses answered 200: {id, author, text}.
// `onAck(count)` runs after every acknowledged post.
async function postConcurrently(srv, users, rnd, { budget, onAck, stopped, label }) {
  const acked = [];
  const unexpected = [];
  let issued = 0;
  const worker = async (w) => {
    while (!stopped() && issued < budget) {
      issued += 1;
      const author = rnd.int(N);
      const text = `${label} ${issued} by ${author} (worker ${w})`;
      const visibility = rnd.weighted([['public', 6], ['unlisted', 2], ['private', 2]]);
      let res;
      try {
        res = await post(srv, users[author], { status: text, visibility });
      } catch (e) {
        if (!stopped()) unexpected.push(`POST failed before the kill: ${e.message}`);
        continue; // interrupted by the kill: not acknowledged
      }
      if (res.status === 200) {
        acked.push({ id: res.body.id, author, text, visibility });
        onAck?.(acked.length);
      } else if (!stopped()) {
        unexpected.push(`POST answered ${res.status}: ${res.text.slice(0, 300)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  assert.deepEqual(unexpected, [], 'every POST before the kill is answered 200');
  return acked;
}

// Every acknowledged status is stored (GET 200 as its author, same text) and
// is in the home timeline of its author and of every follower.
async function verify(srv, users, adj, acked, seed) {
  const ctx = `(seed ${seed}, ${acked.length} acknowledged statuses)`;
  const missingStored = [];
  for (let i = 0; i < acked.length; i += 16) {
    await Promise.all(acked.slice(i, i + 16).map(async (s) => {
      const r = await as(srv, users[s.author], 'GET', `/api/v1/statuses/${s.id}`);
      if (r.status !== 200 || r.body?.id !== s.id || !String(r.body?.content).includes(s.text)) {
        missingStored.push(`${s.id} "${s.text}": HTTP ${r.status} ${r.text.slice(0, 200)}`);
      }
    }));
  }
  assert.deepEqual(missingStored, [], `every acknowledged status is stored ${ctx}`);

  const problems = [];
  await Promise.all(users.map(async (u, reader) => {
    const expected = acked.filter((s) => s.author === reader || adj[reader].has(s.author)).map((s) => s.id);
    try {
      await eventually(`user${reader}'s home holds the ${expected.length} acknowledged statuses of itself and its ${adj[reader].size} followees`, async () => {
        const items = await readAll(srv, u, HOME);
        const got = new Set(items.map((s) => s.id));
        const missing = expected.filter((id) => !got.has(id));
        if (missing.length === 0) assertOrdered(items, `home of user${reader}`);
        return {
          ok: missing.length === 0,
          detail: `${missing.length} missing: ${missing.slice(0, 20).map((id) => acked.find((s) => s.id === id).text).join(' | ')}`,
        };
      }, { timeoutMs: 10_000, intervalMs: 50 });
    } catch (e) {
      problems.push(e.message);
    }
  }));
  if (problems.length) assert.fail(`acknowledged statuses missing from home timelines ${ctx}:\n${problems.join('\n')}`);
}

test('kill -9 at a random moment while 6 clients post: every status answered 200 is stored and in the home timeline of its author and every follower after the restart', withLogs(async (t, start) => {
  const seed = Number(process.env.CRASH_SEED ?? (Date.now() % 1_000_000));
  const { srv, rnd, adj, users } = await crashServer(start, t, seed);
  const budget = 300;
  const killAt = 40 + rnd.int(200); // acknowledged posts before the kill
  let killed = false;
  let killing = null;
  const acked = await postConcurrently(srv, users, rnd, {
    budget,
    label: 'crash',
    stopped: () => killed,
    onAck: (n) => {
      if (n >= killAt && !killed) {
        killed = true;
        killing = srv.kill9(); // requests of the other clients are in flight
      }
    },
  });
  assert.ok(killing, `the kill happened (seed ${seed}, ${acked.length} acknowledged)`);
  assert.equal(await killing, 'SIGKILL');
  t.diagnostic(`seed ${seed}: killed after ${killAt} acknowledged posts; ${acked.length} acknowledged in all`);
  await srv.restart();
  await verify(srv, users, adj, acked, seed);
}));

test('kill -9 right after the last answer of a burst (fan-out still running): every answered status reaches every follower after the restart', withLogs(async (t, start) => {
  const seed = Number(process.env.CRASH_SEED ?? (Date.now() % 1_000_000)) + 1;
  const { srv, rnd, adj, users } = await crashServer(start, t, seed);
  const acked = await postConcurrently(srv, users, rnd, { budget: 120, label: 'burst', stopped: () => false });
  assert.equal(acked.length, 120);
  assert.equal(await srv.kill9(), 'SIGKILL');
  await srv.restart();
  await verify(srv, users, adj, acked, seed);
}));
