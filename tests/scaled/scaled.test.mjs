// The scaled-out deployment that scripts/scaled.sh starts, as a client and
// an operator see it: PostgreSQL with a streaming replica, a Redis Cluster,
// two API instances and two workers on the primary, nginx in front.
//
// One deployment for the whole file, started in a directory under /tmp
// (the postgres user must reach it) and stopped after the last test, also
// when one fails (the after hook), and by the script itself should this
// process die (--owner). In order:
//   - through the load balancer: an account and a token made the way the
//     black-box suite makes them, a status posted and read back; a client's
//     own address reaching the instances (they trust the proxy);
//   - across instances: a status posted through instance 1 read through
//     instance 2, and reaching user streams on instance 2 and through the
//     load balancer (a WebSocket upgrade through nginx); with the replica's
//     replay paused, a follow through instance 1 read back by the follower
//     through instance 2 (read-your-writes), not yet by another account
//     (the replica serves it), and the replica's lag in /metrics;
//   - the two workers sharing the 4 partitions of fan-out and of
//     notifications (2 each, as their logs tell);
//   - faults under a stream of posts, each answered status reaching every
//     follower's cached home timeline: the worker running the author's
//     fan-out partition killed with kill -9 (the other takes it over); the
//     slot of a follower's timeline moved to another master with redis-cli
//     --cluster reshard; and the master holding a follower's timeline
//     killed (its replica takes over);
//   - the PostgreSQL primary restarted under a stream of posts: each
//     answered 200 or 503 with Retry-After, posts answered 200 again within
//     seconds, no chirpd restarted;
//   - instance 1 killed with kill -9: every request through the load
//     balancer still answered 200, by instance 2; its streaming client cut
//     off and connecting again through the load balancer, to instance 2,
//     where the stream goes on; `status` says which process died;
//   - `stop`: every process it listed gone and the directory removed, and a
//     second `stop` harmless.
// Every wait is bounded: the deployment starts in about 10 s here, and the
// whole file takes well under 3 minutes.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, show, createUserToken, rawRequest, REPO_ROOT, CHIRPD_BIN } from '../api/lib/server.mjs';
import { postOk, followOk } from '../api/lib/social.mjs';
import { eventually } from '../api/lib/timelines.mjs';
import { openStream, isUpdate } from '../api/lib/streaming.mjs';
import { jpegWithExif } from '../api/lib/media.mjs';

const SCALED = join(REPO_ROOT, 'scripts', 'scaled.sh');
const START_DEADLINE_MS = 120_000;
const STOP_DEADLINE_MS = 60_000;
// How long a status posted through one instance may take to reach the
// other's reads and streams (it travels through PostgreSQL's outbox and
// LISTEN/NOTIFY, in milliseconds normally).
const PROPAGATION_MS = 5000;

// Runs scripts/scaled.sh with the environment of this process minus any
// CHIRP_* variable (which every chirpd would take) but those of `chirpEnv`,
// killed after timeoutMs.
// → { code, signal, stdout, stderr }
function scaled(args, timeoutMs, chirpEnv = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CHIRP_')) env[k] = v;
  Object.assign(env, chirpEnv);
  env.CHIRPD_BIN = CHIRPD_BIN;
  return new Promise((res) => {
    execFile(SCALED, args, { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        res({ code: err ? (err.code ?? null) : 0, signal: err?.signal ?? null, stdout, stderr });
      });
  });
}

const describeRun = (r) => `exit ${r.code}${r.signal ? ` (signal ${r.signal})` : ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

// `scripts/scaled.sh status DIR` → { code, processes: [{ name, pid, state, address }] }
async function status(dir) {
  const r = await scaled(['status', dir], 30_000);
  const processes = r.stdout.split('\n').filter((l) => l.trim()).map((l) => {
    const [name, pid, state, address] = l.trim().split(/\s+/);
    return { name, pid: Number(pid), state, address };
  });
  return { code: r.code, processes, run: r };
}

// Whether a process runs; a zombie (ended, not reaped yet) does not.
function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

function tailOf(file, max = 3000) {
  try {
    const text = readFileSync(file, 'utf8');
    return text.length > max ? `…${text.slice(-max)}` : text;
  } catch {
    return '(none)';
  }
}

// Runs redis-cli against 127.0.0.1:port → its stdout.
function redisCli(port, args) {
  return new Promise((res, rej) => {
    execFile('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 },
      (err, stdout, stderr) => (err ? rej(new Error(`redis-cli ${args.join(' ')}: ${stderr || err.message}`)) : res(stdout)));
  });
}

// The partition, of `partitions`, of an account's events
// (events/lane_group.cc's PartitionOf: SplitMix64's finalizer, modulo).
function partitionOf(accountId, partitions) {
  const mask = (1n << 64n) - 1n;
  let x = BigInt(accountId) & mask;
  x ^= x >> 30n;
  x = (x * 0xbf58476d1ce4e5b9n) & mask;
  x ^= x >> 27n;
  x = (x * 0x94d049bb133111ebn) & mask;
  x ^= x >> 31n;
  return Number(x % BigInt(partitions));
}

// The lanes worker `n` runs now, from its /metrics.
async function runningLanes(dir, n) {
  const url = readFileSync(join(dir, `worker-${n}`, 'url'), 'utf8').trim();
  const got = await api({ url }, 'GET', '/metrics');
  assert.equal(got.status, 200, show(got));
  const running = new Set();
  for (const m of got.text.matchAll(/^chirp_event_lane_running\{consumer="([^"]+)"\} 1$/gm)) {
    if (m[1].includes('.')) running.add(m[1]);
  }
  return running;
}

// The lanes a chirpd process holds now, from what its log says it took up,
// gave up and lost.
function heldLanes(logPath) {
  const held = new Set();
  for (const line of readFileSync(logPath, 'utf8').split('\n')) {
    const m = /^chirpd: events: (\S+): (taken up|given up|lost)\b/.exec(line);
    if (!m) continue;
    if (m[2] === 'taken up') held.add(m[1]);
    else held.delete(m[1]);
  }
  return held;
}

// Restarts the deployment's PostgreSQL primary (a fast shutdown, then a
// start with the same settings) and records its new pid.
function restartPrimary(dir) {
  const pg = join(dir, 'postgres');
  const script = 'bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1); ' +
    'as=""; [ "$(id -u)" -ne 0 ] || as="setpriv --reuid=postgres --regid=postgres --init-groups --"; ' +
    '$as "$bin/pg_ctl" -D "$1/data" -l "$1/restarted.log" -m fast -w -t 60 restart > /dev/null && ' +
    'head -1 "$1/data/postmaster.pid" > "$1/pid"';
  return new Promise((res, rej) => {
    execFile('sh', ['-c', script, 'sh', pg], { timeout: 70_000 }, (err, stdout, stderr) => {
      if (err) rej(new Error(`pg_ctl restart: ${stderr}`));
      else res();
    });
  });
}

// Runs `sql` on the deployment's PostgreSQL replica with psql.
function onReplica(dir, sql) {
  const url = readFileSync(join(dir, 'replica-url'), 'utf8').trim();
  const script = 'bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1); "$bin/psql" -X -tA "$1" -c "$2"';
  return new Promise((res, rej) => {
    execFile('sh', ['-c', script, 'sh', url, sql], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) rej(new Error(`psql on the replica: ${stderr}`));
      else res(stdout.trim());
    });
  });
}

// The replica's lag in bytes, as instance `srv`'s /metrics tells it.
async function replicaLagBytes(srv) {
  const got = await api(srv, 'GET', '/metrics');
  const m = /^chirp_store_replica_lag_bytes\{replica="1"\} (\d+)$/m.exec(got.text ?? got.body ?? '');
  assert.ok(m, `chirp_store_replica_lag_bytes in /metrics: ${show(got)}`);
  return Number(m[1]);
}

// The masters of the Redis Cluster that serve slots, as the node at
// `port` sees them → [{ id, port, slots, ranges: [[from, to], ...] }].
async function redisMasters(port) {
  const masters = [];
  for (const line of (await redisCli(port, ['cluster', 'nodes'])).trim().split('\n')) {
    const fields = line.split(' ');
    if (!fields[2].includes('master') || fields[2].includes('fail')) continue;
    let slots = 0;
    const ranges = [];
    for (const range of fields.slice(8)) {
      if (range.startsWith('[')) continue; // a slot in migration
      const [from, to = from] = range.split('-').map(Number);
      slots += to - from + 1;
      ranges.push([from, to]);
    }
    if (slots > 0) masters.push({ id: fields[0], port: Number(fields[1].split('@')[0].split(':')[1]), slots, ranges });
  }
  return masters;
}

// The master of the Redis Cluster in `dir` that serves `key`, as the first
// node that answers sees it → { port, pid }.
async function redisMasterOf(dir, key) {
  const ports = readFileSync(join(dir, 'redis', 'ports'), 'utf8').trim().split('\n');
  let asked;
  for (const port of ports) {
    try {
      asked = { port, nodes: await redisCli(port, ['cluster', 'nodes']) };
      break;
    } catch { /* a node killed: the next */ }
  }
  if (!asked) throw new Error('no node of the Redis Cluster answers');
  const slot = Number((await redisCli(asked.port, ['cluster', 'keyslot', key])).trim());
  for (const line of asked.nodes.trim().split('\n')) {
    const fields = line.split(' ');
    if (!fields[2].includes('master') || fields[2].includes('fail')) continue;
    for (const range of fields.slice(8)) {
      const [from, to = from] = range.split('-').map(Number);
      if (slot >= from && slot <= to) {
        const port = fields[1].split('@')[0].split(':')[1];
        return { port: Number(port), pid: Number(readFileSync(join(dir, 'redis', `node-${port}`, 'pid'), 'utf8')) };
      }
    }
  }
  throw new Error(`no master serves slot ${slot}`);
}

describe('scripts/scaled.sh', () => {
  let dir;
  let lb; // the load balancer's base URL
  let instances; // [{ url }] of API instances 1 and 2, bypassing the load balancer
  let user;
  let stopped = false;

  // The logs of the deployment, for a failing test's message.
  const logs = () => (dir && existsSync(dir)
    ? ['api-1/log', 'api-2/log', 'worker-1/log', 'worker-2/log', 'nginx/error.log', 'nginx/access.log']
      .map((f) => `----- ${f}\n${tailOf(join(dir, f))}`).join('\n')
    : '');
  const step = (fn) => async (t) => {
    try {
      await fn(t);
    } catch (e) {
      if (e && typeof e === 'object') {
        try { e.message = `${e.message}\n${logs()}`; } catch { /* frozen */ }
      }
      throw e;
    }
  };

  before(async () => {
    // mkdtemp makes a directory only its owner may enter: PostgreSQL's
    // user must reach the servers' directories in it.
    dir = await mkdtemp('/tmp/chirp-scaled-');
    await chmod(dir, 0o755);
    // The tests sign up more accounts from one address than the default
    // limit on registrations lets a person.
    const r = await scaled(['start', dir, '--owner', String(process.pid)], START_DEADLINE_MS,
      { CHIRP_RATE_LIMIT_REGISTRATION: '1000/300' });
    assert.equal(r.code, 0, `scripts/scaled.sh start failed: ${describeRun(r)}`);
    lb = r.stdout.trim().split('\n').pop();
    assert.match(lb, /^http:\/\/127\.0\.0\.1:\d+$/, `the last line of start is the load balancer's URL: ${describeRun(r)}`);
    instances = [1, 2].map((n) => {
      const port = readFileSync(join(dir, `api-${n}`, 'port'), 'utf8').trim();
      assert.match(port, /^\d+$/, `api-${n}/port`);
      return { url: `http://127.0.0.1:${port}` };
    });
  }, { timeout: START_DEADLINE_MS + 10_000 });

  after(async () => {
    if (!stopped && dir) {
      const r = await scaled(['stop', dir], STOP_DEADLINE_MS);
      if (r.code !== 0) console.error(`scripts/scaled.sh stop failed: ${describeRun(r)}`);
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  }, { timeout: STOP_DEADLINE_MS + 10_000 });

  test('start lays out every process and the URLs of the engines', { timeout: 30_000 }, step(async () => {
    const s = await status(dir);
    assert.equal(s.code, 0, `status: every process alive: ${describeRun(s.run)}`);
    const names = s.processes.map((p) => p.name);
    for (const name of ['postgres', 'postgres-replica', 'api-1', 'api-2', 'worker-1', 'worker-2', 'nginx', 'watcher']) {
      assert.ok(names.includes(name), `status lists ${name}: ${s.run.stdout}`);
    }
    assert.equal(names.filter((n) => n.startsWith('redis-')).length, 6, `six Redis nodes: ${s.run.stdout}`);
    assert.match(readFileSync(join(dir, 'database-url'), 'utf8'), /^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/chirp\n$/);
    assert.match(readFileSync(join(dir, 'replica-url'), 'utf8'), /^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/chirp\n$/);
    assert.match(readFileSync(join(dir, 'redis-url'), 'utf8'), /^redis:\/\/(127\.0\.0\.1:\d+,){5}127\.0\.0\.1:\d+\n$/);
  }));

  test('through the load balancer: sign up, post, read back', { timeout: 30_000 }, step(async () => {
    user = await createUserToken(lb);
    const text = `through the load balancer ${Date.now()}`;
    const posted = await postOk(lb, user, { status: text });
    // Read through each instance in turn (round robin), at least twice.
    for (let i = 0; i < 4; i += 1) {
      const got = await api(lb, 'GET', `/api/v1/statuses/${posted.id}`, { token: user.token });
      assert.equal(got.status, 200, show(got));
      assert.equal(got.body.id, posted.id);
      assert.ok(got.body.content.includes(text), `the content of the status read back: ${got.body.content}`);
      // Its links name the deployment's address, not an instance's.
      assert.ok(got.body.url.startsWith(`${lb}/@`), `the status's URL is under ${lb}: ${got.body.url}`);
    }
    const answeredBy = new Set();
    for (let i = 0; i < 4; i += 1) {
      const me = await api(lb, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token });
      assert.equal(me.status, 200, show(me));
      assert.equal(me.body.id, user.account.id);
      answeredBy.add(me.headers.get('x-chirp-upstream'));
    }
    assert.equal(answeredBy.size, 2, `round robin over both instances: ${[...answeredBy].join(', ')}`);
  }));

  test('the instances see the client\'s address, not the proxy\'s', { timeout: 30_000 }, step(async () => {
    // Per-address rate limits are counted by each instance for the address
    // X-Forwarded-For names, when the peer (nginx, 127.0.0.1) is trusted:
    // a client from an address of its own starts with a full budget on
    // each instance, though the proxy's address has spent some already.
    for (let i = 0; i < 4; i += 1) {
      const spent = await api(lb, 'GET', '/api/v1/instance');
      assert.equal(spent.status, 200, show(spent));
    }
    const client = `127.0.0.${10 + Math.floor(Math.random() * 200)}`;
    const first = new Map(); // upstream → remaining on its first answer
    for (let i = 0; i < 6 && first.size < 2; i += 1) {
      const res = await rawRequest(lb, { path: '/api/v1/instance', localAddress: client });
      assert.equal(res.status, 200, `${show(res)} ${res.socketError ?? ''}`);
      const upstream = res.headers.get('x-chirp-upstream');
      if (!first.has(upstream)) {
        first.set(upstream, { limit: Number(res.headers.get('x-ratelimit-limit')), remaining: Number(res.headers.get('x-ratelimit-remaining')) });
      }
    }
    assert.equal(first.size, 2, 'both instances answered');
    for (const [upstream, h] of first) {
      assert.equal(h.remaining, h.limit - 1, `instance ${upstream} counted ${client}'s first request alone: ${JSON.stringify(h)}`);
    }
  }));

  test('a status posted through instance 1 is read and streamed through instance 2', { timeout: 30_000 }, step(async (t) => {
    const [one, two] = instances;
    const direct = await openStream(two, { token: user.token, stream: 'user', label: 'user stream on instance 2' });
    const balanced = await openStream({ url: lb }, { token: user.token, stream: 'user', label: 'user stream through the load balancer' });
    t.after(async () => {
      await direct.close();
      await balanced.close();
    });
    const text = `from instance 1 ${Date.now()}`;
    const posted = await postOk(one, user, { status: text });
    const read = await eventually('the status through instance 2', async () => {
      const got = await api(two, 'GET', `/api/v1/statuses/${posted.id}`, { token: user.token });
      return { ok: got.status === 200, value: got, detail: show(got) };
    }, { timeoutMs: PROPAGATION_MS });
    assert.ok(read.body.content.includes(text), read.body.content);
    await direct.waitFor(isUpdate(posted.id, ['user']), 'the status posted through instance 1', { timeoutMs: PROPAGATION_MS });
    await balanced.waitFor(isUpdate(posted.id, ['user']), 'the status posted through instance 1', { timeoutMs: PROPAGATION_MS });
  }));

  test('a status posted through instance 1 is found by search through instance 2 (one index in PostgreSQL, kept by a worker)', { timeout: 30_000 }, step(async () => {
    const [one, two] = instances;
    const word = `findable${Date.now()}`;
    const posted = await postOk(one, user, { status: `a ${word} status` });
    const found = await eventually('the status in search through instance 2', async () => {
      const got = await api(two, 'GET', `/api/v2/search?type=statuses&q=${word}`, { token: user.token });
      return { ok: got.status === 200 && got.body.statuses.length === 1, value: got, detail: show(got) };
    }, { timeoutMs: PROPAGATION_MS });
    assert.equal(found.body.statuses[0].id, posted.id);
    const deleted = await api(one, 'DELETE', `/api/v1/statuses/${posted.id}`, { token: user.token });
    assert.equal(deleted.status, 200, show(deleted));
    // At once through the instance that deleted it; through the other once
    // the deletion's event reaches its caches, as any change made elsewhere.
    const here = await api(one, 'GET', `/api/v2/search?type=statuses&q=${word}`, { token: user.token });
    assert.equal(here.status, 200, show(here));
    assert.deepEqual(here.body.statuses, [], 'a deleted status is gone from search at once');
    await eventually('the deleted status gone from search through instance 2', async () => {
      const got = await api(two, 'GET', `/api/v2/search?type=statuses&q=${word}`, { token: user.token });
      return { ok: got.status === 200 && got.body.statuses.length === 0, value: got, detail: show(got) };
    }, { timeoutMs: PROPAGATION_MS });
  }));

  test('a photo uploaded through instance 1 is served and shown through instance 2 and the load balancer (one media directory)', { timeout: 30_000 }, step(async () => {
    const [one, two] = instances;
    const dir = await mkdtemp(join(tmpdir(), 'chirp-scaled-media-'));
    try {
      const jpeg = await jpegWithExif(dir, { width: 800, height: 600, orientation: 1 });
      const uploaded = await api(one, 'POST', '/api/v2/media', {
        token: user.token,
        multipart: { file: new File([jpeg], 'photo.jpg', { type: 'image/jpeg' }), description: 'shared' },
        timeoutMs: 30_000,
      });
      assert.equal(uploaded.status, 200, show(uploaded));
      const path = new URL(uploaded.body.url).pathname;
      for (const base of [two.url, lb]) {
        const file = await fetch(new URL(path, base));
        assert.equal(file.status, 200, `${path} through ${base}`);
        assert.equal(file.headers.get('content-type'), 'image/jpeg');
      }
      const shown = await api(two, 'GET', `/api/v1/media/${uploaded.body.id}`, { token: user.token });
      assert.equal(shown.status, 200, show(shown));
      const posted = await postOk({ url: lb }, user, { status: 'a shared photo', media_ids: [uploaded.body.id] });
      const read = await eventually('the status with its photo through instance 2', async () => {
        const got = await api(two, 'GET', `/api/v1/statuses/${posted.id}`, { token: user.token });
        return { ok: got.status === 200, value: got, detail: show(got) };
      }, { timeoutMs: PROPAGATION_MS });
      assert.equal(read.body.media_attachments[0].id, uploaded.body.id);
      assert.equal(read.body.media_attachments[0].description, 'shared');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }));

  test('with the replica held behind, an account reads its own writes through the other instance, and others read the replica', { timeout: 60_000 }, step(async (t) => {
    const [one, two] = instances;
    const author = await createUserToken(lb);
    const fan = await createUserToken(lb);
    const stranger = await createUserToken(lb);
    // Everything so far replayed, so that only what follows is missing.
    await eventually('the replica caught up', async () => {
      const lag = await replicaLagBytes(two);
      return { ok: lag === 0, value: lag, detail: `lag ${lag}` };
    }, { timeoutMs: PROPAGATION_MS });
    await onReplica(dir, 'SELECT pg_wal_replay_pause()');
    t.after(() => onReplica(dir, 'SELECT pg_wal_replay_resume()'));
    await followOk(one, fan, author.account.id);
    const followersAs = async (who) => {
      const got = await api(two, 'GET', `/api/v1/accounts/${author.account.id}/followers`, { token: who.token });
      assert.equal(got.status, 200, show(got));
      return got.body.map((a) => a.id);
    };
    // The follower, right after following through instance 1, reads through
    // instance 2: its write position (in Redis) sends it to the primary.
    assert.deepEqual(await followersAs(fan), [fan.account.id]);
    const rel = await api(two, 'GET', `/api/v1/accounts/relationships?id[]=${author.account.id}`, { token: fan.token });
    assert.equal(rel.status, 200, show(rel));
    assert.equal(rel.body[0].following, true, show(rel));
    // An account that wrote nothing reads the replica, which is behind.
    assert.deepEqual(await followersAs(stranger), []);
    // At the next poll of the replica (every 20 ms).
    await eventually('the replica\'s lag in /metrics', async () => {
      const lag = await replicaLagBytes(two);
      return { ok: lag > 0, value: lag, detail: `${lag} bytes` };
    }, { timeoutMs: PROPAGATION_MS });
    await onReplica(dir, 'SELECT pg_wal_replay_resume()');
    await eventually('the follow on the replica', async () => {
      const ids = await followersAs(stranger);
      return { ok: ids.length === 1, value: ids, detail: JSON.stringify(ids) };
    }, { timeoutMs: PROPAGATION_MS });
  }));

  // An author with followers whose home timelines are live in Redis (each
  // read once), so that fan-out's pushes, not a rebuild, fill them.
  async function audience(n) {
    const author = await createUserToken(lb);
    const followers = [];
    for (let i = 0; i < n; i += 1) {
      const f = await createUserToken(lb);
      await followOk(lb, f, author.account);
      const home = await api(lb, 'GET', '/api/v1/timelines/home', { token: f.token });
      assert.equal(home.status, 200, show(home));
      followers.push(f);
    }
    return { author, followers };
  }

  // Every id of `posted` in each follower's home timeline, read through
  // the load balancer, within `timeoutMs`.
  async function reachesEveryone(followers, posted, timeoutMs) {
    for (const f of followers) {
      await eventually(`${posted.length} statuses in ${f.account.username}'s home timeline`, async () => {
        const home = await api(lb, 'GET', `/api/v1/timelines/home?limit=${posted.length + 5}`, { token: f.token });
        if (home.status !== 200) return { ok: false, detail: show(home) };
        const shown = new Set(home.body.map((st) => st.id));
        const missing = posted.filter((id) => !shown.has(id));
        return { ok: missing.length === 0, detail: `missing ${missing.length}: ${missing.join(', ')}` };
      }, { timeoutMs });
    }
  }

  test('the workers share the partitions of fan-out and notifications; kill -9 of the one running an author\'s partition, under a stream of posts: every answered status reaches every follower', { timeout: 90_000 }, step(async () => {
    const { author, followers } = await audience(3);
    // Each worker runs its share of the 4 partitions of each shared
    // consumer (2 of 4), as its /metrics and its log tell.
    let held;
    await eventually('each worker holds 2 partitions of fan_out and of notifier', async () => {
      held = await Promise.all([1, 2].map((n) => runningLanes(dir, n)));
      const counts = held.map((h) => ['fan_out', 'notifier'].map((c) => [...h].filter((l) => l.startsWith(`${c}.`)).length));
      return { ok: counts.every((c) => c[0] === 2 && c[1] === 2), detail: JSON.stringify(held.map((h) => [...h])) };
    }, { timeoutMs: 15_000 });
    for (const n of [1, 2]) {
      assert.deepEqual(heldLanes(join(dir, `worker-${n}`, 'log')), held[n - 1], `worker-${n}'s log says what its /metrics says`);
    }
    const lane = `fan_out.${partitionOf(author.account.id, 4)}of4`;
    const holder = held[0].has(lane) ? 1 : 2;
    assert.ok(held[holder - 1].has(lane), `worker-${holder} runs ${lane}: ${JSON.stringify(held.map((h) => [...h]))}`);
    const pid = Number(readFileSync(join(dir, `worker-${holder}`, 'pid'), 'utf8'));
    assert.ok(alive(pid), `worker-${holder} runs`);
    const posted = [];
    for (let i = 0; i < 30; i += 1) {
      if (i === 10) process.kill(pid, 'SIGKILL');
      posted.push((await postOk(lb, author, { status: `through a worker's death ${i}` })).id);
    }
    await reachesEveryone(followers, posted, 30_000);
    // The other worker took every partition up, and the outbox drains.
    await eventually('the survivor runs every partition', async () => {
      const survivor = await runningLanes(dir, 3 - holder);
      return { ok: survivor.size === 8 && survivor.has(lane), detail: [...survivor].join(' ') };
    }, { timeoutMs: 15_000 });
    const metrics = await api({ url: readFileSync(join(dir, `worker-${3 - holder}`, 'url'), 'utf8').trim() }, 'GET', '/metrics');
    assert.match(metrics.text, /^chirp_outbox_depth \d+$/m, 'the outbox depth in the worker\'s /metrics');
    assert.match(metrics.text, /^chirp_event_lane_lag_milliseconds\{consumer="fan_out\.\dof4"\} \d+$/m, 'fan-out lag in the worker\'s /metrics');
  }));

  test('redis-cli --cluster reshard under a stream of posts moves the slot of a follower\'s timeline to another master: no answered status is lost', { timeout: 120_000 }, step(async () => {
    // A follower whose timeline's slot is not its master's last: the
    // master keeps some slots, and the cluster its three voting masters
    // (the next test's failover needs a majority of them).
    let audienceOf;
    let key;
    let source;
    let range;
    for (let tries = 0; tries < 5 && !range; tries += 1) {
      audienceOf = await audience(3);
      key = `chirp:tl:${audienceOf.followers[0].account.id}`;
      source = await redisMasterOf(dir, key);
      const slot = Number((await redisCli(source.port, ['cluster', 'keyslot', key])).trim());
      const mine = (await redisMasters(source.port)).find((m) => m.port === source.port);
      const containing = mine.ranges.find(([from, to]) => slot >= from && slot < to);
      if (containing) range = { first: containing[0], slot, id: mine.id };
    }
    assert.ok(range, 'a follower whose timeline is not in its master\'s last slot');
    const { author, followers } = audienceOf;
    const to = (await redisMasters(source.port)).find((m) => m.port !== source.port);
    // reshard takes the source's slots from its lowest up: through the
    // timeline's slot.
    const slots = range.slot - range.first + 1;
    const reshard = new Promise((res, rej) => {
      execFile('redis-cli', ['--cluster', 'reshard', `127.0.0.1:${source.port}`, '--cluster-from', range.id,
        '--cluster-to', to.id, '--cluster-slots', String(slots), '--cluster-yes'],
      { timeout: 90_000, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => (err ? rej(new Error(`reshard: ${stderr || err.message}`)) : res(stdout)));
    });
    let resharded = false;
    reshard.then(() => { resharded = true; }, () => {});
    const posted = [];
    for (let i = 0; i < 200 && (i < 20 || !resharded); i += 1) {
      posted.push((await postOk(lb, author, { status: `through a reshard ${i}` })).id);
    }
    await reshard;
    await reachesEveryone(followers, posted.slice(-40), 60_000);
    const after = await redisMasterOf(dir, key);
    assert.equal(after.port, to.port, `the timeline's slot is on the target master now (${after.port})`);
  }));

  test('a Redis master killed under a stream of posts: its replica takes over and no answered status is lost', { timeout: 120_000 }, step(async () => {
    const { author, followers } = await audience(3);
    const master = await redisMasterOf(dir, `chirp:tl:${followers[0].account.id}`);
    const posted = [];
    for (let i = 0; i < 20; i += 1) {
      if (i === 5) process.kill(master.pid, 'SIGKILL');
      posted.push((await postOk(lb, author, { status: `through a failover ${i}` })).id);
    }
    await reachesEveryone(followers, posted, 60_000);
    const after = await redisMasterOf(dir, `chirp:tl:${followers[0].account.id}`);
    assert.notEqual(after.port, master.port, 'another node serves the timeline now');
  }));

  test('PostgreSQL restarted under a stream of posts: each is answered 200 or 503 with Retry-After, and the instances recover without a restart', { timeout: 90_000 }, step(async () => {
    const poster = await createUserToken(lb);
    const answers = [];
    let stopping = false;
    const load = (async () => {
      for (let i = 0; !stopping; i += 1) {
        const res = await api(lb, 'POST', '/api/v1/statuses', { token: poster.token, json: { status: `through a restart ${i}` } });
        answers.push(res);
        if (res.status !== 200) await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    await restartPrimary(dir);
    // Every instance's pool and session come back on their own.
    await eventually('posts answered 200 again', async () => {
      const tail = answers.slice(-5);
      return { ok: tail.length === 5 && tail.every((r) => r.status === 200), detail: tail.map((r) => r.status).join(' ') };
    }, { timeoutMs: 30_000 });
    stopping = true;
    await load;
    for (const res of answers) {
      assert.ok(res.status === 200 || (res.status === 503 && res.headers.get('retry-after')),
        `each post answered 200, or 503 with Retry-After: ${show(res)}`);
    }
    const refused = answers.filter((r) => r.status === 503).length;
    assert.ok(refused > 0, `some posts met the restart (${answers.length} answered)`);
    // What was answered 200 is there.
    const last = answers.filter((r) => r.status === 200).pop();
    const got = await api(lb, 'GET', `/api/v1/statuses/${last.body.id}`, { token: poster.token });
    assert.equal(got.status, 200, show(got));
  }));

  test('the load balancer routes around an instance killed with kill -9, and streaming clients reconnect to the other', { timeout: 60_000 }, step(async (t) => {
    const pid = Number(readFileSync(join(dir, 'api-1', 'pid'), 'utf8'));
    assert.ok(alive(pid), `api-1 (${pid}) runs before the kill`);
    // Two streams through the load balancer, one on each instance (round
    // robin, nothing else asking meanwhile).
    const streams = [];
    t.after(async () => { for (const s of streams) await s.close(); });
    for (let i = 0; i < 2; i += 1) {
      streams.push(await openStream({ url: lb }, { token: user.token, stream: 'user', label: `stream ${i} through the load balancer` }));
    }
    const posted = await postOk(lb, user, { status: `before the kill ${Date.now()}` });
    process.kill(pid, 'SIGKILL');
    await eventually('the stream on the killed instance closed', async () => ({
      ok: streams.some((s) => !s.open),
      detail: streams.map((s) => s.closeInfo ? JSON.stringify(s.closeInfo) : 'open').join(', '),
    }), { timeoutMs: 10_000 });
    await eventually('api-1 ended', async () => ({ ok: !alive(pid) }), { timeoutMs: 10_000 });
    const survivor = new URL(instances[1].url).host;
    // Idempotent requests first: nginx retries them on instance 2 when one
    // fails on instance 1 (a kept-alive connection the kill closed, or a
    // refused one), and then leaves instance 1 out.
    for (let i = 0; i < 20; i += 1) {
      const path = i % 2 ? '/ready' : `/api/v1/statuses/${posted.id}`;
      const res = await api(lb, 'GET', path, { token: user.token });
      assert.equal(res.status, 200, `request ${i} (${path}) after the kill: ${show(res)}`);
      // X-Chirp-Upstream lists every instance tried: the last answered.
      const answered = res.headers.get('x-chirp-upstream')?.split(/,\s*/).pop();
      assert.equal(answered, survivor, `request ${i} answered by instance 2`);
    }
    // A client whose stream closed connects again through the load
    // balancer, to the instance left, and its stream goes on.
    const again = await openStream({ url: lb }, { token: user.token, stream: 'user', label: 'the stream connected again' });
    streams.push(again);
    const after = await postOk(lb, user, { status: `after the kill ${Date.now()}` });
    const read = await api(lb, 'GET', `/api/v1/statuses/${after.id}`, { token: user.token });
    assert.equal(read.status, 200, show(read));
    await again.waitFor(isUpdate(after.id, ['user']), 'the status posted after the kill', { timeoutMs: PROPAGATION_MS });
    const survivorStream = streams.find((s, i) => i < 2 && s.open);
    await survivorStream.waitFor(isUpdate(after.id, ['user']), 'the status posted after the kill, on the stream of the instance left', { timeoutMs: PROPAGATION_MS });
    const s = await status(dir);
    assert.equal(s.code, 1, `status exits 1 with a process dead: ${describeRun(s.run)}`);
    const states = Object.fromEntries(s.processes.map((p) => [p.name, p.state]));
    assert.equal(states['api-1'], 'dead', s.run.stdout);
    assert.equal(states['api-2'], 'alive', s.run.stdout);
  }));

  test('stop ends every process and removes the directory', { timeout: STOP_DEADLINE_MS * 2 }, step(async () => {
    const { processes, run } = await status(dir);
    assert.ok(processes.length >= 14, `status lists every process: ${run.stdout}`);
    const r = await scaled(['stop', dir], STOP_DEADLINE_MS);
    stopped = true;
    assert.equal(r.code, 0, `scripts/scaled.sh stop: ${describeRun(r)}`);
    // stop waits for each; the watcher is only signalled (it sleeps 0.5 s at a time).
    await eventually('every process of the deployment ended', async () => {
      const left = processes.filter((p) => alive(p.pid));
      return { ok: left.length === 0, detail: `still running: ${JSON.stringify(left)}` };
    }, { timeoutMs: 5000 });
    assert.ok(!existsSync(dir), `${dir} is removed`);
    const again = await scaled(['stop', dir], STOP_DEADLINE_MS);
    assert.equal(again.code, 0, `a second stop is harmless: ${describeRun(again)}`);
  }));
});
