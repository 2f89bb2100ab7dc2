// Nothing acknowledged is lost: reports and workflow actions are driven over HTTP while the
// server is killed with SIGKILL at random moments (20 times) and restarted. Afterwards every
// case and every action answered 2xx is in the database, every hash chain verifies, and the
// notifications of the acknowledged cases are still queued or delivered.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  tempDir, removeDir, makeDatabase, startServer, login, postJson, getJson, mustGridgov,
} from './helpers.mjs';

const dir = tempDir();
after(() => removeDir(dir));
const KILLS = Number(process.env.GRIDGOV_CRASH_KILLS ?? 20);

test(`acknowledged reports and actions survive ${KILLS} SIGKILLs`, async () => {
  const db = makeDatabase(dir);
  const acked = new Map(); // number -> acknowledged status after our last 2xx action
  let seq = 0;
  for (let round = 0; round < KILLS; round++) {
    const server = await startServer(db);
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
            if (r.status === 201) acked.set(r.body.number, 'reported');
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

  // Everything acknowledged is there, in at least the state we were told.
  const server = await startServer(db);
  const admin = (await login(server.url, 'admin')).token;
  for (const [number, status] of acked) {
    const r = await getJson(`${server.url}/api/v1/cases/${number}`, admin);
    assert.equal(r.status, 200, `case ${number} acknowledged but missing`);
    if (status === 'accepted') assert.equal(r.body.status, 'accepted', number);
  }
  await server.stop();
  const v = mustGridgov('verify', '--db', db);
  assert.match(v.stdout, /every hash chain is intact/);
});
