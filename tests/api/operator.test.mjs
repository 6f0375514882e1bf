// Operator commands beside a running server and beside each other on one
// data directory: each process holds a worker id of its own, so the ids and
// token ids they make never collide, and a server whose worker id another
// process holds refuses to start with a clear message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { withLogs, api, show, CHIRPD_BIN } from './lib/server.mjs';

function chirpd(args, timeout = 30_000) {
  return new Promise((resolve) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CHIRP_')));
    execFile(CHIRPD_BIN, args, { env, timeout }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

const COMMANDS = 8;

test('admin commands run at once beside a server make distinct accounts and tokens that all work', withLogs(async (t, start) => {
  const srv = await start();
  const names = Array.from({ length: COMMANDS }, (_, i) => `operator${i}_${process.pid}`);
  const created = await Promise.all(names.map((username) => chirpd([
    'admin', 'create-account', '--data', srv.dataDir, '--username', username,
    '--email', `${username}@example.com`, '--password', 'correct horse battery staple'])));
  for (const run of created) assert.equal(run.code, 0, run.stderr);
  const accounts = created.map((run) => JSON.parse(run.stdout.trim()));
  assert.equal(new Set(accounts.map((a) => a.id)).size, COMMANDS, 'distinct account ids');

  // Three tokens for each account, all issued at once (the first ones also
  // race to create the operators' app).
  const issued = await Promise.all(names.flatMap((username) => [0, 1, 2].map(() => chirpd([
    'admin', 'token', '--data', srv.dataDir, '--username', username]))));
  for (const run of issued) assert.equal(run.code, 0, run.stderr);
  const tokens = issued.map((run) => JSON.parse(run.stdout.trim()));
  assert.equal(new Set(tokens.map((x) => x.access_token)).size, tokens.length, 'distinct tokens');
  for (const token of tokens) {
    const me = await api(srv, 'GET', '/api/v1/accounts/verify_credentials', { token: token.access_token });
    assert.equal(me.status, 200, show(me));
    assert.equal(me.body.id, token.account_id);
  }
  // The server's own ids stay apart from the commands': it posts fine.
  const post = await api(srv, 'POST', '/api/v1/statuses', { token: tokens[0].access_token, json: { status: 'after the operators' } });
  assert.equal(post.status, 200, show(post));
}));

test('a second server on a worker id in use refuses to start and says why', withLogs(async (t, start) => {
  const srv = await start();
  const second = await chirpd(['serve', '--listen', '127.0.0.1:0', '--data', srv.dataDir], 10_000);
  assert.notEqual(second.code, 0);
  assert.match(second.stderr, /worker id 0 is in use by another process/);
  const third = await chirpd(['serve', '--listen', '127.0.0.1:0', '--data', srv.dataDir, '--worker-id', '5'], 3_000);
  // With its own worker id it starts (and is stopped by the timeout).
  assert.doesNotMatch(third.stderr, /in use/);
  assert.match(third.stdout, /listening on/);
  const alive = await api(srv, 'GET', '/api/v1/instance');
  assert.equal(alive.status, 200);
}));
