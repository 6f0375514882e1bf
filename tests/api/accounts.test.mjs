// Accounts: registration (success and every 422), closed registrations,
// verify_credentials, update_credentials in three encodings, lookup, search, GET by id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  withLogs, api, show, registerApp, appToken, createUserToken, uniq, MANY_SIGNUPS, pollUntil,
} from './lib/server.mjs';
import {
  assertAccount, assertCredentialAccount, assertJsonError, detailCodes,
} from './lib/entities.mjs';

async function signUp(srv, token, json) {
  return api(srv, 'POST', '/api/v1/accounts', { token, json });
}

async function lookup(srv, acct) {
  return api(srv, 'GET', `/api/v1/accounts/lookup?acct=${encodeURIComponent(acct)}`);
}

test('registration returns a Token whose user can use the API', withLogs(async (t, start) => {
  const srv = await start();
  const app = await registerApp(srv, { scopes: 'read write follow push' });
  const at = await appToken(srv, app);
  const username = uniq('reg');
  const res = await signUp(srv, at, {
    username, email: `${username}@example.com`, password: 'a good password', agreement: true, locale: 'en',
  });
  assert.equal(res.status, 200, show(res));
  assert.match(res.contentType, /^application\/json/);
  assert.equal(typeof res.body.access_token, 'string');
  assert.equal(res.body.token_type, 'Bearer');
  assert.equal(typeof res.body.scope, 'string');
  assert.ok(Number.isInteger(res.body.created_at));
  assert.notEqual(res.body.access_token, at, 'a new token for the user');

  const me = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: res.body.access_token });
  assert.equal(me.status, 200, show(me));
  assertCredentialAccount(me.body, { username });
  assert.equal(me.body.locked, false);
  assert.equal(me.body.bot, false);
  assert.equal(me.body.statuses_count, 0);

  const found = await lookup(srv, username);
  assert.equal(found.status, 200, show(found));
  assert.equal(found.body.id, me.body.id);
}));

test('registration accepts multipart (masto.js) and urlencoded bodies', withLogs(async (t, start) => {
  const srv = await start({ args: MANY_SIGNUPS });
  const app = await registerApp(srv);
  const at = await appToken(srv, app);
  const u1 = uniq('mp');
  const multi = await api(srv, 'POST', '/api/v1/accounts', {
    token: at,
    multipart: { username: u1, email: `${u1}@example.com`, password: 'a good password', agreement: 'true', locale: 'en' },
  });
  assert.equal(multi.status, 200, show(multi));
  assert.equal(typeof multi.body.access_token, 'string');

  const u2 = uniq('ue');
  const form = await api(srv, 'POST', '/api/v1/accounts', {
    token: at,
    form: { username: u2, email: `${u2}@example.com`, password: 'a good password', agreement: '1', locale: 'en' },
  });
  assert.equal(form.status, 200, show(form));
  assert.equal(typeof form.body.access_token, 'string');
  for (const u of [u1, u2]) {
    const r = await lookup(srv, u);
    assert.equal(r.status, 200, show(r));
  }
}));

test('registration with an empty form: exact 422 details (masto.js)', withLogs(async (t, start) => {
  const srv = await start();
  const app = await registerApp(srv);
  const at = await appToken(srv, app);
  const res = await signUp(srv, at, { username: '', email: '', password: '', agreement: false, locale: 'hello' });
  assertJsonError(res, 422);
  assert.match(res.body.error, /^Validation failed/, show(res));
  assert.deepEqual(detailCodes(res.body), {
    agreement: ['ERR_ACCEPTED'],
    email: ['ERR_BLANK', 'ERR_INVALID'],
    password: ['ERR_BLANK'],
    username: ['ERR_BLANK'],
  });
  for (const list of Object.values(res.body.details)) {
    for (const e of list) {
      assert.equal(typeof e.description, 'string');
      const expected = { ERR_BLANK: "can't be blank", ERR_ACCEPTED: 'must be accepted', ERR_INVALID: 'is invalid' }[e.error];
      assert.equal(e.description, expected, show(res));
    }
  }
  const inst = await api(srv, 'GET', '/api/v1/instance');
  assert.equal(inst.body.stats.user_count, 0, 'no account was created');
}));

test('registration 422 cases: duplicates, bad username, short password, bad e-mail, no agreement', withLogs(async (t, start) => {
  const srv = await start({ args: MANY_SIGNUPS });
  const app = await registerApp(srv);
  const at = await appToken(srv, app);
  const base = uniq('dup');
  const ok = await signUp(srv, at, {
    username: base, email: `${base}@example.com`, password: 'a good password', agreement: true, locale: 'en',
  });
  assert.equal(ok.status, 200, show(ok));
  const userCount = async () => (await api(srv, 'GET', '/api/v1/instance')).body.stats.user_count;
  assert.equal(await userCount(), 1);

  const good = () => {
    const u = uniq('ok');
    return { username: u, email: `${u}@example.com`, password: 'a good password', agreement: true, locale: 'en' };
  };
  const cases = [
    ['duplicate username, same case', { username: base }, 'username', ['ERR_TAKEN']],
    ['duplicate username, other case', { username: base.toUpperCase() }, 'username', ['ERR_TAKEN']],
    ['duplicate e-mail', { email: `${base}@example.com` }, 'email', ['ERR_TAKEN']],
    ['duplicate e-mail, other case', { email: `${base.toUpperCase()}@EXAMPLE.COM` }, 'email', ['ERR_TAKEN']],
    ['username with a space and punctuation', { username: 'bad name!' }, 'username', ['ERR_INVALID']],
    ['username with a dash', { username: 'bad-name' }, 'username', ['ERR_INVALID']],
    ['username longer than 30', { username: 'a'.repeat(31) }, 'username', ['ERR_TOO_LONG']],
    ['password shorter than 8', { password: 'short' }, 'password', ['ERR_TOO_SHORT']],
    ['e-mail without @', { email: 'not-an-email' }, 'email', ['ERR_INVALID']],
    ['agreement false', { agreement: false }, 'agreement', ['ERR_ACCEPTED']],
    ['agreement missing', { agreement: undefined }, 'agreement', ['ERR_ACCEPTED']],
  ];
  for (const [name, patch, field, codes] of cases) {
    await t.test(name, async () => {
      const body = { ...good(), ...patch };
      for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
      const res = await signUp(srv, at, body);
      assertJsonError(res, 422);
      assert.match(res.body.error, /^Validation failed/, show(res));
      assert.deepEqual(detailCodes(res.body), { [field]: codes }, show(res));
      for (const e of res.body.details[field]) assert.equal(typeof e.description, 'string');
      // nothing was created
      const r = await lookup(srv, body.username);
      if (field !== 'username') assert.equal(r.status, 404, `no account ${body.username}: ${show(r)}`);
    });
  }
  assert.equal(await userCount(), 1, 'only the first account exists');
}));

test('registration needs a token with write:accounts', withLogs(async (t, start) => {
  const srv = await start({ args: MANY_SIGNUPS });
  const app = await registerApp(srv, { scopes: 'read write' });
  const body = () => {
    const u = uniq('auth');
    return { username: u, email: `${u}@example.com`, password: 'a good password', agreement: true, locale: 'en' };
  };
  const none = await signUp(srv, undefined, body());
  assertJsonError(none, 401);
  const readOnly = await appToken(srv, app, 'read');
  const wrongScope = await signUp(srv, readOnly, body());
  assertJsonError(wrongScope, 403, 'This action is outside the authorized scopes');
  const granular = await appToken(srv, app, 'write:accounts');
  const ok = await signUp(srv, granular, body());
  assert.equal(ok.status, 200, show(ok));
  const inst = await api(srv, 'GET', '/api/v1/instance');
  assert.equal(inst.body.stats.user_count, 1);
}));

test('closed registrations answer 403 and create nothing', withLogs(async (t, start) => {
  const srv = await start({ args: ['--registrations', 'closed'] });
  const app = await registerApp(srv);
  const at = await appToken(srv, app);
  const u = uniq('closed');
  const res = await signUp(srv, at, {
    username: u, email: `${u}@example.com`, password: 'a good password', agreement: true, locale: 'en',
  });
  assertJsonError(res, 403);
  const r = await lookup(srv, u);
  assert.equal(r.status, 404, show(r));

  const viaEnv = await start({ env: { CHIRP_REGISTRATIONS: 'closed' } });
  const app2 = await registerApp(viaEnv);
  const res2 = await signUp(viaEnv, await appToken(viaEnv, app2), {
    username: u, email: `${u}@example.com`, password: 'a good password', agreement: true, locale: 'en',
  });
  assertJsonError(res2, 403);
}));

test('verify_credentials returns a full CredentialAccount (source and role)', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const res = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token });
  assert.equal(res.status, 200, show(res));
  assert.match(res.contentType, /^application\/json/);
  assertCredentialAccount(res.body, { username: user.username });
  assert.equal(res.body.display_name, '');
  assert.equal(res.body.source.note, '');
  assert.deepEqual(res.body.fields, []);
  assert.deepEqual(res.body.source.fields, []);
  assert.ok(res.body.url.includes(user.username), 'profile URL names the user');
  assert.ok(!('password' in res.body) && !('email' in res.body), 'no secrets in the account');
}));

test('update_credentials with JSON changes the profile and GET shows it', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const res = await api(srv, 'PATCH', '/api/v1/accounts/update_credentials', {
    token: user.token,
    json: {
      display_name: 'Alice Example',
      note: 'Hello <script>alert(1)</script> & welcome',
      locked: true,
      bot: true,
      discoverable: false,
      fields_attributes: [{ name: 'Website', value: 'chirp' }, { name: 'Pronouns', value: 'she/her' }],
    },
  });
  assert.equal(res.status, 200, show(res));
  assertCredentialAccount(res.body, { username: user.username });
  const a = res.body;
  assert.equal(a.display_name, 'Alice Example');
  assert.equal(a.locked, true);
  assert.equal(a.bot, true);
  assert.equal(a.discoverable, false);
  assert.equal(a.source.note, 'Hello <script>alert(1)</script> & welcome', 'source.note is the plain text');
  assert.ok(!a.note.includes('<script>'), `note is HTML-escaped: ${a.note}`);
  assert.ok(a.note.includes('&lt;script&gt;'), `note escapes markup: ${a.note}`);
  assert.ok(a.note.includes('Hello'), a.note);
  assert.deepEqual(a.fields.map((f) => [f.name, f.value, f.verified_at]), [['Website', 'chirp', null], ['Pronouns', 'she/her', null]]);
  assert.deepEqual(a.source.fields.map((f) => [f.name, f.value]), [['Website', 'chirp'], ['Pronouns', 'she/her']]);

  const pub = await api(srv, 'GET', `/api/v1/accounts/${a.id}`);
  assert.equal(pub.status, 200, show(pub));
  assertAccount(pub.body, { username: user.username });
  assert.equal(pub.body.display_name, 'Alice Example');
  assert.equal(pub.body.locked, true);
  assert.equal(pub.body.bot, true);
  assert.equal(pub.body.note, a.note);
  assert.deepEqual(pub.body.fields, a.fields);
  assert.ok(!('source' in pub.body), 'the public Account has no source');

  const me = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token });
  assert.equal(me.body.display_name, 'Alice Example');
  assert.equal(me.body.source.note, 'Hello <script>alert(1)</script> & welcome');

  // A partial update leaves the other attributes alone.
  const partial = await api(srv, 'PATCH', '/api/v1/accounts/update_credentials', { token: user.token, json: { locked: false } });
  assert.equal(partial.status, 200, show(partial));
  assert.equal(partial.body.locked, false);
  assert.equal(partial.body.display_name, 'Alice Example');
  assert.equal(partial.body.bot, true);
  assert.equal(partial.body.fields.length, 2);
}));

test('update_credentials cannot change the username, acct or id', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const res = await api(srv, 'PATCH', '/api/v1/accounts/update_credentials', {
    token: user.token, json: { username: 'hijacked', acct: 'hijacked', id: '1', display_name: 'Still me' },
  });
  assert.ok([200, 422].includes(res.status), show(res));
  const me = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token });
  assert.equal(me.body.username, user.username);
  assert.equal(me.body.acct, user.username);
  assert.equal(me.body.id, user.account.id);
  const look = await lookup(srv, 'hijacked');
  assert.equal(look.status, 404, show(look));
}));

test('update_credentials with urlencoded fields_attributes[0][name] and string booleans', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const form = new URLSearchParams();
  form.set('display_name', 'Form Name');
  form.set('note', 'from a form');
  form.set('locked', 'true');
  form.set('bot', '0');
  form.set('fields_attributes[0][name]', 'One');
  form.set('fields_attributes[0][value]', '1');
  form.set('fields_attributes[1][name]', 'Two');
  form.set('fields_attributes[1][value]', '2');
  const res = await api(srv, 'PATCH', '/api/v1/accounts/update_credentials', { token: user.token, form });
  assert.equal(res.status, 200, show(res));
  assert.equal(res.body.display_name, 'Form Name');
  assert.equal(res.body.source.note, 'from a form');
  assert.equal(res.body.locked, true);
  assert.equal(res.body.bot, false);
  assert.deepEqual(res.body.fields.map((f) => [f.name, f.value]), [['One', '1'], ['Two', '2']]);

  const unlock = await api(srv, 'PATCH', '/api/v1/accounts/update_credentials', {
    token: user.token, form: { locked: 'false' },
  });
  assert.equal(unlock.status, 200, show(unlock));
  assert.equal(unlock.body.locked, false, 'the string "false" is false');
}));

test('update_credentials with multipart/form-data (masto.js encoding)', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const res = await api(srv, 'PATCH', '/api/v1/accounts/update_credentials', {
    token: user.token,
    multipart: {
      display_name: 'Multipart Ünïcødé 🐦',
      note: 'line one\nline two',
      locked: 'true',
      'fields_attributes[0][name]': 'test',
      'fields_attributes[0][value]': 'value 0.123',
    },
  });
  assert.equal(res.status, 200, show(res));
  assert.equal(res.body.display_name, 'Multipart Ünïcødé 🐦');
  // multipart encoding turns \n into \r\n on the wire (WHATWG form-data rules)
  assert.match(res.body.source.note, /^line one\r?\nline two$/);
  assert.equal(res.body.locked, true);
  assert.deepEqual(res.body.fields, [{ name: 'test', value: 'value 0.123', verified_at: null }]);
}));

test('update_credentials: display name of 30 characters is accepted, 31 is 422', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const thirty = 'ü'.repeat(30); // 30 characters, 60 bytes
  const ok = await api(srv, 'PATCH', '/api/v1/accounts/update_credentials', { token: user.token, json: { display_name: thirty } });
  assert.equal(ok.status, 200, show(ok));
  assert.equal(ok.body.display_name, thirty);
  const tooLong = await api(srv, 'PATCH', '/api/v1/accounts/update_credentials', { token: user.token, json: { display_name: 'x'.repeat(31) } });
  assertJsonError(tooLong, 422);
  const me = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: user.token });
  assert.equal(me.body.display_name, thirty, 'the rejected update changed nothing');
}));

test('lookup finds local accounts by acct; unknown is 404', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv, { username: uniq('Look') });
  const id = user.account.id;
  const exact = await lookup(srv, user.username);
  assert.equal(exact.status, 200, show(exact));
  assertAccount(exact.body, { username: user.username });
  assert.equal(exact.body.id, id);

  const other = await lookup(srv, user.username.toLowerCase());
  assert.equal(other.status, 200, `lookup is case-insensitive: ${show(other)}`);
  assert.equal(other.body.id, id);

  const at = await lookup(srv, `@${user.username}`);
  assert.equal(at.status, 200, `a leading @ is accepted: ${show(at)}`);
  assert.equal(at.body.id, id);

  const domain = (await api(srv, 'GET', '/api/v1/instance')).body.uri;
  const full = await lookup(srv, `${user.username}@${domain}`);
  assert.equal(full.status, 200, `user@local-domain resolves: ${show(full)}`);
  assert.equal(full.body.id, id);

  const missing = await lookup(srv, 'nobody_here');
  assertJsonError(missing, 404, 'Record not found');
  const noParam = await api(srv, 'GET', '/api/v1/accounts/lookup');
  assert.ok([400, 404].includes(noParam.status), show(noParam));
  assert.equal(typeof noParam.body?.error, 'string', show(noParam));
}));

test('accounts/search matches username and display-name prefixes', withLogs(async (t, start) => {
  const srv = await start({ args: MANY_SIGNUPS });
  const tag = uniq('q').toLowerCase();
  const alice = await createUserToken(srv, { username: `${tag}alice` });
  const alicia = await createUserToken(srv, { username: `${tag}alicia` });
  const bob = await createUserToken(srv, { username: `${tag}bob` });
  const set = await api(srv, 'PATCH', '/api/v1/accounts/update_credentials', {
    token: bob.token, json: { display_name: 'Zebedee Quux' },
  });
  assert.equal(set.status, 200, show(set));

  const search = (q, extra = '') => api(srv, 'GET', `/api/v1/accounts/search?q=${encodeURIComponent(q)}${extra}`, { token: alice.token });
  // The search index follows the event stream: once the last change (bob's
  // display name) is found, the accounts created before it are indexed too.
  await pollUntil(async () => (await search('Zebedee')).body?.some((a) => a.id === bob.account.id),
    { what: 'the search index to catch up' });

  const ali = await search(`${tag}ali`);
  assert.equal(ali.status, 200, show(ali));
  assert.ok(Array.isArray(ali.body));
  for (const a of ali.body) assertAccount(a);
  const ids = ali.body.map((a) => a.id).sort();
  assert.deepEqual(ids, [alice.account.id, alicia.account.id].sort(), show(ali));

  const exact = await search(`${tag}alicia`);
  assert.deepEqual(exact.body.map((a) => a.id), [alicia.account.id], show(exact));

  const upper = await search(`${tag}BOB`.toUpperCase());
  assert.deepEqual(upper.body.map((a) => a.id), [bob.account.id], `case-insensitive: ${show(upper)}`);

  const byName = await search('Zebedee');
  assert.ok(byName.body.some((a) => a.id === bob.account.id), `display name prefix: ${show(byName)}`);

  const withAt = await search(`@${tag}bob`);
  assert.ok(withAt.body.some((a) => a.id === bob.account.id), `leading @: ${show(withAt)}`);

  const nothing = await search('zzzznotthere');
  assert.equal(nothing.status, 200, show(nothing));
  assert.deepEqual(nothing.body, []);

  const limited = await search(`${tag}`, '&limit=1');
  assert.equal(limited.status, 200, show(limited));
  assert.equal(limited.body.length, 1, `limit=1: ${show(limited)}`);
}));

test('GET /api/v1/accounts/:id; unknown and malformed ids are 404 Record not found', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const res = await api(srv, 'GET', `/api/v1/accounts/${user.account.id}`);
  assert.equal(res.status, 200, show(res));
  assertAccount(res.body, { username: user.username });
  assert.equal(res.body.id, user.account.id);

  const withToken = await api(srv, 'GET', `/api/v1/accounts/${user.account.id}`, { token: user.token });
  assert.equal(withToken.status, 200, show(withToken));

  for (const bad of ['999999999999999999', '1', 'abc', '-5', '12abc', '%20', '99999999999999999999999999']) {
    await t.test(`id ${bad}`, async () => {
      const r = await api(srv, 'GET', `/api/v1/accounts/${bad}`);
      assertJsonError(r, 404, 'Record not found');
    });
  }
}));
