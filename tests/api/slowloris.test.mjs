// Slow clients (slowloris): 2,000 connections trickle a request's head one
// byte a second beside normal traffic. Normal requests keep being answered,
// chirpd's memory stays bounded, and every slow connection is closed by the
// head timeout. The normal traffic's p99 with and without the attack is
// reported (not asserted: timings are for the benchmark, not for tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { withLogs, show, pollUntil } from './lib/server.mjs';
import { socialServer, postOk } from './lib/social.mjs';
import { Agent, request } from 'node:http';

const SLOW = 2000;
// The slow ones come from eight loopback addresses, 250 each: under the
// default cap of 256 connections per address, so that every one of them
// reaches the server and only the head timeout can end it.
const SLOW_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
const HEAD_TIMEOUT_S = 5;
const NORMAL_CLIENTS = 4;
const NORMAL_MS = 2000;

function residentKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
}

// `clients` keep-alive clients reading the public timeline for `ms`; returns
// the latencies in ms and any answer that was not a 200.
async function normalTraffic(srv, token, { clients = NORMAL_CLIENTS, ms = NORMAL_MS } = {}) {
  const u = new URL(srv.url);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const latencies = [];
  const failures = [];
  const end = Date.now() + ms;
  const one = () => new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = request({
      host: u.hostname, port: Number(u.port), path: '/api/v1/timelines/home?limit=20', agent,
      headers: { authorization: `Bearer ${token}` }, timeout: 10_000,
    }, (res) => {
      res.resume();
      res.on('end', () => {
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (res.statusCode !== 200) failures.push(res.statusCode);
        resolve();
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => { failures.push(e.message); resolve(); });
    req.end();
  });
  await Promise.all(Array.from({ length: clients }, async () => {
    while (Date.now() < end) await one();
  }));
  agent.destroy();
  return { latencies, failures };
}

function p99(latencies) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
}

// Opens one slow connection: a request head sent one byte a second, never
// finished. Resolves once connected; `closed` resolves when the server ends it.
function slowConnection(srv, localAddress) {
  const u = new URL(srv.url);
  const head = `GET /api/v1/timelines/public HTTP/1.1\r\nHost: ${u.host}\r\nX-Padding: ${'a'.repeat(200)}`;
  return new Promise((resolve, reject) => {
    const sock = connect({ host: u.hostname, port: Number(u.port), localAddress });
    let sent = 0;
    let timer = null;
    const c = { sock, closedAt: null, received: 0 };
    c.closed = new Promise((done) => sock.once('close', () => {
      clearInterval(timer);
      c.closedAt = Date.now();
      done();
    }));
    sock.on('data', (d) => { c.received += d.length; });
    sock.on('error', () => {});
    sock.once('connect', () => {
      timer = setInterval(() => {
        if (sent < head.length && !sock.destroyed) sock.write(head[sent++]);
      }, 1000);
      sock.write(head[sent++]);
      resolve(c);
    });
    sock.once('close', () => reject(new Error('closed before connecting')));
  });
}

test('2,000 slow clients do not stop normal traffic, and the head timeout closes each of them', { timeout: 90_000 }, withLogs(async (t, start) => {
  const { srv, users: [alice] } = await socialServer(start, {
    users: 1, args: ['--header-timeout', String(HEAD_TIMEOUT_S)],
  });
  for (let i = 0; i < 20; i++) await postOk(srv, alice, { status: `note ${i}` });
  const pid = srv.proc.pid;

  const before = await normalTraffic(srv, alice.token);
  assert.deepEqual(before.failures, [], 'normal traffic alone');
  const rssBefore = residentKiB(pid);

  const opened = Date.now();
  const slow = [];
  for (let i = 0; i < SLOW; i += 100) {
    slow.push(...await Promise.all(Array.from({ length: 100 }, (_, j) =>
      slowConnection(srv, SLOW_ADDRESSES[(i + j) % SLOW_ADDRESSES.length]))));
  }
  const openedIn = Date.now() - opened;
  const stillOpen = slow.filter((c) => c.closedAt === null).length;
  const during = await normalTraffic(srv, alice.token);
  const rssDuring = residentKiB(pid);

  await Promise.all(slow.map((c) => c.closed));
  const lastClosed = Math.max(...slow.map((c) => c.closedAt));
  const rssAfter = residentKiB(pid);

  t.diagnostic(`normal traffic p99: ${p99(before.latencies).toFixed(2)} ms alone (${before.latencies.length} requests), ` +
    `${p99(during.latencies).toFixed(2)} ms beside ${stillOpen} slow connections (${during.latencies.length} requests)`);
  t.diagnostic(`chirpd resident memory: ${rssBefore} KiB before, ${rssDuring} KiB during, ${rssAfter} KiB after`);
  t.diagnostic(`${SLOW} slow connections opened in ${openedIn} ms, the last closed ${lastClosed - opened} ms after the first opened`);

  assert.deepEqual(during.failures, [], 'every normal request beside the slow ones is answered 200');
  assert.ok(during.latencies.length > 0, 'normal requests were made during the attack');
  assert.ok(stillOpen > SLOW / 2, `the slow connections were held when normal traffic began (${stillOpen} open)`);
  // Each slow connection was closed by the server, unanswered, within the
  // head timeout (plus the sweep's second and the time to open them all).
  for (const c of slow) assert.equal(c.received, 0, 'a slow connection gets no answer');
  assert.ok(lastClosed - opened <= openedIn + (HEAD_TIMEOUT_S + 3) * 1000,
    `closed by the head timeout: the last ${lastClosed - opened} ms after the first opened`);
  // Bounded memory: well under 64 KiB for each slow connection held (not
  // weighed under a sanitizer, whose shadow memory and quarantine dwarf it).
  if (!process.env.CHIRP_SANITIZER) {
    assert.ok(rssDuring - rssBefore < SLOW * 64, `memory grew by ${rssDuring - rssBefore} KiB for ${SLOW} slow connections`);
  }
  // And normal traffic goes on after them.
  const after = await normalTraffic(srv, alice.token, { ms: 500 });
  assert.deepEqual(after.failures, [], `normal traffic after: ${after.failures.map(show)}`);
}));
