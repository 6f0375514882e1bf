// Rate limits: X-RateLimit-* headers, per-IP, per-token, per-account and
// registration throttles, 429 bodies, and --rate-limits off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  withLogs, api, show, registerApp, appToken, createUserToken, uniq, adminCreateAccount,
} from './lib/server.mjs';
import { assertJsonError } from './lib/entities.mjs';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

// Checks the three headers; returns { limit, remaining, reset (ms) }.
function rateHeaders(res, { periodSeconds } = {}) {
  const ctx = `${show(res)}\nheaders: ${JSON.stringify(Object.fromEntries(res.headers))}`;
  const limit = res.headers.get('x-ratelimit-limit');
  const remaining = res.headers.get('x-ratelimit-remaining');
  const reset = res.headers.get('x-ratelimit-reset');
  assert.ok(limit !== null, `X-RateLimit-Limit present: ${ctx}`);
  assert.ok(remaining !== null, `X-RateLimit-Remaining present: ${ctx}`);
  assert.ok(reset !== null, `X-RateLimit-Reset present: ${ctx}`);
  assert.match(limit, /^\d+$/, ctx);
  assert.match(remaining, /^\d+$/, ctx);
  assert.match(reset, ISO_8601, `X-RateLimit-Reset is an ISO 8601 timestamp, not epoch seconds: ${reset}`);
  const resetMs = Date.parse(reset);
  assert.ok(!Number.isNaN(resetMs), reset);
  const now = Date.now();
  assert.ok(resetMs >= now - 2000, `reset ${reset} is not in the past (now ${new Date(now).toISOString()})`);
  if (periodSeconds !== undefined) {
    assert.ok(resetMs <= now + periodSeconds * 1000 + 2000, `reset ${reset} is within one period of ${periodSeconds}s`);
  }
  assert.ok(Number(remaining) <= Number(limit), ctx);
  return { limit: Number(limit), remaining: Number(remaining), reset: resetMs };
}

function assertThrottled(res, limit) {
  assertJsonError(res, 429, 'Too many requests');
  const h = rateHeaders(res);
  if (limit !== undefined) assert.equal(h.limit, limit, show(res));
  assert.equal(h.remaining, 0, 'X-RateLimit-Remaining is 0 when throttled');
  assert.ok(h.reset > Date.now() - 1000, 'a throttled client is told a reset in the future');
}

// Sends requests until the first 429 (at most `max`); returns { ok, throttled }.
async function untilThrottled(send, max) {
  let ok = 0;
  for (let i = 0; i < max; i++) {
    const res = await send();
    if (res.status === 429) return { ok, throttled: res };
    assert.ok(res.status < 400, `unexpected ${show(res)}`);
    ok += 1;
  }
  return { ok, throttled: null };
}

test('every /api response carries X-RateLimit-* headers with an ISO 8601 reset', withLogs(async (t, start) => {
  const srv = await start();
  const first = await api(srv, 'GET', '/api/v1/instance');
  assert.equal(first.status, 200, show(first));
  const h1 = rateHeaders(first, { periodSeconds: 300 });
  assert.equal(h1.limit, 300, 'default unauthenticated limit is 300');
  assert.ok(h1.remaining < 300, 'the request itself was counted');
  const second = await api(srv, 'GET', '/api/v2/instance');
  const h2 = rateHeaders(second, { periodSeconds: 300 });
  assert.ok(h2.remaining <= h1.remaining, `remaining does not grow between back-to-back requests (${h1.remaining} → ${h2.remaining})`);

  await t.test('on errors too', async () => {
    rateHeaders(await api(srv, 'GET', '/api/v1/accounts/verify_credentials'), { periodSeconds: 300 });
    rateHeaders(await api(srv, 'GET', '/api/v1/accounts/424242'), { periodSeconds: 300 });
    rateHeaders(await api(srv, 'GET', '/api/v1/nope'), { periodSeconds: 300 });
    rateHeaders(await api(srv, 'POST', '/api/v1/apps', { json: {} }), { periodSeconds: 300 });
  });

  await t.test('on authenticated requests (token or account throttle)', async () => {
    const user = await createUserToken(srv);
    const me = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token });
    assert.equal(me.status, 200, show(me));
    const h = rateHeaders(me, { periodSeconds: 300 });
    assert.ok([300, 1500].includes(h.limit), `limit ${h.limit} is the token (300) or account (1500) limit`);
  });
}));

test('--rate-limit-ip 3/60: the 4th unauthenticated request is 429 Too many requests', withLogs(async (t, start) => {
  const srv = await start({ args: ['--rate-limit-ip', '3/60'] });
  for (let i = 1; i <= 3; i++) {
    const res = await api(srv, 'GET', '/api/v1/instance');
    assert.equal(res.status, 200, `request ${i}: ${show(res)}`);
    const h = rateHeaders(res, { periodSeconds: 60 });
    assert.equal(h.limit, 3);
    assert.equal(h.remaining, 3 - i, `request ${i} leaves ${3 - i}`);
  }
  const fourth = await api(srv, 'GET', '/api/v1/instance');
  assertThrottled(fourth, 3);
  // Other /api paths share the per-IP budget.
  const other = await api(srv, 'GET', '/api/v1/accounts/lookup?acct=nobody');
  assertThrottled(other, 3);
  // CORS headers are on the 429 as well, so browsers can read it.
  assert.equal(fourth.headers.get('access-control-allow-origin'), '*');
}));

test('CHIRP_RATE_LIMIT_IP in the environment works like the flag', withLogs(async (t, start) => {
  const srv = await start({ env: { CHIRP_RATE_LIMIT_IP: '2/60' } });
  const r = await untilThrottled(() => api(srv, 'GET', '/api/v1/instance'), 10);
  assert.equal(r.ok, 2);
  assertThrottled(r.throttled, 2);
}));

test('authenticated requests are not counted against the per-IP limit', withLogs(async (t, start) => {
  const username = uniq('rl');
  const email = `${username}@example.com`;
  const password = 'a good password';
  const srv = await start({
    args: ['--rate-limit-ip', '3/60', '--password-grant', 'on'],
    prepare: (dataDir) => adminCreateAccount({ dataDir, username, email, password }),
  });
  const app = await registerApp(srv); // unauthenticated /api request no. 1
  const tok = await api(srv, 'POST', '/oauth/token', {
    form: { grant_type: 'password', client_id: app.client_id, client_secret: app.client_secret, username: email, password, scope: 'read' },
  });
  assert.equal(tok.status, 200, show(tok));
  const r = await untilThrottled(() => api(srv, 'GET', '/api/v1/instance'), 10);
  assert.ok(r.throttled, 'the IP budget runs out');
  assert.ok(r.ok <= 2, `at most 2 more unauthenticated requests after the app registration, got ${r.ok}`);
  const me = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: tok.body.access_token });
  assert.equal(me.status, 200, `a user token is not throttled by the IP limit: ${show(me)}`);
  assert.equal(me.body.username, username);
  const h = rateHeaders(me);
  assert.notEqual(h.limit, 3, 'the headers describe the token/account throttle, not the IP one');
}));

test('--rate-limit-token 3/60 throttles per token; another token of the same user still works', withLogs(async (t, start) => {
  const srv = await start({ args: ['--rate-limit-token', '3/60', '--password-grant', 'on'] });
  const user = await createUserToken(srv); // used the token once (verify_credentials)
  const r = await untilThrottled(() => api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token }), 10);
  assert.equal(r.ok + 1, 3, `3 requests per token (1 by the helper + ${r.ok})`);
  assertThrottled(r.throttled, 3);

  const tok = await api(srv, 'POST', '/oauth/token', {
    form: {
      grant_type: 'password', client_id: user.app.client_id, client_secret: user.app.client_secret,
      username: user.email, password: user.password, scope: 'read',
    },
  });
  assert.equal(tok.status, 200, show(tok));
  const other = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: tok.body.access_token });
  assert.equal(other.status, 200, `a fresh token has its own budget: ${show(other)}`);
}));

test('--rate-limit-account 4/60 throttles all of one account\'s tokens together', withLogs(async (t, start) => {
  const srv = await start({ args: ['--rate-limit-account', '4/60', '--password-grant', 'on'] });
  const user = await createUserToken(srv); // 1 account request
  const tok = await api(srv, 'POST', '/oauth/token', {
    form: {
      grant_type: 'password', client_id: user.app.client_id, client_secret: user.app.client_secret,
      username: user.email, password: user.password, scope: 'read',
    },
  });
  assert.equal(tok.status, 200, show(tok));
  const tokens = [user.token, tok.body.access_token];
  let i = 0;
  const r = await untilThrottled(() => api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: tokens[i++ % 2] }), 10);
  assert.equal(r.ok + 1, 4, `4 requests per account across tokens (1 by the helper + ${r.ok})`);
  assertThrottled(r.throttled, 4);

  // Another account is unaffected.
  const other = await createUserToken(srv);
  const res = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: other.token });
  assert.equal(res.status, 200, show(res));
}));

test('registration limit: 5 sign-ups per IP by default, then 429 and no account', withLogs(async (t, start) => {
  const srv = await start();
  const app = await registerApp(srv);
  const at = await appToken(srv, app);
  const signUp = (u) => api(srv, 'POST', '/api/v1/accounts', {
    token: at, json: { username: u, email: `${u}@example.com`, password: 'a good password', agreement: true, locale: 'en' },
  });
  for (let i = 1; i <= 5; i++) {
    const res = await signUp(uniq('s'));
    assert.equal(res.status, 200, `sign-up ${i}: ${show(res)}`);
  }
  const u = uniq('sixth');
  const sixth = await signUp(u);
  assertThrottled(sixth, 5);
  const look = await api(srv, 'GET', `/api/v1/accounts/lookup?acct=${u}`);
  assert.equal(look.status, 404, `the throttled sign-up created nothing: ${show(look)}`);
  const inst = await api(srv, 'GET', '/api/v1/instance');
  assert.equal(inst.body.stats.user_count, 5);
}));

test('--rate-limit-registration 2/1800 allows two sign-ups', withLogs(async (t, start) => {
  const srv = await start({ args: ['--rate-limit-registration', '2/1800'] });
  const app = await registerApp(srv);
  const at = await appToken(srv, app);
  const signUp = (u) => api(srv, 'POST', '/api/v1/accounts', {
    token: at, json: { username: u, email: `${u}@example.com`, password: 'a good password', agreement: true, locale: 'en' },
  });
  assert.equal((await signUp(uniq('a'))).status, 200);
  assert.equal((await signUp(uniq('b'))).status, 200);
  const third = await signUp(uniq('c'));
  assertThrottled(third, 2);
  const h = rateHeaders(third);
  assert.ok(h.reset <= Date.now() + 1800 * 1000 + 2000, 'reset within the registration period');
  // Other endpoints are not affected by the registration throttle.
  const inst = await api(srv, 'GET', '/api/v1/instance');
  assert.equal(inst.status, 200, show(inst));
}));

test('--rate-limits off: no 429 however many requests', withLogs(async (t, start) => {
  const srv = await start({ args: ['--rate-limits', 'off', '--rate-limit-ip', '3/60', '--rate-limit-registration', '1/1800', '--rate-limit-token', '2/60'] });
  for (let i = 0; i < 40; i++) {
    const res = await api(srv, 'GET', '/api/v1/instance');
    assert.equal(res.status, 200, `request ${i + 1}: ${show(res)}`);
  }
  const app = await registerApp(srv);
  const at = await appToken(srv, app);
  for (let i = 0; i < 4; i++) {
    const u = uniq('off');
    const res = await api(srv, 'POST', '/api/v1/accounts', {
      token: at, json: { username: u, email: `${u}@example.com`, password: 'a good password', agreement: true, locale: 'en' },
    });
    assert.equal(res.status, 200, `sign-up ${i + 1}: ${show(res)}`);
  }
  const user = await createUserToken(srv);
  for (let i = 0; i < 10; i++) {
    const res = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token });
    assert.equal(res.status, 200, `authenticated request ${i + 1}: ${show(res)}`);
  }

  const viaEnv = await start({ env: { CHIRP_RATE_LIMITS: 'off', CHIRP_RATE_LIMIT_IP: '2/60' } });
  for (let i = 0; i < 10; i++) {
    const res = await api(viaEnv, 'GET', '/api/v1/instance');
    assert.equal(res.status, 200, `env off, request ${i + 1}: ${show(res)}`);
  }
}));

test('--rate-limit-sign-in 3/60 throttles password attempts on the authorize form', withLogs(async (t, start) => {
  // The account is made offline so that no other request precedes the sign-in attempts.
  const user = { username: uniq('signin'), password: 'a good password' };
  const srv = await start({
    args: ['--rate-limit-sign-in', '3/60'],
    prepare: (dataDir) => adminCreateAccount({ dataDir, ...user, email: `${user.username}@example.com` }),
  });
  const app = await registerApp(srv, { redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read' });
  const attempt = (password) => api(srv, 'POST', '/oauth/authorize', {
    form: {
      response_type: 'code', client_id: app.client_id, redirect_uri: 'urn:ietf:wg:oauth:2.0:oob', scope: 'read',
      username: user.username, password, decision: 'approve',
    },
  });
  for (let i = 1; i <= 3; i++) {
    const res = await attempt(`wrong ${i}`);
    assert.ok([200, 401].includes(res.status), `attempt ${i}: ${show(res)}`);
  }
  const fourth = await attempt('wrong 4');
  assert.equal(fourth.status, 429, `4th sign-in attempt: ${show(fourth)}`);
  const right = await attempt(user.password);
  assert.equal(right.status, 429, `even the right password is throttled now: ${show(right)}`);
  assert.ok(!/authorization-code/.test(right.text), 'no code while throttled');
}));

test('the default per-IP limit of 300 holds for loopback clients too', withLogs(async (t, start) => {
  const srv = await start();
  const t0 = Date.now();
  const r = await untilThrottled(() => api(srv, 'GET', '/api/v1/instance'), 400);
  const elapsed = (Date.now() - t0) / 1000;
  assert.ok(r.throttled, 'loopback is not exempt');
  // A fixed window allows exactly 300; a refilling bucket (300 per 300 s) may
  // have regained about one request per elapsed second.
  assert.ok(r.ok >= 300 && r.ok <= 300 + Math.ceil(elapsed) + 1, `about 300 requests allowed, got ${r.ok} in ${elapsed}s`);
  assertThrottled(r.throttled, 300);
}));
