// Home timelines on a real social graph: socfb-Reed98 (962 accounts, 18,812
// friendships, each a follow both ways) loaded with `chirpd admin import-graph`.
// A seeded sample of accounts gets admin tokens; 60 of them post 1-3 statuses
// each (plain, unlisted, private, replies with mentions, reblogs); the expected
// home timeline (newest 40) of 20 sampled readers is computed by brute force
// from the edge list and the posts (HomeModel in lib/timelines.mjs) and
// compared with GET /api/v1/timelines/home?limit=40.
//
// REED98_SEED=<n> picks another sample and sequence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { withLogs, show } from './lib/server.mjs';
import { post, as, ok, prng } from './lib/social.mjs';
import {
  graphServer, parseEdges, HomeModel, eventually, getList, assertOrdered, HOME,
} from './lib/timelines.mjs';

const EDGES = process.env.REED98_EDGES ?? '/work/shared/data/graphs/socfb-Reed98.edges';
const SEED = Number(process.env.REED98_SEED ?? 98);
const SAMPLE = 64;
const POSTERS = 60;
const READERS = 20;

function shuffle(rnd, arr) {
  const a = [...arr];
  for (let i = a.length - 1; i > 0; i -= 1) {
    const j = rnd.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

// A sample around one well-connected account, so that readers follow many
// of the posters: the centre plus random neighbours (then neighbours of
// neighbours if needed).
function sampleAround(adj, rnd) {
  const byDegree = [...adj.keys()].filter((n) => adj.get(n).size >= 70 && adj.get(n).size <= 140);
  const centre = byDegree[rnd.int(byDegree.length)];
  const picked = new Set([centre]);
  for (const n of shuffle(rnd, [...adj.get(centre)])) {
    if (picked.size >= SAMPLE) break;
    picked.add(n);
  }
  for (const n of shuffle(rnd, [...picked])) {
    for (const m of adj.get(n)) {
      if (picked.size >= SAMPLE) break;
      picked.add(m);
    }
  }
  return { centre, sample: [...picked] };
}

async function reed98(t, start, { args = [], seed = SEED } = {}) {
  if (!existsSync(EDGES)) {
    t.skip(`socfb-Reed98.edges not found at ${EDGES} (set REED98_EDGES)`);
    return;
  }
  const file = EDGES;
  const adj = parseEdges(readFileSync(file, 'utf8'));
  const rnd = prng(seed);
  const { centre, sample } = sampleAround(adj, rnd);
  const posters = shuffle(rnd, sample).slice(0, POSTERS);
  const readers = shuffle(rnd, sample).slice(0, READERS);
  const name = (n) => `user${n}`;

  const { srv, imported, tokens } = await graphServer(start, t, { edgesFile: file, tokensFor: sample.map(name), args });
  assert.deepEqual(imported, { accounts: 962, follows: 37624 }, 'import-graph loads every node and both directions of every edge');
  const user = (n) => tokens.get(name(n));
  const a = await ok(srv, null, 'GET', `/api/v1/accounts/${user(centre).id}`);
  assert.equal(a.followers_count, adj.get(centre).size, 'followers_count of the centre = its degree');
  assert.equal(a.following_count, adj.get(centre).size);

  const model = new HomeModel({ window: 40 });
  for (const r of readers) for (const n of adj.get(r)) model.follow(r, n);

  // Half the readers read their home first (cached timelines that get the
  // fan-out); the others are built on their first read, after the posts.
  const warm = new Set(readers.filter((_, i) => i % 2 === 0));
  for (const r of warm) await getList(srv, user(r), HOME);

  // The posting sequence: every poster gets 1-3 turns, in a shuffled order.
  const turns = shuffle(rnd, posters.flatMap((p) => Array.from({ length: 1 + rnd.int(3) }, () => p)));
  const originals = []; // model entries that are not reblogs
  const recent = []; // the last 10 entries (reblog targets)
  const reblogged = new Set(); // "poster original" pairs
  let seq = 0;
  for (const p of turns) {
    seq += 1;
    const key = `s${seq}`;
    const kind = rnd.weighted([['plain', 55], ['unlisted', 8], ['private', 10], ['reply', 17], ['reblog', 10]]);
    let entry = null;
    let res;
    if (kind === 'reply') {
      // Reply to an earlier status by the poster or by an account it follows.
      const targets = originals.filter((o) => o.author === p || adj.get(p).has(o.author));
      if (targets.length) {
        const target = targets[rnd.int(targets.length)];
        const mentions = new Set();
        let text = `${key} reply by ${name(p)}`;
        if (target.author !== p) {
          mentions.add(target.author);
          text = `@${name(target.author)} ${text}`;
        }
        if (rnd.chance(0.35)) {
          const other = sample[rnd.int(sample.length)];
          if (other !== p) {
            mentions.add(other);
            text += ` cc @${name(other)}`;
          }
        }
        const visibility = rnd.weighted([['public', 7], ['unlisted', 2], ['private', 2]]);
        res = await post(srv, user(p), { status: text, visibility, in_reply_to_id: target.id });
        entry = { key, author: p, visibility, replyToAuthor: target.author, mentions };
      }
    } else if (kind === 'reblog') {
      // Reblog a recent public original by someone else (within the last 10
      // entries, so well inside every reader's newest 40).
      const targets = recent.filter((o) => o.reblogOf === null && o.visibility === 'public' && o.author !== p && !reblogged.has(`${p} ${o.key}`));
      if (targets.length) {
        const target = targets[rnd.int(targets.length)];
        reblogged.add(`${p} ${target.key}`);
        res = await as(srv, user(p), 'POST', `/api/v1/statuses/${target.id}/reblog`);
        entry = { key, author: p, visibility: 'public', reblogOf: target.key };
      }
    }
    if (!entry) {
      const visibility = kind === 'unlisted' ? 'unlisted' : kind === 'private' ? 'private' : 'public';
      res = await post(srv, user(p), { status: `${key} ${visibility} by ${name(p)}`, visibility });
      entry = { key, author: p, visibility };
    }
    assert.equal(res.status, 200, `${key} (${kind} by ${name(p)}): ${show(res)}`);
    const e = model.add({ ...entry, id: res.body.id });
    if (e.reblogOf === null) originals.push(e);
    recent.push(e);
    if (recent.length > 10) recent.shift();
  }

  // Compare every reader's newest 40 with the model (poll until equal).
  const problems = [];
  let compared = 0;
  await Promise.all(readers.map(async (r) => {
    const expected = model.home(r).slice(0, 40);
    compared += expected.length;
    const want = expected.map((e) => e.id);
    try {
      await eventually(`${name(r)} (${warm.has(r) ? 'cached' : 'built on first read'}, follows ${adj.get(r).size}): home?limit=40 equals the brute-force newest 40`, async () => {
        const items = await getList(srv, user(r), `${HOME}?limit=40`);
        const got = items.map((s) => s.id);
        if (JSON.stringify(got) === JSON.stringify(want)) {
          assertOrdered(items, `home of ${name(r)}`);
          return { ok: true };
        }
        return { ok: false, detail: model.diff(r, expected, got) };
      }, { timeoutMs: 6000, intervalMs: 50 });
    } catch (e) {
      problems.push(e.message);
    }
  }));
  t.diagnostic(`seed ${seed}: centre ${name(centre)} (degree ${adj.get(centre).size}), ${turns.length} posts, ${readers.length} readers, ${compared} expected entries compared`);
  assert.ok(compared >= readers.length * 10, `the sample gives readers non-trivial timelines (${compared} entries in all)`);
  if (problems.length) {
    assert.fail(`${problems.length} of ${readers.length} home timelines differ from the brute-force model (seed ${seed}):\n${problems.join('\n')}`);
  }
}

test('Reed98 graph (fan-out on write): the newest 40 home entries of 20 sampled readers equal the brute-force model', withLogs(async (t, start) => {
  await reed98(t, start);
}));

test('Reed98 graph with --celebrity-threshold 40 (a third of the accounts merged at read time): the same brute-force newest 40', withLogs(async (t, start) => {
  await reed98(t, start, { args: ['--celebrity-threshold', '40'], seed: SEED + 1 });
}));
