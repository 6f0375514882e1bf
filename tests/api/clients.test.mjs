// The real client libraries against chirpd: masto (masto.js) and megalodon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRestAPIClient, createOAuthAPIClient, MastoHttpError } from 'masto';
import megalodonPkg, { detector } from 'megalodon';
import {
  withLogs, api, show, uniq, createUserToken, parseForm, authorizeSubmission, elementTextById, MANY_SIGNUPS,
} from './lib/server.mjs';

const generator = megalodonPkg.default ?? megalodonPkg;
const OOB = 'urn:ietf:wg:oauth:2.0:oob';

async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected the call to fail');
}

test('masto: apps.create, password-grant token, verifyCredentials, updateCredentials, lookup, instance', withLogs(async (t, start) => {
  const srv = await start({ args: ['--password-grant', 'on', ...MANY_SIGNUPS] });
  const anon = createRestAPIClient({ url: srv.url });

  const app = await anon.v1.apps.create({
    clientName: 'masto test', redirectUris: OOB, scopes: 'read write follow push', website: 'https://masto.example',
  });
  assert.equal(app.name, 'masto test');
  assert.equal(typeof app.clientId, 'string');
  assert.equal(typeof app.clientSecret, 'string');
  assert.equal(app.website, 'https://masto.example');

  // App token, then registration through masto (multipart).
  const oauth = createOAuthAPIClient({ url: srv.url });
  const appTok = await oauth.token.create({
    grantType: 'client_credentials', clientId: app.clientId, clientSecret: app.clientSecret,
    redirectUri: OOB, scope: 'read write follow push',
  });
  assert.equal(typeof appTok.accessToken, 'string');
  const asApp = createRestAPIClient({ url: srv.url, accessToken: appTok.accessToken });
  const appInfo = await asApp.v1.apps.verifyCredentials();
  assert.equal(appInfo.name, 'masto test');

  const username = uniq('masto');
  const email = `${username}@example.com`;
  const password = 'masto password';
  const signup = await asApp.v1.accounts.create({ username, email, password, agreement: true, locale: 'en' });
  assert.equal(typeof signup.accessToken, 'string');

  // The password grant through plain fetch, as the masto.js e2e harness does.
  const tokRes = await api(srv, 'POST', '/oauth/token', {
    json: {
      grant_type: 'password', client_id: app.clientId, client_secret: app.clientSecret,
      username: email, password, scope: 'read write follow push',
    },
  });
  assert.equal(tokRes.status, 200, show(tokRes));
  // ...and through masto's own OAuth client.
  const viaMasto = await oauth.token.create({
    grantType: 'password', clientId: app.clientId, clientSecret: app.clientSecret,
    redirectUri: OOB, username: email, password, scope: 'read',
  });
  assert.equal(typeof viaMasto.accessToken, 'string');
  assert.equal(viaMasto.tokenType, 'Bearer');

  const masto = createRestAPIClient({ url: srv.url, accessToken: tokRes.body.access_token });
  const me = await masto.v1.accounts.verifyCredentials();
  assert.equal(me.username, username);
  assert.equal(me.acct, username);
  assert.equal(typeof me.source.privacy, 'string');

  const random = Math.random().toString();
  const updated = await masto.v1.accounts.updateCredentials({ displayName: random });
  assert.equal(updated.displayName, random);

  const withField = await masto.v1.accounts.updateCredentials({ fieldsAttributes: [{ name: 'test', value: random }] });
  assert.deepEqual(withField.fields, [{ name: 'test', value: random, verifiedAt: null }]);

  const found = await masto.v1.accounts.lookup({ acct: username });
  assert.equal(found.id, me.id);
  assert.equal(found.displayName, random);

  const fetched = await masto.v1.accounts.$select(me.id).fetch();
  assert.equal(fetched.id, me.id);

  const results = await masto.v1.accounts.search.list({ q: username });
  assert.ok(results.some((a) => a.id === me.id), 'search finds me');

  const v1 = await masto.v1.instance.fetch();
  assert.equal(v1.configuration.statuses.maxCharacters, 280);
  assert.match(v1.urls.streamingApi, /^wss?:\/\//);
  const v2 = await masto.v2.instance.fetch();
  assert.equal(v2.configuration.translation.enabled, false);
  assert.equal(typeof v2.domain, 'string');

  await oauth.revoke({ clientId: app.clientId, clientSecret: app.clientSecret, token: viaMasto.accessToken });
  const revoked = createRestAPIClient({ url: srv.url, accessToken: viaMasto.accessToken });
  const err = await rejection(revoked.v1.accounts.verifyCredentials());
  assert.ok(err instanceof MastoHttpError, `MastoHttpError, got ${err}`);
  assert.equal(err.statusCode, 401);
}));

test('masto: a malformed registration raises MastoHttpError 422 with the exact details', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const masto = createRestAPIClient({ url: srv.url, accessToken: user.appToken });
  const err = await rejection(masto.v1.accounts.create({
    username: '', email: '', password: '', agreement: false, locale: 'hello',
  }));
  assert.ok(err instanceof MastoHttpError, `MastoHttpError, got ${err?.stack ?? err}`);
  assert.equal(err.statusCode, 422);
  assert.deepEqual(err.details, {
    agreement: [{ error: 'ERR_ACCEPTED', description: 'must be accepted' }],
    email: [{ error: 'ERR_BLANK', description: "can't be blank" }, { error: 'ERR_INVALID', description: 'is invalid' }],
    password: [{ error: 'ERR_BLANK', description: "can't be blank" }],
    username: [{ error: 'ERR_BLANK', description: "can't be blank" }],
  });

  const notFound = await rejection(masto.v1.accounts.$select('999999999').fetch());
  assert.ok(notFound instanceof MastoHttpError);
  assert.equal(notFound.statusCode, 404);
  assert.equal(notFound.message, 'Record not found');
}));

test('megalodon: detector says mastodon; generator + verifyAccountCredentials', withLogs(async (t, start) => {
  const srv = await start();
  assert.equal(await detector(srv.url), 'mastodon');

  const user = await createUserToken(srv);
  const client = generator('mastodon', srv.url, user.token);
  const res = await client.verifyAccountCredentials();
  assert.equal(res.status, 200);
  assert.equal(res.data.username, user.username);
  assert.equal(res.data.id, user.account.id);

  const upd = await client.updateCredentials({ display_name: 'Megalodon', note: 'big fish' });
  assert.equal(upd.data.display_name, 'Megalodon');

  const look = await client.lookupAccount(user.username);
  assert.equal(look.data.id, user.account.id);

  const acc = await client.getAccount(user.account.id);
  assert.equal(acc.data.display_name, 'Megalodon');

  const inst = await client.getInstance();
  assert.equal(inst.status, 200);
  assert.equal(typeof inst.data.uri, 'string');

  const app = await client.verifyAppCredentials();
  assert.equal(typeof app.data.name, 'string');
}));

test('megalodon: registerApp with OOB, authorize in the HTML form, fetchAccessToken', withLogs(async (t, start) => {
  const srv = await start();
  const user = await createUserToken(srv);
  const anon = generator('mastodon', srv.url);
  const appData = await anon.registerApp('megalodon test', { scopes: ['read', 'write', 'follow'], website: 'https://mega.example' });
  assert.equal(typeof appData.client_id, 'string');
  assert.equal(typeof appData.client_secret, 'string');
  assert.equal(appData.redirect_uri, OOB);
  assert.equal(appData.name, 'megalodon test');
  assert.ok(appData.url, 'megalodon built an authorize URL');
  const authUrl = new URL(appData.url);
  assert.equal(authUrl.pathname, '/oauth/authorize');

  // A person opens appData.url, logs in and approves.
  const page = await api(srv, 'GET', authUrl.pathname + authUrl.search);
  assert.equal(page.status, 200, show(page));
  const form = parseForm(page.text);
  assert.ok(form, 'authorize page has a form');
  const body = authorizeSubmission(form, { username: user.username, password: user.password });
  const approved = await api(srv, 'POST', '/oauth/authorize', { form: body });
  assert.equal(approved.status, 200, show(approved));
  const code = elementTextById(approved.text, 'authorization-code');
  assert.ok(code, 'OOB page shows the code');

  const tok = await anon.fetchAccessToken(appData.client_id, appData.client_secret, code);
  assert.equal(typeof tok.access_token, 'string');
  const client = generator('mastodon', srv.url, tok.access_token);
  const me = await client.verifyAccountCredentials();
  assert.equal(me.data.username, user.username);

  await anon.revokeToken(appData.client_id, appData.client_secret, tok.access_token);
  const err = await rejection(client.verifyAccountCredentials());
  assert.equal(err.response?.status, 401, `401 after revoke, got ${err}`);
}));
