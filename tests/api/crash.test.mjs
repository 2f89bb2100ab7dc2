// Nothing acknowledged is lost: reports and workflow actions are driven over HTTP while the
// server is killed with SIGKILL at random moments (GRIDGOV_CRASH_KILLS times, 20 by default;
// `make soak` runs a long form) and restarted. Afterwards every case and every action answered
// 2xx is in the database, every hash chain verifies, the indicator roll-ups equal a full
// recount of the event log (`gridgov rollups verify`), and the outbox delivers every pending
// notification: a webhook receiver on 127.0.0.1 gets every acknowledged report's message at
// least once and the backlog drains to zero after the final restart. The receiver is down for
// the last rounds, so messages are certainly pending (and already failed once) at that restart.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import {
  tempDir, removeDir, makeDatabase, startServer, login, postJson, getJson, mustGridgov, gridgov,
} from './helpers.mjs';

const dir = tempDir();
after(() => removeDir(dir));
const KILLS = Number(process.env.GRIDGOV_CRASH_KILLS ?? 20);
const RECEIVER_DOWN_ROUNDS = 2; // the last rounds run with the webhook receiver down

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// A webhook receiver: counts every Idempotency-Key it is sent. start()/stop() may be called
// repeatedly; `got` survives them.
function receiver(port) {
  const got = new Map(); // key -> times received
  let srv = null;
  return {
    got,
    start() {
      srv = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          const k = req.headers['idempotency-key'];
          got.set(k, (got.get(k) ?? 0) + 1);
          res.writeHead(200).end();
        });
      });
      srv.keepAliveTimeout = 100;
      return new Promise((res) => srv.listen(port, '127.0.0.1', res));
    },
    stop() {
      const s = srv;
      srv = null;
      return new Promise((res) => { s.closeAllConnections(); s.close(() => res()); });
    },
  };
}

async function outboxBacklog(url) {
  const r = await getJson(`${url}/metrics`);
  assert.equal(r.status, 200);
  const m = String(r.body).match(/^gridgov_outbox_backlog (\d+)$/m);
  assert.ok(m, 'no gridgov_outbox_backlog in /metrics');
  return Number(m[1]);
}

test(`acknowledged reports and actions survive ${KILLS} SIGKILLs; roll-ups and outbox hold`, async () => {
  const db = makeDatabase(dir);
  const port = await freePort();
  const env = { GRIDGOV_WEBHOOK_URLS: `http://127.0.0.1:${port}/hook` };
  const hook = receiver(port);
  await hook.start();
  const acked = new Map(); // number -> acknowledged status after our last 2xx action
  const ackedWhileDown = new Set(); // reports acknowledged while the receiver was down
  let seq = 0;
  for (let round = 0; round < KILLS; round++) {
    const receiverDown = round >= KILLS - RECEIVER_DOWN_ROUNDS;
    if (receiverDown && round === KILLS - RECEIVER_DOWN_ROUNDS) await hook.stop();
    const server = await startServer(db, [], env);
    const worker = (await login(server.url, 'worker1')).token;
    const staff = (await login(server.url, 'staff')).token;
    let alive = true;
    // Several clients at once: new reports, and accepting earlier ones.
    const client = async (k) => {
      while (alive) {
        try {
          if (k % 2 === 0 || acked.size === 0) {
            const r = await postJson(`${server.url}/api/v1/cases`, worker, {
              channel: 'patrol', category: '0101', description: `崩溃测试 ${seq++}`,
              area_code: '440605001001001',
            });
            if (r.status === 201) {
              acked.set(r.body.number, 'reported');
              if (receiverDown) ackedWhileDown.add(r.body.number);
            }
          } else {
            const open = [...acked].find(([, s]) => s === 'reported');
            if (!open) continue;
            const r = await postJson(`${server.url}/api/v1/cases/${open[0]}/actions`, staff, { action: 'accept' });
            if (r.status === 200) acked.set(open[0], 'accepted');
          }
        } catch {
          return; // the server died under us: whatever was not answered is not ours to check
        }
      }
    };
    const clients = [0, 1, 2, 3].map(client);
    await new Promise((res) => setTimeout(res, 100 + Math.random() * 300));
    server.proc.kill('SIGKILL');
    alive = false;
    await server.exited;
    await Promise.all(clients);
  }
  assert.ok(acked.size > KILLS, `only ${acked.size} acknowledged reports`);
  assert.ok(ackedWhileDown.size > 0, 'no report was acknowledged while the receiver was down');
  for (const n of ackedWhileDown) {
    assert.ok(!hook.got.has(`case-${n}-event-1`), `case ${n}'s report was delivered to a receiver that was down`);
  }

  // The final restart: the receiver is back, and everything still pending is delivered.
  await hook.start();
  const server = await startServer(db, [], env);
  const admin = (await login(server.url, 'admin')).token;
  // Everything acknowledged is there, in at least the state we were told.
  for (const [number, status] of acked) {
    const r = await getJson(`${server.url}/api/v1/cases/${number}`, admin);
    assert.equal(r.status, 200, `case ${number} acknowledged but missing`);
    if (status === 'accepted') assert.equal(r.body.status, 'accepted', number);
  }
  // /metrics counts the cases by state: at least every acknowledged one, each state at least
  // as many as acknowledged in it, and the total is what the recount below sees.
  const metrics = String((await getJson(`${server.url}/metrics`)).body);
  const byState = Object.fromEntries([...metrics.matchAll(/^gridgov_cases\{status="(\w+)"\} (\d+)$/gm)]
    .map((m) => [m[1], Number(m[2])]));
  const accepted = [...acked.values()].filter((s) => s === 'accepted').length;
  assert.ok((byState.accepted ?? 0) >= accepted, `metrics: ${JSON.stringify(byState)}, ${accepted} accepted`);
  const metricsTotal = Object.values(byState).reduce((a, b) => a + b, 0);
  assert.ok(metricsTotal >= acked.size, `metrics count ${metricsTotal} cases, ${acked.size} acknowledged`);
  // Failed messages wait out their back-off (2 s, 4 s, ... after each failed attempt).
  const reportKeys = [...acked.keys()].map((n) => `case-${n}-event-1`);
  const deadline = Date.now() + 60000;
  let backlog = await outboxBacklog(server.url);
  while ((backlog > 0 || reportKeys.some((k) => !hook.got.has(k))) && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 250));
    backlog = await outboxBacklog(server.url);
  }
  await server.stop();
  await hook.stop();
  const missing = reportKeys.filter((k) => !hook.got.has(k));
  assert.deepEqual(missing, [], `acknowledged reports whose notification never arrived`);
  assert.equal(backlog, 0, 'the outbox still holds undelivered messages');

  const v = mustGridgov('verify', '--db', db);
  assert.match(v.stdout, /every hash chain is intact/);
  const ru = gridgov('rollups', 'verify', '--db', db);
  assert.equal(ru.status, 0, `roll-ups differ from a recount: ${ru.stderr}`);
  assert.match(ru.stdout, /roll-ups equal a full recount/);
  const m = ru.stdout.match(/rollups verify: (\d+) cases/);
  assert.ok(Number(m[1]) >= acked.size, `the recount saw ${m[1]} cases, ${acked.size} acknowledged`);
  assert.equal(Number(m[1]), metricsTotal, 'the recount and /metrics disagree on the number of cases');
});
