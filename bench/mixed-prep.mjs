// bench/mixed-prep.mjs URL PASSWORD DIR ROLE... - before a bench/mixed or scripts/soak run:
// log in as each demo user (the city-scale demo names its users after their roles), and write
// DIR/ROLE.ids for bench/mixed.lua: the bearer token, the user's area, ids of cases the user
// may see and act on (open ones; when fewer than 20, the user reports more first), ids of
// households in the user's area. Also writes
// DIR/static.json, a real case-list answer, for the ceilings to serve. Exits non-zero when a
// user cannot log in or sees nothing to work on.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [url, password, dir, ...roles] = process.argv.slice(2);
if (!url || !password || !dir || roles.length === 0) {
  console.error('usage: node bench/mixed-prep.mjs URL PASSWORD DIR ROLE...');
  process.exit(2);
}

async function call(path, token, body) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const init = { headers };
  if (body) {
    init.method = 'POST';
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(`${url}${path}`, init);
  const text = await res.text();
  return { status: res.status, text, body: text.startsWith('{') ? JSON.parse(text) : null };
}

// Cases still open (so a comment is a valid workflow action on them), then any.
const OPEN = ['reported', 'accepted', 'dispatched', 'in_progress', 'handled', 'rework', 'reopened'];

const MIN_OPEN = 20;
const CHANNEL = { grid_worker: 'patrol', station_cadre: 'office_hours' };
let failed = false;
let staticWritten = false;
for (const role of roles) {
  const login = await call('/api/v1/auth/login', '', { username: role, password });
  if (login.status !== 200) {
    console.error(`mixed-prep: ${role} cannot log in: ${login.status} ${login.text}`);
    failed = true;
    continue;
  }
  const token = login.body.token;
  const area = login.body.user.area_code;
  const cases = new Set();
  for (const status of OPEN) {
    const r = await call(`/api/v1/cases?limit=100&area=${area}&status=${status}`, token);
    if (r.status === 200) for (const c of r.body.items) cases.add(c.id);
    if (!staticWritten && r.status === 200 && r.body.items.length >= 10) {
      const page = await call(`/api/v1/cases?limit=20&area=${area}`, token);
      writeFileSync(join(dir, 'static.json'), page.text);
      staticWritten = true;
    }
  }
  // A year's demo leaves few cases open in one grid: report more (as this user, through the
  // API) so that comments always have open cases to act on.
  for (let i = 0; cases.size < MIN_OPEN && i < MIN_OPEN; i++) {
    const r = await call('/api/v1/cases', token, {
      channel: CHANNEL[role] ?? 'phone', category: '0204', description: `基准准备 ${role} ${i} 路灯不亮`,
      area_code: area,
    });
    if (r.status !== 201) break;
    cases.add(r.body.id);
  }
  const households = [];
  const h = await call(`/api/v1/households?limit=200&area=${area}`, token);
  if (h.status === 200) for (const x of h.body.items) households.push(x.id);
  writeFileSync(join(dir, `${role}.ids`), [
    `token ${token}`, `area ${area}`, `cases ${[...cases].join(' ')}`,
    `households ${households.join(' ')}`, '',
  ].join('\n'));
  console.log(`mixed-prep: ${role.padEnd(16)} area ${area}: ${cases.size} open cases, ${households.length} households`);
  if (cases.size === 0) {
    console.error(`mixed-prep: ${role} sees no open case in ${area}`);
    failed = true;
  }
}
if (!staticWritten) {
  console.error('mixed-prep: no case list to serve as the static ceiling file');
  failed = true;
}
process.exit(failed ? 1 : 0);
