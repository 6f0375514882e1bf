// Model-based test: a seeded random sequence of ~300 actions among 5 users
// (post, follow, unfollow, favourite, unfavourite, reblog, unreblog, block,
// unblock, delete) is applied to the server and to an in-test model of the
// rules. Every action's HTTP status must match the model; at checkpoints every
// counter and every list is compared.
//
// MODEL_SEED=<n> picks another sequence; MODEL_STEPS=<n> another length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withLogs } from './lib/server.mjs';
import { socialServer, as, walk, ids, prng, cmpId } from './lib/social.mjs';

const SEED = Number(process.env.MODEL_SEED ?? 20240611);
const STEPS = Number(process.env.MODEL_STEPS ?? 300);
const CHECKPOINTS = new Set([Math.floor(STEPS / 3), Math.floor((2 * STEPS) / 3), STEPS]);
const N = 5;
const VIS = [['public', 5], ['unlisted', 2], ['private', 3], ['direct', 2]];

class Model {
  constructor(n) {
    this.n = n;
    this.seq = 0;
    this.follows = new Map(); // "a>b" → seq of the follow
    this.blocks = new Set(); // "a>b": a blocks b
    this.statuses = []; // {key, id, author, visibility, mentions:Set, inReplyTo:key|null, reblogOf:key|null, deleted}
    this.favs = new Map(); // original key → Map(user → seq)
    this.wrappers = new Map(); // original key → Map(user → wrapper key)
  }

  following(a, b) { return this.follows.has(`${a}>${b}`); }
  blockedEither(a, b) { return this.blocks.has(`${a}>${b}`) || this.blocks.has(`${b}>${a}`); }

  // The visibility rules: author always; block either way hides; direct:
  // author + mentioned; private: + followers; public/unlisted: anyone;
  // a reblog only if its original is visible too.
  canSee(viewer, s) {
    if (s.deleted) return false;
    if (!this.baseSees(viewer, s)) return false;
    if (s.reblogOf !== null) return this.canSee(viewer, this.statuses[s.reblogOf]);
    return true;
  }

  baseSees(viewer, s) {
    if (viewer === s.author) return true;
    if (viewer !== null && this.blockedEither(viewer, s.author)) return false;
    switch (s.visibility) {
      case 'public': case 'unlisted': return true;
      case 'private': return viewer !== null && (this.following(viewer, s.author) || s.mentions.has(viewer));
      default: return viewer !== null && s.mentions.has(viewer);
    }
  }

  // Account statuses: author all; followers also private; others public and
  // unlisted; direct only the author; blocks either way hide everything.
  listed(viewer, s) {
    if (s.deleted) return false;
    if (viewer !== s.author) {
      if (viewer !== null && this.blockedEither(viewer, s.author)) return false;
      const v = s.visibility;
      if (v === 'direct') return false;
      if (v === 'private' && !(viewer !== null && this.following(viewer, s.author))) return false;
    }
    if (s.reblogOf !== null) return this.canSee(viewer, this.statuses[s.reblogOf]);
    return true;
  }

  favMap(key) {
    if (!this.favs.has(key)) this.favs.set(key, new Map());
    return this.favs.get(key);
  }

  wrapMap(key) {
    if (!this.wrappers.has(key)) this.wrappers.set(key, new Map());
    return this.wrappers.get(key);
  }

  statusesCount(u) {
    return this.statuses.filter((s) => !s.deleted && s.author === u && s.visibility !== 'direct').length;
  }

  repliesCount(key) {
    return this.statuses.filter((s) => !s.deleted && s.inReplyTo === key && (s.visibility === 'public' || s.visibility === 'unlisted')).length;
  }

  liveWrappers(key) {
    return [...this.wrapMap(key).entries()].filter(([, wk]) => !this.statuses[wk].deleted);
  }

  followersOf(u) {
    return [...this.follows.entries()].filter(([k]) => Number(k.split('>')[1]) === u)
      .sort((a, b) => b[1] - a[1]).map(([k]) => Number(k.split('>')[0]));
  }

  followingOf(u) {
    return [...this.follows.entries()].filter(([k]) => Number(k.split('>')[0]) === u)
      .sort((a, b) => b[1] - a[1]).map(([k]) => Number(k.split('>')[1]));
  }

  unfollowBoth(a, b) {
    this.follows.delete(`${a}>${b}`);
    this.follows.delete(`${b}>${a}`);
  }

  remove(key) {
    const s = this.statuses[key];
    s.deleted = true;
    if (s.reblogOf === null) {
      for (const [, wk] of this.wrapMap(key)) this.statuses[wk].deleted = true;
      this.wrappers.delete(key);
      this.favs.delete(key);
    }
  }
}

test(`model: ${STEPS} seeded random actions (seed ${SEED}) keep every counter and list equal to the model`, withLogs(async (t, start) => {
  const { srv, users } = await socialServer(start, { users: N });
  const rnd = prng(SEED);
  const m = new Model(N);
  const problems = [];
  const log = [];
  const note = (msg) => { problems.push(msg); };
  const uid = (i) => users[i].id;
  const who = (i) => (i === null ? 'anonymous' : `u${i}`);
  const originals = () => m.statuses.filter((s) => s.reblogOf === null);
  const other = (u) => (u + 1 + rnd.int(N - 1)) % N;
  const stats = { outcomes: {} };

  async function call(step, desc, user, method, path, json, expected) {
    const res = await as(srv, users[user], method, path, json ? { json } : {});
    const outcome = `${desc.split(' ')[1]}:${expected}`;
    stats.outcomes[outcome] = (stats.outcomes[outcome] ?? 0) + 1;
    log.push(`#${step} ${desc} → ${res.status}${res.status === expected ? '' : ` (model ${expected})`}`);
    if (res.status !== expected) {
      note(`step ${step}: ${desc}: ${method} ${path}${json ? ` ${JSON.stringify(json)}` : ''} → HTTP ${res.status}, model expects ${expected}; body ${res.text.slice(0, 200)}`);
    }
    return res;
  }

  const actions = {
    async post(step) {
      const u = rnd.int(N);
      const visibility = rnd.weighted(VIS);
      const mention = rnd.chance(0.4) ? other(u) : null;
      const os = originals();
      const parent = os.length && rnd.chance(0.35) ? rnd.pick(os) : null;
      const text = `step ${step}${mention !== null ? ` @${users[mention].username}` : ''}`;
      const json = { status: text, visibility };
      if (parent) json.in_reply_to_id = parent.id;
      const expected = parent && !m.canSee(u, parent) ? 404 : 200;
      const res = await call(step, `u${u} posts ${visibility}${parent ? ` reply to s${parent.key}` : ''}${mention !== null ? ` @u${mention}` : ''}`,
        u, 'POST', '/api/v1/statuses', json, expected);
      if (res.status === 200 && expected === 200) {
        m.statuses.push({
          key: m.statuses.length, id: res.body.id, author: u, visibility,
          mentions: new Set(mention === null ? [] : [mention]), inReplyTo: parent ? parent.key : null, reblogOf: null, deleted: false,
        });
      }
    },
    async follow(step) {
      const u = rnd.int(N);
      const v = other(u);
      const expected = m.blockedEither(u, v) ? 403 : 200;
      const res = await call(step, `u${u} follows u${v}`, u, 'POST', `/api/v1/accounts/${uid(v)}/follow`, null, expected);
      if (expected === 200 && !m.following(u, v)) m.follows.set(`${u}>${v}`, ++m.seq);
      if (res.status === 200 && res.body?.following !== true) note(`step ${step}: follow answered following=${res.body?.following}`);
    },
    async followSelf(step) {
      const u = rnd.int(N);
      await call(step, `u${u} follows itself`, u, 'POST', `/api/v1/accounts/${uid(u)}/follow`, null, 403);
    },
    async unfollow(step) {
      const u = rnd.int(N);
      const v = other(u);
      const res = await call(step, `u${u} unfollows u${v}`, u, 'POST', `/api/v1/accounts/${uid(v)}/unfollow`, null, 200);
      m.follows.delete(`${u}>${v}`);
      if (res.status === 200 && res.body?.following !== false) note(`step ${step}: unfollow answered following=${res.body?.following}`);
    },
    async favourite(step) {
      const os = originals();
      if (!os.length) return actions.post(step);
      const u = rnd.int(N);
      const s = rnd.pick(os);
      const expected = m.canSee(u, s) ? 200 : 404;
      const res = await call(step, `u${u} favourites s${s.key}`, u, 'POST', `/api/v1/statuses/${s.id}/favourite`, null, expected);
      if (expected === 200) {
        const f = m.favMap(s.key);
        if (!f.has(u)) f.set(u, ++m.seq);
        if (res.status === 200 && res.body?.favourites_count !== f.size) {
          note(`step ${step}: favourite of s${s.key} answered favourites_count ${res.body?.favourites_count}, model ${f.size}`);
        }
      }
    },
    async unfavourite(step) {
      const os = originals();
      if (!os.length) return actions.post(step);
      const u = rnd.int(N);
      const s = rnd.pick(os);
      const has = m.favMap(s.key).has(u);
      if (has && !s.deleted && !m.canSee(u, s)) {
        // The contract does not say whether a favourite of a status that has
        // since become invisible may be removed (Mastodon: yes). Not sent.
        stats.skippedUnfavourite = (stats.skippedUnfavourite ?? 0) + 1;
        return;
      }
      const expected = m.canSee(u, s) ? 200 : 404;
      const res = await call(step, `u${u} unfavourites s${s.key}`, u, 'POST', `/api/v1/statuses/${s.id}/unfavourite`, null, expected);
      if (expected === 200) {
        m.favMap(s.key).delete(u);
        if (res.status === 200 && res.body?.favourites_count !== m.favMap(s.key).size) {
          note(`step ${step}: unfavourite of s${s.key} answered favourites_count ${res.body?.favourites_count}, model ${m.favMap(s.key).size}`);
        }
      }
    },
    async reblog(step) {
      const os = originals();
      if (!os.length) return actions.post(step);
      const u = rnd.int(N);
      const s = rnd.pick(os);
      if (s.author === u && s.visibility === 'private' && m.canSee(u, s)) {
        // Allowed (statuses.test.mjs checks it), but who may see the wrapper
        // of a self-reblogged private status is not in the contract.
        stats.skippedSelfPrivateReblog = (stats.skippedSelfPrivateReblog ?? 0) + 1;
        return;
      }
      let expected = 200;
      if (!m.canSee(u, s)) expected = 404;
      else if (s.visibility === 'direct' || (s.visibility === 'private' && s.author !== u)) expected = 403;
      const res = await call(step, `u${u} reblogs s${s.key} (${s.visibility} by u${s.author})`, u, 'POST', `/api/v1/statuses/${s.id}/reblog`, null, expected);
      if (expected !== 200) return;
      const w = m.wrapMap(s.key);
      if (w.has(u)) {
        const prev = m.statuses[w.get(u)];
        if (res.status === 200 && res.body?.id !== prev.id) note(`step ${step}: a repeated reblog of s${s.key} by u${u} returned wrapper ${res.body?.id}, first was ${prev.id}`);
      } else if (res.status === 200) {
        const key = m.statuses.length;
        m.statuses.push({ key, id: res.body.id, author: u, visibility: 'public', mentions: new Set(), inReplyTo: null, reblogOf: s.key, deleted: false });
        w.set(u, key);
      }
      if (res.status === 200 && res.body?.reblog?.reblogs_count !== m.liveWrappers(s.key).length) {
        note(`step ${step}: reblog of s${s.key} answered reblogs_count ${res.body?.reblog?.reblogs_count}, model ${m.liveWrappers(s.key).length}`);
      }
    },
    async unreblog(step) {
      const os = originals();
      if (!os.length) return actions.post(step);
      const u = rnd.int(N);
      const s = rnd.pick(os);
      const wk = m.wrapMap(s.key).get(u);
      if (wk !== undefined && !s.deleted && !m.canSee(u, s)) {
        stats.skippedUnreblog = (stats.skippedUnreblog ?? 0) + 1; // as for unfavourite
        return;
      }
      const expected = m.canSee(u, s) ? 200 : 404;
      const res = await call(step, `u${u} unreblogs s${s.key}`, u, 'POST', `/api/v1/statuses/${s.id}/unreblog`, null, expected);
      if (expected === 200) {
        if (wk !== undefined) {
          m.statuses[wk].deleted = true;
          m.wrapMap(s.key).delete(u);
        }
        if (res.status === 200 && (res.body?.id !== s.id || res.body?.reblogged !== false)) {
          note(`step ${step}: unreblog of s${s.key} answered id ${res.body?.id} reblogged ${res.body?.reblogged}`);
        }
      }
    },
    async block(step) {
      const u = rnd.int(N);
      const v = other(u);
      await call(step, `u${u} blocks u${v}`, u, 'POST', `/api/v1/accounts/${uid(v)}/block`, null, 200);
      m.blocks.add(`${u}>${v}`);
      m.unfollowBoth(u, v);
    },
    async unblock(step) {
      const u = rnd.int(N);
      const v = other(u);
      await call(step, `u${u} unblocks u${v}`, u, 'POST', `/api/v1/accounts/${uid(v)}/unblock`, null, 200);
      m.blocks.delete(`${u}>${v}`);
    },
    async delete(step) {
      const os = originals();
      if (!os.length) return actions.post(step);
      // Mostly the author's own statuses; sometimes someone else's.
      const s = rnd.pick(os);
      const u = rnd.chance(0.8) ? s.author : other(s.author);
      let expected;
      if (s.deleted) expected = 404;
      else if (u === s.author) expected = 200;
      else expected = m.canSee(u, s) ? 403 : 404;
      await call(step, `u${u} deletes s${s.key} (by u${s.author})`, u, 'DELETE', `/api/v1/statuses/${s.id}`, null, expected);
      if (expected === 200) m.remove(s.key);
    },
  };

  const weights = [
    ['post', 24], ['follow', 18], ['followSelf', 1], ['unfollow', 6], ['favourite', 14], ['unfavourite', 6],
    ['reblog', 10], ['unreblog', 5], ['block', 2], ['unblock', 5], ['delete', 7],
  ];

  async function pool(tasks, width = 8) {
    const out = new Array(tasks.length);
    let i = 0;
    await Promise.all(Array.from({ length: width }, async () => {
      while (i < tasks.length) {
        const j = i++;
        out[j] = await tasks[j]();
      }
    }));
    return out;
  }

  async function compare(step) {
    const before = problems.length;
    const where = `checkpoint after step ${step}`;
    const viewers = [...Array(N).keys(), null];
    // Accounts: counters.
    await pool(users.map((u, i) => async () => {
      const res = await as(srv, null, 'GET', `/api/v1/accounts/${u.id}`);
      const want = { statuses_count: m.statusesCount(i), followers_count: m.followersOf(i).length, following_count: m.followingOf(i).length };
      const got = { statuses_count: res.body?.statuses_count, followers_count: res.body?.followers_count, following_count: res.body?.following_count };
      if (JSON.stringify(got) !== JSON.stringify(want)) note(`${where}: u${i} counters ${JSON.stringify(got)}, model ${JSON.stringify(want)}`);
    }));
    // followers / following (newest follow first), walked in pages of 3.
    const names = (list) => list.map((id) => { const i = users.findIndex((u) => u.id === id); return i < 0 ? id : `u${i}`; });
    await pool(users.flatMap((u, i) => ['followers', 'following'].map((kind) => async () => {
      const got = names(ids((await walk(srv, null, `/api/v1/accounts/${u.id}/${kind}?limit=3`)).items));
      const want = (kind === 'followers' ? m.followersOf(i) : m.followingOf(i)).map((x) => `u${x}`);
      if (JSON.stringify(got) !== JSON.stringify(want)) note(`${where}: u${i} ${kind} ${JSON.stringify(got)}, model ${JSON.stringify(want)}`);
    })));
    // Every status × every viewer: GET visibility, and for the author the counters.
    const tasks = [];
    for (const s of m.statuses) {
      for (const v of viewers) {
        tasks.push(async () => {
          const res = await as(srv, v === null ? null : users[v], 'GET', `/api/v1/statuses/${s.id}`);
          const want = m.canSee(v, s) ? 200 : 404;
          if (res.status !== want) {
            note(`${where}: GET s${s.key} (${s.reblogOf === null ? `${s.visibility} by u${s.author}` : `reblog by u${s.author} of s${s.reblogOf}`}${s.deleted ? ', deleted' : ''}) as ${who(v)} → ${res.status}, model ${want}`);
            return;
          }
          if (want !== 200) return;
          const o = s.reblogOf === null ? s : m.statuses[s.reblogOf];
          const body = s.reblogOf === null ? res.body : res.body?.reblog;
          const counters = { favourites_count: m.favMap(o.key).size, reblogs_count: m.liveWrappers(o.key).length, replies_count: m.repliesCount(o.key) };
          const got = { favourites_count: body?.favourites_count, reblogs_count: body?.reblogs_count, replies_count: body?.replies_count };
          if (JSON.stringify(got) !== JSON.stringify(counters)) note(`${where}: s${o.key} counters as ${who(v)} ${JSON.stringify(got)}, model ${JSON.stringify(counters)}`);
          if (v !== null) {
            const flagsWant = { favourited: m.favMap(o.key).has(v), reblogged: m.wrapMap(o.key).has(v) && !m.statuses[m.wrapMap(o.key).get(v)].deleted };
            const flagsGot = { favourited: body?.favourited, reblogged: body?.reblogged };
            if (JSON.stringify(flagsGot) !== JSON.stringify(flagsWant)) note(`${where}: s${o.key} flags for ${who(v)} ${JSON.stringify(flagsGot)}, model ${JSON.stringify(flagsWant)}`);
          }
        });
      }
    }
    await pool(tasks);
    // favourited_by / reblogged_by of live public and unlisted originals, anonymously.
    const sorted = (xs) => [...xs].sort();
    await pool(originals().filter((s) => !s.deleted && (s.visibility === 'public' || s.visibility === 'unlisted')).flatMap((s) => [
      async () => {
        const got = sorted(names(ids((await walk(srv, null, `/api/v1/statuses/${s.id}/favourited_by?limit=40`)).items)));
        const want = sorted([...m.favMap(s.key).keys()].map((x) => `u${x}`));
        if (JSON.stringify(got) !== JSON.stringify(want)) note(`${where}: favourited_by s${s.key} ${JSON.stringify(got)}, model ${JSON.stringify(want)}`);
      },
      async () => {
        const got = sorted(names(ids((await walk(srv, null, `/api/v1/statuses/${s.id}/reblogged_by?limit=40`)).items)));
        const want = sorted(m.liveWrappers(s.key).map(([x]) => `u${x}`));
        if (JSON.stringify(got) !== JSON.stringify(want)) note(`${where}: reblogged_by s${s.key} ${JSON.stringify(got)}, model ${JSON.stringify(want)}`);
      },
    ]));
    // Account statuses: every author × every viewer, newest first.
    const label = (id) => { const s = m.statuses.find((x) => x.id === id); return s ? `s${s.key}` : id; };
    await pool(users.flatMap((u, a) => viewers.map((v) => async () => {
      const got = ids((await walk(srv, v === null ? null : users[v], `/api/v1/accounts/${u.id}/statuses?limit=40`)).items).map(label);
      const want = m.statuses.filter((s) => s.author === a && m.listed(v, s)).map((s) => s.id).sort((x, y) => cmpId(y, x)).map(label);
      if (JSON.stringify(got) !== JSON.stringify(want)) note(`${where}: statuses of u${a} as ${who(v)} ${JSON.stringify(got)}, model ${JSON.stringify(want)}`);
    })));
    // Each user's favourites (newest favourite first), unless the contract leaves it open.
    await pool(users.map((u, i) => async () => {
      const faved = originals().filter((s) => !s.deleted && m.favMap(s.key).has(i));
      if (faved.some((s) => !m.canSee(i, s))) { stats.skippedFavouritesLists = (stats.skippedFavouritesLists ?? 0) + 1; return; }
      const got = ids((await walk(srv, u, '/api/v1/favourites?limit=40')).items).map(label);
      const want = faved.sort((x, y) => m.favMap(y.key).get(i) - m.favMap(x.key).get(i)).map((s) => `s${s.key}`);
      if (JSON.stringify(got) !== JSON.stringify(want)) note(`${where}: favourites of u${i} ${JSON.stringify(got)}, model ${JSON.stringify(want)}`);
    }));
    return problems.length - before;
  }

  for (let step = 1; step <= STEPS; step += 1) {
    const kind = step <= 5 ? 'post' : rnd.weighted(weights);
    stats[kind] = (stats[kind] ?? 0) + 1;
    await actions[kind](step);
    if (CHECKPOINTS.has(step)) await compare(step);
  }
  t.diagnostic(`seed ${SEED}: ${JSON.stringify(stats)}; ${m.statuses.length} statuses (${m.statuses.filter((s) => s.deleted).length} deleted), ${m.follows.size} follows, ${m.blocks.size} blocks`);
  assert.ok(m.statuses.length > 50, 'the sequence made enough statuses');
  assert.equal(problems.length, 0,
    `seed ${SEED}: ${problems.length} disagreements between server and model (first 40):\n${problems.slice(0, 40).join('\n')}\n` +
    `action log (last 30):\n${log.slice(-30).join('\n')}`);
}));
