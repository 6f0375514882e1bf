// Instance metadata (v1, v2, NodeInfo), CORS, X-Request-Id, health/ready/metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withLogs, api, show, createUserToken, registerApp } from './lib/server.mjs';
import { assertAbsoluteUrl } from './lib/entities.mjs';

const isInt = (v) => Number.isInteger(v) && v >= 0;

test('GET /api/v1/instance has every documented field', withLogs(async (t, start) => {
  const srv = await start();
  const res = await api(srv, 'GET', '/api/v1/instance');
  assert.equal(res.status, 200, show(res));
  assert.match(res.contentType, /^application\/json/);
  const i = res.body;
  const host = new URL(srv.url).host;
  assert.equal(i.uri, host, 'uri is the domain (host[:port])');
  for (const k of ['title', 'short_description', 'description', 'email', 'version']) {
    assert.equal(typeof i[k], 'string', `${k} is a string`);
  }
  assert.match(i.version, /^\d+\.\d+\.\d+/, 'version looks like a Mastodon semver');
  assert.ok(Number(i.version.split('.')[0]) >= 4, `version ${i.version} is 4.x or later`);
  assert.equal(typeof i.urls, 'object');
  assert.match(i.urls.streaming_api, /^wss?:\/\//, 'urls.streaming_api is a ws(s) URL');
  assert.equal(new URL(i.urls.streaming_api).host, host, 'streaming on this host');
  assert.ok(isInt(i.stats.user_count) && isInt(i.stats.status_count) && isInt(i.stats.domain_count), JSON.stringify(i.stats));
  assert.ok('thumbnail' in i, 'thumbnail present (nullable)');
  assert.ok(Array.isArray(i.languages));
  assert.equal(i.registrations, true);
  assert.equal(typeof i.approval_required, 'boolean');
  assert.equal(typeof i.invites_enabled, 'boolean');
  assert.ok('contact_account' in i, 'contact_account present (nullable)');
  assert.ok(Array.isArray(i.rules));
  const c = i.configuration;
  assert.equal(c.statuses.max_characters, 280);
  assert.ok(isInt(c.statuses.max_media_attachments));
  assert.ok(isInt(c.statuses.characters_reserved_per_url));
  assert.ok(Array.isArray(c.media_attachments.supported_mime_types));
  for (const k of ['image_size_limit', 'image_matrix_limit', 'video_size_limit', 'video_frame_rate_limit', 'video_matrix_limit']) {
    assert.ok(isInt(c.media_attachments[k]), `media_attachments.${k}`);
  }
  for (const k of ['max_options', 'max_characters_per_option', 'min_expiration', 'max_expiration']) {
    assert.ok(isInt(c.polls[k]), `polls.${k}`);
  }
  assert.ok(isInt(c.accounts.max_featured_tags));
}));

test('GET /api/v2/instance has every documented field', withLogs(async (t, start) => {
  const srv = await start();
  const res = await api(srv, 'GET', '/api/v2/instance');
  assert.equal(res.status, 200, show(res));
  const i = res.body;
  const host = new URL(srv.url).host;
  assert.equal(i.domain, host);
  for (const k of ['title', 'version', 'source_url', 'description']) assert.equal(typeof i[k], 'string', k);
  assert.match(i.version, /^\d+\.\d+\.\d+/);
  assert.ok(isInt(i.usage.users.active_month));
  assert.equal(typeof i.thumbnail, 'object');
  assertAbsoluteUrl(i.thumbnail.url, 'thumbnail.url');
  assert.ok(Array.isArray(i.icon));
  assert.ok(Array.isArray(i.languages));
  assert.equal(i.registrations.enabled, true);
  assert.equal(typeof i.registrations.approval_required, 'boolean');
  assert.ok('message' in i.registrations, 'registrations.message present (nullable)');
  assert.ok(Number.isInteger(i.api_versions?.mastodon), 'api_versions.mastodon is an integer');
  assert.ok('email' in i.contact && 'account' in i.contact);
  assert.ok(Array.isArray(i.rules));
  const c = i.configuration;
  assert.match(c.urls.streaming, /^wss?:\/\//);
  assert.equal(new URL(c.urls.streaming).host, host);
  assert.equal(typeof c.vapid, 'object');
  assert.equal(typeof c.vapid.public_key, 'string');
  assert.ok(isInt(c.accounts.max_featured_tags));
  assert.equal(c.statuses.max_characters, 280);
  assert.ok(isInt(c.statuses.max_media_attachments));
  assert.ok(Array.isArray(c.media_attachments.supported_mime_types));
  assert.ok(isInt(c.polls.max_options));
  assert.deepEqual(c.translation, { enabled: false });
}));

test('--max-characters and closed registrations show in v1 and v2', withLogs(async (t, start) => {
  const srv = await start({ args: ['--max-characters', '500', '--registrations', 'closed'] });
  const v1 = await api(srv, 'GET', '/api/v1/instance');
  const v2 = await api(srv, 'GET', '/api/v2/instance');
  assert.equal(v1.body.configuration.statuses.max_characters, 500, show(v1));
  assert.equal(v2.body.configuration.statuses.max_characters, 500, show(v2));
  assert.equal(v1.body.registrations, false);
  assert.equal(v2.body.registrations.enabled, false);
  const ni = await api(srv, 'GET', '/nodeinfo/2.0');
  assert.equal(ni.body.openRegistrations, false);

  const viaEnv = await start({ env: { CHIRP_MAX_CHARACTERS: '1000' } });
  const e1 = await api(viaEnv, 'GET', '/api/v1/instance');
  assert.equal(e1.body.configuration.statuses.max_characters, 1000, show(e1));
}));

test('instance stats count registered users', withLogs(async (t, start) => {
  const srv = await start();
  await createUserToken(srv);
  await createUserToken(srv);
  const v1 = await api(srv, 'GET', '/api/v1/instance');
  assert.equal(v1.body.stats.user_count, 2, show(v1));
  const ni = await api(srv, 'GET', '/nodeinfo/2.0');
  assert.equal(ni.body.usage.users.total, 2, show(ni));
}));

test('NodeInfo discovery has an absolute href and names Mastodon', withLogs(async (t, start) => {
  const srv = await start();
  const wk = await api(srv, 'GET', '/.well-known/nodeinfo');
  assert.equal(wk.status, 200, show(wk));
  assert.match(wk.contentType, /^application\/json/);
  const link = wk.body.links.find((l) => l.rel === 'http://nodeinfo.diaspora.software/ns/schema/2.0');
  assert.ok(link, `a schema 2.0 link: ${show(wk)}`);
  assertAbsoluteUrl(link.href, 'nodeinfo href');
  assert.equal(link.href, `${srv.url}/nodeinfo/2.0`);

  const doc = await fetch(link.href);
  assert.equal(doc.status, 200);
  assert.match(doc.headers.get('content-type'), /json/);
  const ni = await doc.json();
  assert.equal(ni.version, '2.0');
  assert.equal(typeof ni.software.name, 'string');
  assert.match(ni.software.name, /^[a-z0-9-]+$/, 'software.name is lowercase');
  assert.equal(typeof ni.software.version, 'string');
  assert.equal(typeof ni.metadata, 'object', 'metadata must be present (megalodon reads metadata.upstream)');
  assert.ok(ni.metadata !== null);
  const mastodonLike = ['mastodon', 'hometown'].includes(ni.software.name)
    || ni.metadata?.upstream?.name?.toLowerCase() === 'mastodon';
  assert.ok(mastodonLike, `software.name or metadata.upstream.name is mastodon: ${JSON.stringify(ni)}`);
  assert.ok(ni.protocols.includes('activitypub'));
  assert.ok(Array.isArray(ni.services.outbound) && Array.isArray(ni.services.inbound));
  assert.ok(isInt(ni.usage.users.total));
  assert.ok(isInt(ni.usage.localPosts));
  assert.equal(ni.openRegistrations, true);
}));

test('CORS: preflight from any origin, and exposed headers on responses', withLogs(async (t, start) => {
  const srv = await start();
  const origin = 'https://elk.example';
  const preflight = (path, method, headers) => api(srv, 'OPTIONS', path, {
    headers: { origin, 'access-control-request-method': method, ...(headers ? { 'access-control-request-headers': headers } : {}) },
  });

  for (const [path, method] of [
    ['/api/v1/accounts/verify_credentials', 'GET'],
    ['/api/v1/accounts/update_credentials', 'PATCH'],
    ['/api/v1/apps', 'POST'],
    ['/oauth/token', 'POST'],
  ]) {
    await t.test(`preflight ${method} ${path}`, async () => {
      const res = await preflight(path, method, 'authorization,content-type');
      assert.ok([200, 204].includes(res.status), show(res));
      const allowOrigin = res.headers.get('access-control-allow-origin');
      assert.ok(allowOrigin === '*' || allowOrigin === origin, `Access-Control-Allow-Origin: ${allowOrigin}`);
      const methods = (res.headers.get('access-control-allow-methods') || '').toUpperCase();
      assert.ok(methods.includes(method), `Allow-Methods ${methods} includes ${method}`);
      const allowHeaders = (res.headers.get('access-control-allow-headers') || '').toLowerCase();
      assert.ok(allowHeaders === '*' || (allowHeaders.includes('authorization') && allowHeaders.includes('content-type')),
        `Allow-Headers: ${allowHeaders}`);
    });
  }

  await t.test('actual responses expose the rate-limit, Link and request-id headers', async () => {
    const res = await api(srv, 'GET', '/api/v1/instance', { headers: { origin } });
    assert.equal(res.status, 200);
    const allowOrigin = res.headers.get('access-control-allow-origin');
    assert.ok(allowOrigin === '*' || allowOrigin === origin, `Access-Control-Allow-Origin: ${allowOrigin}`);
    const exposed = (res.headers.get('access-control-expose-headers') || '').toLowerCase().split(/\s*,\s*/);
    for (const h of ['link', 'x-ratelimit-reset', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-request-id']) {
      assert.ok(exposed.includes(h), `exposes ${h}: ${exposed}`);
    }
  });

  await t.test('error responses carry CORS headers too', async () => {
    const res = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { headers: { origin } });
    assert.equal(res.status, 401);
    assert.ok(res.headers.get('access-control-allow-origin'), 'a browser can read the 401');
  });

  await t.test('/.well-known documents are readable cross-origin', async () => {
    for (const path of ['/.well-known/nodeinfo', '/.well-known/oauth-authorization-server']) {
      const res = await api(srv, 'GET', path, { headers: { origin } });
      assert.ok(res.headers.get('access-control-allow-origin'), `${path} has Access-Control-Allow-Origin`);
    }
  });

  await t.test('token endpoint answers browsers', async () => {
    const app = await registerApp(srv);
    const res = await api(srv, 'POST', '/oauth/token', {
      headers: { origin },
      json: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret },
    });
    assert.equal(res.status, 200, show(res));
    assert.ok(res.headers.get('access-control-allow-origin'), 'POST /oauth/token has Access-Control-Allow-Origin');
  });
}));

test('X-Request-Id is on every response and differs between requests', withLogs(async (t, start) => {
  const srv = await start();
  const paths = [
    ['GET', '/api/v1/instance'], ['GET', '/api/v2/instance'], ['GET', '/api/v1/accounts/verify_credentials'],
    ['GET', '/api/v1/accounts/1234'], ['GET', '/nope'], ['GET', '/health'], ['GET', '/ready'], ['GET', '/metrics'],
    ['GET', '/.well-known/nodeinfo'], ['GET', '/nodeinfo/2.0'], ['GET', '/.well-known/oauth-authorization-server'],
    ['GET', '/oauth/authorize?client_id=x'], ['POST', '/oauth/token'], ['OPTIONS', '/api/v1/instance'],
  ];
  const ids = new Set();
  for (const [method, path] of paths) {
    const res = await api(srv, method, path);
    const id = res.headers.get('x-request-id');
    assert.ok(id && id.length >= 8, `${method} ${path} has X-Request-Id (${res.status})`);
    assert.match(id, /^[\x21-\x7e]+$/, 'printable, no spaces');
    assert.ok(!ids.has(id), `X-Request-Id ${id} is unique`);
    ids.add(id);
  }
  const a = await api(srv, 'GET', '/api/v1/instance');
  const b = await api(srv, 'GET', '/api/v1/instance');
  assert.notEqual(a.headers.get('x-request-id'), b.headers.get('x-request-id'));
}));

test('/health, /ready and /metrics', withLogs(async (t, start) => {
  const srv = await start();
  const health = await api(srv, 'GET', '/health');
  assert.equal(health.status, 200, show(health));
  assert.match(health.contentType, /^application\/json/);
  const ready = await api(srv, 'GET', '/ready');
  assert.equal(ready.status, 200, show(ready));
  assert.match(ready.contentType, /^application\/json/);

  for (let i = 0; i < 3; i++) await api(srv, 'GET', '/api/v1/instance');
  await api(srv, 'GET', '/api/v1/accounts/verify_credentials'); // a 401
  const m1 = await api(srv, 'GET', '/metrics');
  assert.equal(m1.status, 200, show(m1));
  assert.match(m1.contentType, /^text\/plain/);
  assert.match(m1.text, /^# TYPE \S+ counter$/m, 'has a counter');
  assert.match(m1.text, /^# HELP \S+ .+$/m, 'has HELP lines');
  // Every sample line is valid Prometheus text format.
  for (const line of m1.text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eEInfNa]+( \d+)?$/, `valid sample: ${line}`);
  }
  const count = (text) => {
    let total = 0;
    for (const line of text.split('\n')) {
      if (line.startsWith('#') || !/request/i.test(line) || !/_total(\{| )/.test(line)) continue;
      if (!line.includes('/api/v1/instance')) continue;
      total += Number(line.trim().split(/\s+/).pop());
    }
    return total;
  };
  const before = count(m1.text);
  assert.ok(before >= 3, `a request counter labels /api/v1/instance with at least 3 requests:\n${m1.text.slice(0, 3000)}`);
  assert.match(m1.text, /status="401"|code="401"/, 'status codes are labelled');
  await api(srv, 'GET', '/api/v1/instance');
  const m2 = await api(srv, 'GET', '/metrics');
  assert.equal(count(m2.text), before + 1, 'the counter goes up by one per request');
}));
