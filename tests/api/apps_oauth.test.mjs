// App registration and OAuth 2: apps, client_credentials, the HTML authorize
// flow with PKCE, OOB, deny, password grant, scopes, revoke, server metadata.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  withLogs, api, show, registerApp, appToken, createUserToken, pkcePair,
  authorizeViaForm, parseForm, elementTextById,
} from './lib/server.mjs';

const OOB = 'urn:ietf:wg:oauth:2.0:oob';
const CALLBACK = 'https://app.example/callback';

function assertJsonError(res, status, error) {
  assert.equal(res.status, status, show(res));
  assert.match(res.contentType, /^application\/json/, show(res));
  assert.equal(typeof res.body?.error, 'string', show(res));
  if (error !== undefined) assert.equal(res.body.error, error, show(res));
}

function assertToken(body, scope) {
  assert.equal(typeof body.access_token, 'string');
  assert.ok(body.access_token.length >= 20, 'token long enough');
  // RFC 7230 token characters only (the token travels in Sec-WebSocket-Protocol)
  assert.match(body.access_token, /^[A-Za-z0-9\-_.~!#$%&'*^`|]+$/);
  assert.equal(body.token_type, 'Bearer');
  assert.equal(typeof body.scope, 'string');
  if (scope !== undefined) assert.deepEqual(body.scope.split(' ').sort(), scope.split(' ').sort());
  assert.ok(Number.isInteger(body.created_at), 'created_at is an integer');
  const now = Date.now() / 1000;
  assert.ok(Math.abs(body.created_at - now) < 600, `created_at ${body.created_at} is unix seconds near now`);
}

async function exchangeCode(srv, app, { code, redirect_uri, verifier, json = false }) {
  const params = {
    grant_type: 'authorization_code',
    code,
    client_id: app.client_id,
    client_secret: app.client_secret,
    redirect_uri,
  };
  if (verifier !== undefined) params.code_verifier = verifier;
  return json ? api(srv, 'POST', '/oauth/token', { json: params }) : api(srv, 'POST', '/oauth/token', { form: params });
}

// Runs the browser flow to the redirect and returns the code.
async function getCode(srv, app, user, { redirect_uri = CALLBACK, scope = 'read write', state = 'st4te', challenge } = {}) {
  const { res } = await authorizeViaForm(srv, {
    app, redirect_uri, scope, state, challenge, username: user.username, password: user.password,
  });
  assert.equal(res.status, 302, show(res));
  const loc = new URL(res.headers.get('location'));
  return loc.searchParams.get('code');
}

test('POST /api/v1/apps returns a CredentialApplication with deprecated redirect_uri', withLogs(async (t, start) => {
  const srv = await start();
  const res = await api(srv, 'POST', '/api/v1/apps', {
    json: { client_name: 'Test Application', redirect_uris: OOB, scopes: 'read write push', website: 'https://app.example' },
  });
  assert.equal(res.status, 200, show(res));
  assert.match(res.contentType, /^application\/json/);
  const a = res.body;
  assert.equal(typeof a.id, 'string');
  assert.equal(a.name, 'Test Application');
  assert.equal(a.website, 'https://app.example');
  assert.deepEqual(a.scopes, ['read', 'write', 'push']);
  assert.equal(a.redirect_uri, OOB);
  assert.deepEqual(a.redirect_uris, [OOB]);
  assert.equal(typeof a.client_id, 'string');
  assert.ok(a.client_id.length > 0);
  assert.equal(typeof a.client_secret, 'string');
  assert.ok(a.client_secret.length > 0);
  assert.notEqual(a.client_id, a.client_secret);
  assert.equal(a.client_secret_expires_at, 0);

  // A second app gets different credentials.
  const b = await registerApp(srv);
  assert.notEqual(b.client_id, a.client_id);
  assert.notEqual(b.client_secret, a.client_secret);
  assert.notEqual(b.id, a.id);
}));

test('POST /api/v1/apps: scopes default to read, website null, several redirect URIs, urlencoded body', withLogs(async (t, start) => {
  const srv = await start();
  const res = await api(srv, 'POST', '/api/v1/apps', { json: { client_name: 'defaults', redirect_uris: OOB } });
  assert.equal(res.status, 200, show(res));
  assert.deepEqual(res.body.scopes, ['read']);
  assert.equal(res.body.website, null);

  const multi = await api(srv, 'POST', '/api/v1/apps', {
    json: { client_name: 'multi', redirect_uris: [CALLBACK, OOB], scopes: 'read' },
  });
  assert.equal(multi.status, 200, show(multi));
  assert.deepEqual(multi.body.redirect_uris, [CALLBACK, OOB]);
  assert.equal(typeof multi.body.redirect_uri, 'string');
  assert.ok(multi.body.redirect_uri.includes(CALLBACK), show(multi));

  const form = new URLSearchParams({ client_name: 'formapp', redirect_uris: CALLBACK, scopes: 'read write' });
  const viaForm = await api(srv, 'POST', '/api/v1/apps', { form });
  assert.equal(viaForm.status, 200, show(viaForm));
  assert.equal(viaForm.body.name, 'formapp');
  assert.deepEqual(viaForm.body.scopes, ['read', 'write']);
  assert.deepEqual(viaForm.body.redirect_uris, [CALLBACK]);
}));

test('POST /api/v1/apps rejects a missing name, a relative redirect URI and unknown scopes with 422', withLogs(async (t, start) => {
  const srv = await start();
  const cases = {
    'missing client_name': { redirect_uris: OOB },
    'relative redirect URI': { client_name: 'x', redirect_uris: '/callback' },
    'missing redirect_uris': { client_name: 'x' },
    'unknown scope': { client_name: 'x', redirect_uris: OOB, scopes: 'read fly' },
  };
  for (const [name, json] of Object.entries(cases)) {
    await t.test(name, async () => {
      const res = await api(srv, 'POST', '/api/v1/apps', { json });
      assertJsonError(res, 422);
    });
  }
}));

test('GET /api/v1/apps/verify_credentials with app and user tokens; 401 without', withLogs(async (t, start) => {
  const srv = await start();
  const app = await registerApp(srv, { client_name: 'Verifier', website: 'https://v.example' });
  const at = await appToken(srv, app, 'read');
  const res = await api(srv, 'GET', '/api/v1/apps/verify_credentials', { token: at });
  assert.equal(res.status, 200, show(res));
  assert.equal(res.body.name, 'Verifier');
  assert.equal(res.body.website, 'https://v.example');
  assert.ok(Array.isArray(res.body.scopes));
  assert.ok(!('client_secret' in res.body), 'verify_credentials must not leak the client secret');

  const user = await createUserToken(srv, { app });
  const viaUser = await api(srv, 'GET', '/api/v1/apps/verify_credentials', { token: user.token });
  assert.equal(viaUser.status, 200, show(viaUser));
  assert.equal(viaUser.body.name, 'Verifier');

  const none = await api(srv, 'GET', '/api/v1/apps/verify_credentials');
  assertJsonError(none, 401);
}));

test('client_credentials grant: JSON and form bodies, HTTP Basic auth, default scope read, bad secret 401', withLogs(async (t, start) => {
  const srv = await start();
  const app = await registerApp(srv, { scopes: 'read write follow push' });

  const viaJson = await api(srv, 'POST', '/oauth/token', {
    json: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret, scope: 'read write' },
  });
  assert.equal(viaJson.status, 200, show(viaJson));
  assert.match(viaJson.contentType, /^application\/json/);
  assertToken(viaJson.body, 'read write');

  const viaForm = await api(srv, 'POST', '/oauth/token', {
    form: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret },
  });
  assert.equal(viaForm.status, 200, show(viaForm));
  assertToken(viaForm.body, 'read');
  assert.notEqual(viaForm.body.access_token, viaJson.body.access_token);

  const basic = Buffer.from(`${encodeURIComponent(app.client_id)}:${encodeURIComponent(app.client_secret)}`).toString('base64');
  const viaBasic = await api(srv, 'POST', '/oauth/token', {
    headers: { authorization: `Basic ${basic}` },
    form: { grant_type: 'client_credentials', scope: 'read' },
  });
  assert.equal(viaBasic.status, 200, show(viaBasic));
  assertToken(viaBasic.body, 'read');

  const bad = await api(srv, 'POST', '/oauth/token', {
    form: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: 'wrong' },
  });
  assertJsonError(bad, 401, 'invalid_client');
  assert.equal(typeof bad.body.error_description, 'string');

  const unknown = await api(srv, 'POST', '/oauth/token', {
    form: { grant_type: 'client_credentials', client_id: 'nope', client_secret: 'nope' },
  });
  assertJsonError(unknown, 401, 'invalid_client');

  // The app token works on app endpoints.
  const v = await api(srv, 'GET', '/api/v1/apps/verify_credentials', { token: viaJson.body.access_token });
  assert.equal(v.status, 200, show(v));
}));

test('authorization_code flow through the HTML form with PKCE S256', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const app = await registerApp(srv, { redirect_uris: CALLBACK, scopes: 'read write follow' });
  const { verifier, challenge } = pkcePair();

  const q = new URLSearchParams({
    response_type: 'code', client_id: app.client_id, redirect_uri: CALLBACK,
    scope: 'read write', state: 'xyz 123', code_challenge: challenge, code_challenge_method: 'S256',
  });
  const page = await api(srv, 'GET', `/oauth/authorize?${q}`);
  assert.equal(page.status, 200, show(page));
  assert.match(page.contentType, /^text\/html/);
  const form = parseForm(page.text);
  assert.ok(form, 'the page has a form');
  assert.equal(form.method, 'post');
  assert.equal(form.action, '/oauth/authorize');
  const hidden = Object.fromEntries(form.inputs.filter((i) => i.type === 'hidden').map((i) => [i.name, i.value]));
  assert.equal(hidden.client_id, app.client_id);
  assert.equal(hidden.redirect_uri, CALLBACK);
  assert.equal(hidden.scope, 'read write');
  assert.equal(hidden.state, 'xyz 123');
  assert.equal(hidden.code_challenge, challenge);
  assert.equal(hidden.code_challenge_method, 'S256');
  assert.equal(hidden.response_type, 'code');
  assert.ok(form.inputs.some((i) => i.name === 'username' && (i.type ?? 'text') === 'text'), 'username input');
  assert.ok(form.inputs.some((i) => i.name === 'password' && i.type === 'password'), 'password input');
  assert.ok(form.buttons.some((b) => b.name === 'decision' && b.value === 'approve'), 'approve button');
  assert.ok(form.buttons.some((b) => b.name === 'decision' && b.value === 'deny'), 'deny button');

  const body = new URLSearchParams(hidden);
  body.set('username', user.username);
  body.set('password', user.password);
  body.set('decision', 'approve');
  const post = await api(srv, 'POST', '/oauth/authorize', { form: body });
  assert.equal(post.status, 302, show(post));
  const loc = new URL(post.headers.get('location'));
  assert.equal(`${loc.origin}${loc.pathname}`, CALLBACK);
  assert.equal(loc.searchParams.get('state'), 'xyz 123');
  const code = loc.searchParams.get('code');
  assert.ok(code, 'redirect carries a code');

  const tok = await exchangeCode(srv, app, { code, redirect_uri: CALLBACK, verifier });
  assert.equal(tok.status, 200, show(tok));
  assertToken(tok.body, 'read write');

  const me = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: tok.body.access_token });
  assert.equal(me.status, 200, show(me));
  assert.equal(me.body.username, user.username);
  assert.equal(me.body.id, user.account.id);
}));

test('authorization_code: logging in with the e-mail address works and JSON token requests are accepted', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const app = await registerApp(srv, { redirect_uris: CALLBACK, scopes: 'read' });
  const { verifier, challenge } = pkcePair();
  const { res } = await authorizeViaForm(srv, {
    app, redirect_uri: CALLBACK, scope: 'read', challenge, username: user.email, password: user.password,
  });
  assert.equal(res.status, 302, show(res));
  const code = new URL(res.headers.get('location')).searchParams.get('code');
  const tok = await exchangeCode(srv, app, { code, redirect_uri: CALLBACK, verifier, json: true });
  assert.equal(tok.status, 200, show(tok));
  assertToken(tok.body, 'read');
}));

test('authorization_code: wrong PKCE verifier is invalid_grant', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const app = await registerApp(srv, { redirect_uris: CALLBACK });
  const { challenge } = pkcePair();
  const code = await getCode(srv, app, user, { challenge });
  const wrong = await exchangeCode(srv, app, { code, redirect_uri: CALLBACK, verifier: pkcePair().verifier });
  assertJsonError(wrong, 400, 'invalid_grant');
  assert.equal(typeof wrong.body.error_description, 'string');

  // A PKCE code without any verifier fails too.
  const code2 = await getCode(srv, app, user, { challenge });
  const missing = await exchangeCode(srv, app, { code: code2, redirect_uri: CALLBACK });
  assert.equal(missing.status, 400, show(missing));
  assert.ok(['invalid_grant', 'invalid_request'].includes(missing.body?.error), show(missing));
}));

test('authorization_code: a code works once; reuse is invalid_grant', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const app = await registerApp(srv, { redirect_uris: CALLBACK });
  const { verifier, challenge } = pkcePair();
  const code = await getCode(srv, app, user, { challenge });
  const first = await exchangeCode(srv, app, { code, redirect_uri: CALLBACK, verifier });
  assert.equal(first.status, 200, show(first));
  const again = await exchangeCode(srv, app, { code, redirect_uri: CALLBACK, verifier });
  assertJsonError(again, 400, 'invalid_grant');
  // A made-up code is refused as well.
  const bogus = await exchangeCode(srv, app, { code: 'not-a-code', redirect_uri: CALLBACK, verifier });
  assertJsonError(bogus, 400, 'invalid_grant');
}));

test('authorization_code: redirect_uri mismatch at the token endpoint is 400; unregistered redirect_uri is refused at authorize', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const app = await registerApp(srv, { redirect_uris: [CALLBACK, OOB] });
  const { verifier, challenge } = pkcePair();
  const code = await getCode(srv, app, user, { challenge });
  const mismatch = await exchangeCode(srv, app, { code, redirect_uri: OOB, verifier });
  assertJsonError(mismatch, 400, 'invalid_grant');

  // The other app's code cannot be redeemed by a different client.
  const other = await registerApp(srv, { redirect_uris: CALLBACK });
  const code2 = await getCode(srv, app, user, { challenge });
  const wrongClient = await exchangeCode(srv, other, { code: code2, redirect_uri: CALLBACK, verifier });
  assert.equal(wrongClient.status, 400, show(wrongClient));
  assert.equal(wrongClient.body?.error, 'invalid_grant', show(wrongClient));

  const q = new URLSearchParams({ response_type: 'code', client_id: app.client_id, redirect_uri: 'https://evil.example/cb', scope: 'read' });
  const page = await api(srv, 'GET', `/oauth/authorize?${q}`);
  assert.equal(page.status, 400, show(page));
  assert.equal(page.headers.get('location'), null, 'never redirects to an unregistered URI');

  // Tampering with the hidden redirect_uri on POST is refused too, and never redirects there.
  const body = new URLSearchParams({
    response_type: 'code', client_id: app.client_id, redirect_uri: 'https://evil.example/cb', scope: 'read',
    username: user.username, password: user.password, decision: 'approve',
  });
  const post = await api(srv, 'POST', '/oauth/authorize', { form: body });
  assert.equal(post.status, 400, show(post));
  assert.ok(!(post.headers.get('location') || '').startsWith('https://evil.example'), 'no redirect to the unregistered URI');

  const unknownClient = await api(srv, 'GET', `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'nope', redirect_uri: OOB })}`);
  assert.ok([400, 401].includes(unknownClient.status), show(unknownClient));
}));

test('authorization_code: OOB shows the code on the page and it exchanges for a token', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const app = await registerApp(srv, { redirect_uris: OOB, scopes: 'read write' });
  const { verifier, challenge } = pkcePair();
  const { res } = await authorizeViaForm(srv, {
    app, redirect_uri: OOB, scope: 'read', challenge, username: user.username, password: user.password,
  });
  assert.equal(res.status, 200, show(res));
  assert.match(res.contentType, /^text\/html/);
  const code = elementTextById(res.text, 'authorization-code');
  assert.ok(code, `page shows the code in #authorization-code:\n${res.text.slice(0, 2000)}`);
  const tok = await exchangeCode(srv, app, { code, redirect_uri: OOB, verifier });
  assert.equal(tok.status, 200, show(tok));
  assertToken(tok.body, 'read');
}));

test('authorization_code without PKCE still works (confidential client)', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const app = await registerApp(srv, { redirect_uris: CALLBACK });
  const code = await getCode(srv, app, user, { scope: 'read' });
  const tok = await exchangeCode(srv, app, { code, redirect_uri: CALLBACK });
  assert.equal(tok.status, 200, show(tok));
  assertToken(tok.body, 'read');
}));

test('authorize: deny redirects with error=access_denied and no code', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const app = await registerApp(srv, { redirect_uris: CALLBACK });
  const { res } = await authorizeViaForm(srv, {
    app, redirect_uri: CALLBACK, scope: 'read', state: 'keep-me', username: user.username, password: user.password, decision: 'deny',
  });
  assert.equal(res.status, 302, show(res));
  const loc = new URL(res.headers.get('location'));
  assert.equal(`${loc.origin}${loc.pathname}`, CALLBACK);
  assert.equal(loc.searchParams.get('error'), 'access_denied');
  assert.equal(loc.searchParams.get('state'), 'keep-me');
  assert.equal(loc.searchParams.get('code'), null);
}));

test('authorize: wrong password shows the form again with an error and issues no code', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const app = await registerApp(srv, { redirect_uris: CALLBACK });
  for (const username of [user.username, 'nobody-here']) {
    const { res } = await authorizeViaForm(srv, {
      app, redirect_uri: CALLBACK, scope: 'read', username, password: 'wrong password',
    });
    assert.ok([200, 401].includes(res.status), show(res));
    assert.match(res.contentType, /^text\/html/);
    assert.equal(res.headers.get('location'), null);
    assert.ok(parseForm(res.text), 'the form is shown again');
    assert.match(res.text.replace(/<style[\s\S]*?<\/style>/gi, ''), /invalid|incorrect|wrong|not match|error/i, 'the page says what went wrong');
    assert.equal(elementTextById(res.text, 'authorization-code'), null, 'no code on the page');
    assert.ok(!/[?&]code=/.test(res.text), 'no code in the page');
  }
}));

test('password grant is off by default: unsupported_grant_type', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const res = await api(srv, 'POST', '/oauth/token', {
    form: {
      grant_type: 'password', client_id: user.app.client_id, client_secret: user.app.client_secret,
      username: user.email, password: user.password, scope: 'read',
    },
  });
  assertJsonError(res, 400, 'unsupported_grant_type');
  assert.equal(typeof res.body.error_description, 'string');

  const meta = await api(srv, 'GET', '/.well-known/oauth-authorization-server');
  assert.ok(!meta.body.grant_types_supported.includes('password'), 'metadata does not advertise the password grant');
}));

test('password grant with --password-grant on: e-mail as username, bad password invalid_grant', withLogs(async (t, start) => {
  const srv = await start({ args: ['--password-grant', 'on'] });
  const user = await createUserToken(srv);
  const ok = await api(srv, 'POST', '/oauth/token', {
    json: {
      grant_type: 'password', client_id: user.app.client_id, client_secret: user.app.client_secret,
      username: user.email, password: user.password, scope: 'read write',
    },
  });
  assert.equal(ok.status, 200, show(ok));
  assertToken(ok.body, 'read write');
  const me = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: ok.body.access_token });
  assert.equal(me.status, 200, show(me));
  assert.equal(me.body.username, user.username);

  const bad = await api(srv, 'POST', '/oauth/token', {
    form: {
      grant_type: 'password', client_id: user.app.client_id, client_secret: user.app.client_secret,
      username: user.email, password: 'not it', scope: 'read',
    },
  });
  assertJsonError(bad, 400, 'invalid_grant');
  const noToken = bad.body.access_token;
  assert.equal(noToken, undefined);

  const meta = await api(srv, 'GET', '/.well-known/oauth-authorization-server');
  assert.ok(meta.body.grant_types_supported.includes('password'), 'metadata advertises the password grant when on');

  // The env var does the same as the flag.
  const viaEnv = await start({ env: { CHIRP_PASSWORD_GRANT: 'on' } });
  const u2 = await createUserToken(viaEnv);
  const ok2 = await api(viaEnv, 'POST', '/oauth/token', {
    form: {
      grant_type: 'password', client_id: u2.app.client_id, client_secret: u2.app.client_secret,
      username: u2.email, password: u2.password,
    },
  });
  assert.equal(ok2.status, 200, show(ok2));
}));

test('scopes beyond the app\'s are invalid_scope', withLogs(async (t, start) => {
  const srv = await start({ args: ['--password-grant', 'on'] });
  const app = await registerApp(srv, { redirect_uris: CALLBACK, scopes: 'read' });
  const cc = await api(srv, 'POST', '/oauth/token', {
    form: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret, scope: 'read write' },
  });
  assertJsonError(cc, 400, 'invalid_scope');
  assert.equal(typeof cc.body.error_description, 'string');

  const unknownScope = await api(srv, 'POST', '/oauth/token', {
    form: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret, scope: 'read bogus' },
  });
  assertJsonError(unknownScope, 400, 'invalid_scope');

  // A granular scope under an app's top-level scope is allowed.
  const granular = await api(srv, 'POST', '/oauth/token', {
    form: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret, scope: 'read:accounts' },
  });
  assert.equal(granular.status, 200, show(granular));
  assertToken(granular.body, 'read:accounts');

  const user = await createUserToken(srv);
  const pw = await api(srv, 'POST', '/oauth/token', {
    form: {
      grant_type: 'password', client_id: app.client_id, client_secret: app.client_secret,
      username: user.email, password: user.password, scope: 'read write',
    },
  });
  assertJsonError(pw, 400, 'invalid_scope');

  // At the authorize endpoint: an error (400 page, or a redirect carrying error=invalid_scope), never a consent form.
  const q = new URLSearchParams({ response_type: 'code', client_id: app.client_id, redirect_uri: CALLBACK, scope: 'read write' });
  const page = await api(srv, 'GET', `/oauth/authorize?${q}`);
  if (page.status === 302) {
    assert.equal(new URL(page.headers.get('location')).searchParams.get('error'), 'invalid_scope', show(page));
  } else {
    assert.equal(page.status, 400, show(page));
    assert.ok(page.text.includes('invalid_scope'), show(page));
  }
}));

test('POST /oauth/revoke: the token is rejected with 401 afterwards; revoke is idempotent', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const before = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token });
  assert.equal(before.status, 200, show(before));

  const rev = await api(srv, 'POST', '/oauth/revoke', {
    form: { client_id: user.app.client_id, client_secret: user.app.client_secret, token: user.token },
  });
  assert.equal(rev.status, 200, show(rev));
  assert.match(rev.contentType, /^application\/json/);
  assert.deepEqual(rev.body, {});

  const after = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token });
  assertJsonError(after, 401);

  const again = await api(srv, 'POST', '/oauth/revoke', {
    json: { client_id: user.app.client_id, client_secret: user.app.client_secret, token: user.token },
  });
  assert.equal(again.status, 200, show(again));
  assert.deepEqual(again.body, {});

  // Another app cannot revoke this app's tokens (Doorkeeper: 403 unauthorized_client).
  await t.test('another app cannot revoke the token', async () => {
    const second = await appToken(srv, user.app, 'read');
    const intruder = await registerApp(srv);
    const denied = await api(srv, 'POST', '/oauth/revoke', {
      form: { client_id: intruder.client_id, client_secret: intruder.client_secret, token: second },
    });
    const stillOk = await api(srv, 'GET', '/api/v1/apps/verify_credentials', { token: second });
    assert.equal(stillOk.status, 200, `token must survive another app's revoke attempt: ${show(stillOk)}`);
    assert.equal(denied.status, 403, show(denied));
    assert.equal(denied.body?.error, 'unauthorized_client', show(denied));
  });
}));

test('GET /.well-known/oauth-authorization-server describes the endpoints', withLogs(async (t, start) => {
  const srv = await start();
  const res = await api(srv, 'GET', '/.well-known/oauth-authorization-server');
  assert.equal(res.status, 200, show(res));
  assert.match(res.contentType, /^application\/json/);
  const m = res.body;
  assert.equal(m.issuer.replace(/\/$/, ''), srv.url);
  assert.equal(m.authorization_endpoint, `${srv.url}/oauth/authorize`);
  assert.equal(m.token_endpoint, `${srv.url}/oauth/token`);
  assert.equal(m.revocation_endpoint, `${srv.url}/oauth/revoke`);
  assert.equal(m.app_registration_endpoint, `${srv.url}/api/v1/apps`);
  for (const s of ['read', 'write', 'follow', 'push', 'read:accounts', 'write:accounts']) {
    assert.ok(m.scopes_supported.includes(s), `scopes_supported has ${s}`);
  }
  assert.deepEqual(m.response_types_supported, ['code']);
  assert.ok(m.grant_types_supported.includes('authorization_code'));
  assert.ok(m.grant_types_supported.includes('client_credentials'));
  assert.ok(m.code_challenge_methods_supported.includes('S256'));
  assert.ok(Array.isArray(m.token_endpoint_auth_methods_supported));
  assert.ok(m.token_endpoint_auth_methods_supported.includes('client_secret_basic'));
  assert.ok(m.token_endpoint_auth_methods_supported.includes('client_secret_post'));
}));

test('authorize refuses response types other than code', withLogs(async (t, start) => {
  const srv = await start();
  const app = await registerApp(srv, { redirect_uris: CALLBACK });
  const q = new URLSearchParams({ response_type: 'token', client_id: app.client_id, redirect_uri: CALLBACK, scope: 'read' });
  const page = await api(srv, 'GET', `/oauth/authorize?${q}`);
  if (page.status === 302) {
    const loc = new URL(page.headers.get('location'));
    assert.equal(loc.searchParams.get('error'), 'unsupported_response_type', show(page));
    assert.equal(loc.searchParams.get('access_token'), null);
    assert.ok(!loc.hash.includes('access_token'), 'no implicit-grant token');
  } else {
    assert.equal(page.status, 400, show(page));
    assert.equal(parseForm(page.text)?.inputs.some((i) => i.name === 'password') ?? false, false, 'no login form for an unsupported response type');
  }
}));

test('unsupported grant types and a missing grant_type are 400 JSON errors', withLogs(async (t, start) => {
  const srv = await start();
  const app = await registerApp(srv);
  const weird = await api(srv, 'POST', '/oauth/token', {
    form: { grant_type: 'telepathy', client_id: app.client_id, client_secret: app.client_secret },
  });
  assertJsonError(weird, 400, 'unsupported_grant_type');
  const none = await api(srv, 'POST', '/oauth/token', {
    form: { client_id: app.client_id, client_secret: app.client_secret },
  });
  assert.equal(none.status, 400, show(none));
  assert.ok(['invalid_request', 'unsupported_grant_type'].includes(none.body?.error), show(none));
}));
