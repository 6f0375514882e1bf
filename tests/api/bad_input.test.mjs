// Bad input: malformed JSON, invalid UTF-8, oversized bodies, wrong types,
// missing/garbage/revoked tokens, wrong scopes. Each error is JSON with an
// `error` string, and the server's state is unchanged afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  withLogs, api, show, appToken, createUserToken, uniq, MANY_SIGNUPS, rawRequest,
} from './lib/server.mjs';
import { assertJsonError } from './lib/entities.mjs';

const ONE_MIB = 1024 * 1024;

async function profile(srv, token) {
  const me = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token });
  assert.equal(me.status, 200, show(me));
  const { display_name, note, locked, bot, discoverable, fields, source } = me.body;
  return { display_name, note, locked, bot, discoverable, fields, source_note: source.note };
}

async function setUp(srv) {
  const user = await createUserToken(srv);
  const set = await api(srv, 'PATCH', '/api/v1/accounts/update_credentials', {
    token: user.token,
    json: { display_name: 'Before', note: 'unchanged', locked: false, bot: false, fields_attributes: [{ name: 'k', value: 'v' }] },
  });
  assert.equal(set.status, 200, show(set));
  return { user, before: await profile(srv, user.token) };
}

function raw(srv, method, path, { token, contentType, body }) {
  const headers = {};
  if (contentType) headers['content-type'] = contentType;
  return api(srv, method, path, { token, headers, body });
}

test('malformed JSON is 400 and changes nothing', withLogs(async (t, start) => {
  const srv = await start({ args: MANY_SIGNUPS });
  const { user, before } = await setUp(srv);
  const bodies = {
    'truncated object': '{"display_name": "After"',
    'trailing garbage': '{"display_name": "After"} x',
    'single quotes': "{'display_name': 'After'}",
    'bare word': 'display_name',
    'trailing comma': '{"display_name": "After",}',
    'empty body with JSON type': '',
  };
  for (const [name, body] of Object.entries(bodies)) {
    await t.test(`update_credentials: ${name}`, async () => {
      const res = await raw(srv, 'PATCH', '/api/v1/accounts/update_credentials', {
        token: user.token, contentType: 'application/json', body,
      });
      if (body === '') {
        // An empty JSON body is either a 400 or "no changes"; never a crash or a change.
        assert.ok([200, 400].includes(res.status), show(res));
      } else {
        assertJsonError(res, 400);
      }
      assert.deepEqual(await profile(srv, user.token), before);
    });
  }

  await t.test('registration with malformed JSON creates no account', async () => {
    const at = await appToken(srv, user.app);
    const u = uniq('mal');
    const res = await raw(srv, 'POST', '/api/v1/accounts', {
      token: at, contentType: 'application/json',
      body: `{"username":"${u}","email":"${u}@example.com","password":"a good password","agreement":true,"locale":"en"`,
    });
    assertJsonError(res, 400);
    const r = await api(srv, 'GET', `/api/v1/accounts/lookup?acct=${u}`);
    assert.equal(r.status, 404, show(r));
  });

  await t.test('app registration with malformed JSON', async () => {
    const res = await raw(srv, 'POST', '/api/v1/apps', { contentType: 'application/json', body: '{"client_name":' });
    assertJsonError(res, 400);
  });

  await t.test('token endpoint with malformed JSON', async () => {
    const res = await raw(srv, 'POST', '/oauth/token', { contentType: 'application/json', body: '{"grant_type":' });
    assert.equal(res.status, 400, show(res));
    assert.match(res.contentType, /^application\/json/, show(res));
    assert.equal(typeof res.body?.error, 'string', show(res));
  });
}));

test('invalid UTF-8 is 400 and changes nothing', withLogs(async (t, start) => {
  const srv = await start();
  const { user, before } = await setUp(srv);
  const bad = Buffer.concat([Buffer.from('{"display_name":"After '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
  await t.test('in a JSON string', async () => {
    const res = await raw(srv, 'PATCH', '/api/v1/accounts/update_credentials', {
      token: user.token, contentType: 'application/json', body: bad,
    });
    assertJsonError(res, 400);
    assert.deepEqual(await profile(srv, user.token), before);
  });
  await t.test('overlong encoding in JSON', async () => {
    const overlong = Buffer.concat([Buffer.from('{"display_name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]);
    const res = await raw(srv, 'PATCH', '/api/v1/accounts/update_credentials', {
      token: user.token, contentType: 'application/json', body: overlong,
    });
    assertJsonError(res, 400);
    assert.deepEqual(await profile(srv, user.token), before);
  });
  await t.test('lone surrogate escape in JSON', async () => {
    const res = await raw(srv, 'PATCH', '/api/v1/accounts/update_credentials', {
      token: user.token, contentType: 'application/json', body: '{"display_name":"x\\ud800y"}',
    });
    assert.ok([400, 422].includes(res.status), show(res));
    assert.match(res.contentType, /^application\/json/, show(res));
    assert.deepEqual(await profile(srv, user.token), before);
  });
  await t.test('in a urlencoded body (percent-encoded)', async () => {
    const res = await raw(srv, 'PATCH', '/api/v1/accounts/update_credentials', {
      token: user.token, contentType: 'application/x-www-form-urlencoded', body: 'display_name=After%FF%FE',
    });
    assertJsonError(res, 400);
    assert.deepEqual(await profile(srv, user.token), before);
  });
  await t.test('in a multipart body', async () => {
    const boundary = 'XyZboundary42';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="display_name"\r\n\r\nAfter `),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await raw(srv, 'PATCH', '/api/v1/accounts/update_credentials', {
      token: user.token, contentType: `multipart/form-data; boundary=${boundary}`, body,
    });
    assertJsonError(res, 400);
    assert.deepEqual(await profile(srv, user.token), before);
  });
  await t.test('in the query string', async () => {
    const res = await api(srv, 'GET', '/api/v1/accounts/lookup?acct=%FF%FE', { token: user.token });
    assertJsonError(res, 400);
  });
}));

test('a body over 1 MiB is 413; just under is processed', withLogs(async (t, start) => {
  const srv = await start();
  const { user, before } = await setUp(srv);
  const padded = (size) => {
    const head = '{"display_name":"After","note":"';
    const tail = '"}';
    return head + 'a'.repeat(size - head.length - tail.length) + tail;
  };
  // A raw socket: the server may answer 413 before it has read the body, so
  // the response is read even if our write then fails.
  const send = (method, path, body, token) => rawRequest(srv, {
    method, path, body,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  });
  const expect413 = (res) => {
    assert.ok(res.status !== 0, `expected an HTTP 413 response, got none (socket: ${res.socketError})`);
    assertJsonError(res, 413);
  };
  for (const [name, size] of [['1 MiB + 1 byte', ONE_MIB + 1], ['1 MiB + 1 KiB', ONE_MIB + 1024], ['3 MiB', 3 * ONE_MIB]]) {
    await t.test(`update_credentials with ${name}`, async () => {
      expect413(await send('PATCH', '/api/v1/accounts/update_credentials', padded(size), user.token));
      assert.deepEqual(await profile(srv, user.token), before);
    });
    await t.test(`apps with ${name}`, async () => {
      expect413(await send('POST', '/api/v1/apps', padded(size)));
    });
  }
  await t.test('Content-Length over the limit is refused before the body is sent', async () => {
    const res = await rawRequest(srv, {
      method: 'POST', path: '/api/v1/apps',
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(10 * ONE_MIB) },
      body: '{}', // far less than announced; the server must not wait for the rest
      timeoutMs: 5000,
    });
    expect413(res);
  });

  // Under the limit the request is parsed (the note is then too long: 422, not 413).
  const under = await raw(srv, 'PATCH', '/api/v1/accounts/update_credentials', {
    token: user.token, contentType: 'application/json', body: padded(ONE_MIB - 1024),
  });
  assert.notEqual(under.status, 413, show(under));
  assert.match(under.contentType, /^application\/json/, show(under));

  // The server is still healthy.
  const h = await api(srv, 'GET', '/health');
  assert.equal(h.status, 200, show(h));
}));

test('wrong types are 422 and change nothing', withLogs(async (t, start) => {
  const srv = await start({ args: MANY_SIGNUPS });
  const { user, before } = await setUp(srv);
  const cases = {
    'display_name as an object': { display_name: { a: 1 } },
    'display_name as an array': { display_name: ['x'] },
    'note as an object': { note: { text: 'x' } },
    'locked as "banana"': { locked: 'banana' },
    'bot as an object': { bot: { yes: true } },
    'discoverable as an array': { discoverable: [true] },
    'fields_attributes as a string': { fields_attributes: 'nope' },
    'mixed: valid display_name with bad locked': { display_name: 'After', locked: 'banana' },
  };
  for (const [name, json] of Object.entries(cases)) {
    await t.test(name, async () => {
      const res = await api(srv, 'PATCH', '/api/v1/accounts/update_credentials', { token: user.token, json });
      assertJsonError(res, 422);
      assert.deepEqual(await profile(srv, user.token), before, 'profile unchanged');
    });
  }

  await t.test('registration with an object username creates nothing', async () => {
    const at = await appToken(srv, user.app);
    const res = await api(srv, 'POST', '/api/v1/accounts', {
      token: at,
      json: { username: { evil: true }, email: 'obj@example.com', password: 'a good password', agreement: true, locale: 'en' },
    });
    assert.ok([400, 422].includes(res.status), show(res));
    assert.match(res.contentType, /^application\/json/);
    assert.equal(typeof res.body?.error, 'string');
    const inst = await api(srv, 'GET', '/api/v1/instance');
    assert.equal(inst.body.stats.user_count, 1, 'no account created');
  });

  await t.test('too many profile fields', async () => {
    const fields = Array.from({ length: 10 }, (_, i) => ({ name: `n${i}`, value: `v${i}` }));
    const res = await api(srv, 'PATCH', '/api/v1/accounts/update_credentials', { token: user.token, json: { fields_attributes: fields } });
    // Mastodon keeps at most 4 fields: it either truncates or refuses.
    if (res.status === 200) assert.ok(res.body.fields.length <= 4, show(res));
    else assertJsonError(res, 422);
  });
}));

test('missing, garbage and revoked tokens are 401', withLogs(async (t, start) => {
  const srv = await start();
  const { user, before } = await setUp(srv);
  const headersCases = {
    'no Authorization header': {},
    'garbage bearer token': { authorization: 'Bearer not-a-real-token' },
    'empty bearer token': { authorization: 'Bearer ' },
    'Basic scheme': { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
    'token with a trailing character': { authorization: `Bearer ${user.token}x` },
  };
  for (const [name, headers] of Object.entries(headersCases)) {
    await t.test(`verify_credentials: ${name}`, async () => {
      const res = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { headers });
      assertJsonError(res, 401);
    });
    await t.test(`update_credentials: ${name}`, async () => {
      const res = await api(srv, 'PATCH', '/api/v1/accounts/update_credentials', { headers, json: { display_name: 'Hacked' } });
      assertJsonError(res, 401);
      assert.deepEqual(await profile(srv, user.token), before);
    });
  }

  await t.test('access_token query parameter works like the header', async () => {
    const ok = await api(srv, 'GET', `/api/v1/accounts/verify_credentials?access_token=${encodeURIComponent(user.token)}`);
    assert.equal(ok.status, 200, show(ok));
    const bad = await api(srv, 'GET', '/api/v1/accounts/verify_credentials?access_token=garbage');
    assertJsonError(bad, 401);
  });

  await t.test('revoked token', async () => {
    const second = await createUserToken(srv, { app: user.app });
    const rev = await api(srv, 'POST', '/oauth/revoke', {
      form: { client_id: user.app.client_id, client_secret: user.app.client_secret, token: second.token },
    });
    assert.equal(rev.status, 200, show(rev));
    const res = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: second.token });
    assertJsonError(res, 401);
    const upd = await api(srv, 'PATCH', '/api/v1/accounts/update_credentials', { token: second.token, json: { display_name: 'Ghost' } });
    assertJsonError(upd, 401);
    const stillMine = await profile(srv, user.token);
    assert.deepEqual(stillMine, before, 'the other user\'s token still works and nothing changed');
    const pub = await api(srv, 'GET', `/api/v1/accounts/${second.account.id}`);
    assert.equal(pub.body.display_name, '', 'revoked token changed nothing');
  });
}));

test('a token without the needed scope is 403; an app token on a user endpoint is refused', withLogs(async (t, start) => {
  const srv = await start({ args: ['--password-grant', 'on'] });
  const { user, before } = await setUp(srv);
  const grant = async (scope) => {
    const res = await api(srv, 'POST', '/oauth/token', {
      form: {
        grant_type: 'password', client_id: user.app.client_id, client_secret: user.app.client_secret,
        username: user.email, password: user.password, scope,
      },
    });
    assert.equal(res.status, 200, show(res));
    return res.body.access_token;
  };
  const readOnly = await grant('read');
  const writeOnly = await grant('write');
  const readStatuses = await grant('read:statuses');
  const readAccounts = await grant('read:accounts');
  const writeAccounts = await grant('write:accounts');

  const upd = await api(srv, 'PATCH', '/api/v1/accounts/update_credentials', { token: readOnly, json: { display_name: 'Nope' } });
  assertJsonError(upd, 403, 'This action is outside the authorized scopes');
  assert.deepEqual(await profile(srv, user.token), before);

  const vc = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: writeOnly });
  assertJsonError(vc, 403, 'This action is outside the authorized scopes');

  const vc2 = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: readStatuses });
  assertJsonError(vc2, 403, 'This action is outside the authorized scopes');

  const vc3 = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: readAccounts });
  assert.equal(vc3.status, 200, show(vc3));

  const upd2 = await api(srv, 'PATCH', '/api/v1/accounts/update_credentials', { token: writeAccounts, json: { display_name: 'Granular' } });
  assert.equal(upd2.status, 200, show(upd2));
  assert.equal(upd2.body.display_name, 'Granular');

  // An app token (no user) on a user endpoint: Mastodon answers 422 "This method requires an authenticated user".
  const at = await appToken(srv, user.app, 'read write');
  const appOnMe = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: at });
  assertJsonError(appOnMe, 422, 'This method requires an authenticated user');
}));

test('unknown API routes are JSON 404s', withLogs(async (t, start) => {
  const srv = await start();
  for (const path of ['/api/v1/nope', '/api/v1/accounts/1/nonsense', '/api/v9/instance']) {
    await t.test(path, async () => {
      const res = await api(srv, 'GET', path);
      assertJsonError(res, 404);
    });
  }
}));
