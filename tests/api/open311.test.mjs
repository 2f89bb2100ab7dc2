// Open311 GeoReport v2 over HTTP: every endpoint in JSON and XML, every error path with the
// spec's status and errors/error body, urlencoded and multipart POST bodies (attributes, media),
// the filters and paging, the FixMyStreet servicerequestupdates pair, the round trip through
// our workflow, and the server settings (jurisdiction, charset, batch tokens). JSON answers
// are validated against schemas/georeport-v2.json (written from the spec) by the small
// validator below; XML answers must be well-formed for xmllint (Debian libxml2-utils).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  tempDir, removeDir, makeDatabase, startServer, login, postJson, gridgov, mustGridgov, feature, rect,
} from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const schema = JSON.parse(readFileSync(join(here, 'schemas', 'georeport-v2.json'), 'utf8'));
const JURISDICTION = 'nanhai.gridgov.test';
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('fake image body')]);

// ---- a validator for the JSON Schema subset the schema file uses ----------------------------
function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function check(s, v, path, errors) {
  if (s.$ref) {
    const name = s.$ref.replace('#/$defs/', '');
    if (!schema.$defs[name]) throw new Error(`unknown $ref ${s.$ref}`);
    check(schema.$defs[name], v, path, errors);
    return;
  }
  const t = typeOf(v);
  if (s.type) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    const ok = types.some((x) => x === t || (x === 'number' && t === 'integer'));
    if (!ok) { errors.push(`${path}: ${t} is not ${types.join('|')}`); return; }
  }
  if (s.enum && !s.enum.includes(v)) errors.push(`${path}: ${JSON.stringify(v)} not in enum`);
  if (t === 'string') {
    if (s.pattern && !new RegExp(s.pattern).test(v)) errors.push(`${path}: '${v}' !~ ${s.pattern}`);
    if (s.minLength !== undefined && v.length < s.minLength) errors.push(`${path}: too short`);
  }
  if (t === 'number' || t === 'integer') {
    if (s.minimum !== undefined && v < s.minimum) errors.push(`${path}: below ${s.minimum}`);
    if (s.maximum !== undefined && v > s.maximum) errors.push(`${path}: above ${s.maximum}`);
  }
  if (t === 'object') {
    for (const k of s.required ?? []) if (!(k in v)) errors.push(`${path}: missing ${k}`);
    for (const [k, val] of Object.entries(v)) {
      if (s.properties?.[k]) check(s.properties[k], val, `${path}.${k}`, errors);
      else if (s.additionalProperties === false) errors.push(`${path}: unexpected ${k}`);
    }
  }
  if (t === 'array') {
    if (s.minItems !== undefined && v.length < s.minItems) errors.push(`${path}: fewer than ${s.minItems}`);
    if (s.maxItems !== undefined && v.length > s.maxItems) errors.push(`${path}: more than ${s.maxItems}`);
    if (s.items) v.forEach((item, i) => check(s.items, item, `${path}[${i}]`, errors));
  }
}

function assertSchema(def, value) {
  const errors = [];
  check({ $ref: `#/$defs/${def}` }, value, '$', errors);
  assert.deepEqual(errors, [], `${def}: ${errors.slice(0, 5).join('; ')}`);
}

test('the validator rejects what the spec forbids', () => {
  const bad = [
    [{ service_request_id: 1 }, 'numeric id'],
    [{ code: '404', description: 'x' }, 'string code'],
  ];
  const errors = [];
  check({ $ref: '#/$defs/request' }, { ...bad[0][0] }, '$', errors);
  assert.ok(errors.some((e) => e.includes('service_request_id')));
  const e2 = [];
  check({ $ref: '#/$defs/errors' }, [bad[1][0]], '$', e2);
  assert.ok(e2.length > 0);
  const e3 = [];
  check({ $ref: '#/$defs/datetime' }, '2026-01-01T00:00:00-05:00', '$', e3);
  assert.ok(e3.length > 0);
  const e4 = [];
  check({ $ref: '#/$defs/request' }, { media_url: '' }, '$', e4);
  assert.ok(e4.some((e) => e.includes('media_url')));
});

function xmlWellFormed(text) {
  const r = spawnSync('xmllint', ['--noout', '-'], { input: text, encoding: 'utf8' });
  if (r.error) throw new Error(`xmllint is needed (Debian libxml2-utils): ${r.error.message}`);
  assert.equal(r.status, 0, `xmllint: ${r.stderr}\n${text.slice(0, 500)}`);
  assert.ok(text.startsWith('<?xml version="1.0" encoding="utf-8"?>'));
}

// The text of the first <tag> in xml ('' for an empty element, undefined when absent).
function xmlText(xml, tag) {
  const m = xml.match(new RegExp(`<${tag}>([^<]*)</${tag}>|<${tag}/>`));
  if (!m) return undefined;
  return (m[1] ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

// ---- the server -------------------------------------------------------------------------------
let dir;
let db;
let server;
let url;
let base;
let fmsKey;
let appKey;
let workerKey;
const tokens = {};

before(async () => {
  dir = tempDir();
  db = makeDatabase(dir);
  // A second "第1网格" (in 夏北社区), so a bare grid name in an address_string is ambiguous.
  const extra = join(dir, 'extra-area.geojson');
  writeFileSync(extra, JSON.stringify({ type: 'FeatureCollection', features: [feature('440605001002001', '第1网格', rect(113.1, 23.0, 113.2, 23.1))] }));
  mustGridgov('import', 'areas', extra, '--db', db);
  fmsKey = mustGridgov('apikey', 'add', '--db', db, '--name', 'fixmystreet', '--user', 'dispatcher').stdout.trim();
  appKey = mustGridgov('apikey', 'add', '--db', db, '--name', 'city-app').stdout.trim();
  workerKey = mustGridgov('apikey', 'add', '--db', db, '--name', 'patrol-app', '--user', 'worker2').stdout.trim();
  server = await startServer(db, [], { GRIDGOV_OPEN311_JURISDICTION: JURISDICTION });
  url = server.url;
  base = `${url}/open311/v2`;
  for (const u of ['dispatcher', 'handler', 'worker1', 'resident']) tokens[u] = (await login(url, u)).token;
});

after(async () => {
  if (server) await server.stop();
  removeDir(dir);
});

async function get(path) {
  const res = await fetch(path.startsWith('http') ? path : `${base}/${path}`);
  const text = await res.text();
  let body = text;
  if ((res.headers.get('content-type') ?? '').startsWith('application/json')) body = JSON.parse(text);
  return { status: res.status, body, text, type: res.headers.get('content-type') };
}

async function post(path, fields, extraHeaders = {}) {
  const body = fields instanceof FormData || typeof fields === 'string' ? fields : new URLSearchParams(fields);
  const res = await fetch(`${base}/${path}`, { method: 'POST', body, headers: extraHeaders });
  const text = await res.text();
  let parsed = text;
  if ((res.headers.get('content-type') ?? '').startsWith('application/json')) parsed = JSON.parse(text);
  return { status: res.status, body: parsed, text, type: res.headers.get('content-type') };
}

// An error answer in both formats: the status, errors/error{code, description}.
async function expectError(status, fn, what) {
  const j = await fn('json');
  assert.equal(j.status, status, `${what} (json): ${j.text}`);
  assert.equal(j.type, 'application/json; charset=utf-8');
  assertSchema('errors', j.body);
  assert.equal(j.body[0].code, status);
  const x = await fn('xml');
  assert.equal(x.status, status, `${what} (xml): ${x.text}`);
  assert.equal(x.type, 'text/xml; charset=utf-8');
  xmlWellFormed(x.text);
  assert.match(x.text, /<errors><error><code>\d+<\/code><description>[^<]+<\/description><\/error><\/errors>/);
  assert.equal(xmlText(x.text, 'code'), String(status));
  return j.body[0].description;
}

const reportFields = (extra = {}) => ({
  api_key: appKey, jurisdiction_id: JURISDICTION, service_code: '0204', lat: '23.05', long: '113.02',
  description: 'The street light at the corner is out', ...extra,
});

async function reportOne(extra = {}) {
  const r = await post('requests.json', reportFields(extra));
  assert.equal(r.status, 200, r.text);
  assertSchema('postResult', r.body);
  return r.body[0].service_request_id;
}

const act = (token, number, body) => postJson(`${url}/api/v1/cases/${number}/actions`, token, body);

// ---- discovery and services -------------------------------------------------------------------
test('discovery at the base and the endpoint root, in both formats', async () => {
  for (const path of [`${url}/open311/discovery`, `${base}/discovery`]) {
    const j = await get(`${path}.json`);
    assert.equal(j.status, 200);
    assert.equal(j.type, 'application/json; charset=utf-8');
    assertSchema('discovery', j.body);
    assert.deepEqual(j.body.endpoints.map((e) => e.type).sort(), ['production', 'test']);
    const prod = j.body.endpoints.find((e) => e.type === 'production');
    assert.equal(prod.url, `${url}/open311/v2`);
    assert.equal(prod.specification, 'http://wiki.open311.org/GeoReport_v2');
    const x = await get(`${path}.xml`);
    assert.equal(x.type, 'text/xml; charset=utf-8');
    xmlWellFormed(x.text);
    assert.match(x.text, /<discovery><changeset>[^<]+<\/changeset>.*<endpoints><endpoint>.*<formats><format>text\/xml<\/format><format>application\/json<\/format><\/formats>/);
  }
});

test('services are the categories; definitions carry typed attributes', async () => {
  const cats = (await (await fetch(`${url}/api/v1/categories`)).json()).items;
  const j = await get('services.json');
  assert.equal(j.status, 200);
  assertSchema('services', j.body);
  assert.equal(j.body.length, cats.length);
  const lamp = j.body.find((s) => s.service_code === '0204');
  assert.equal(lamp.service_name, 'Street lights out');
  assert.equal(lamp.group, 'Public facilities');
  assert.equal(lamp.metadata, true);
  assert.equal(lamp.type, 'realtime');
  const x = await get(`services.xml?jurisdiction_id=${JURISDICTION}`);
  xmlWellFormed(x.text);
  assert.equal((x.text.match(/<service>/g) ?? []).length, cats.length);
  assert.match(x.text, /<service><service_code>01<\/service_code>/);

  // A class lists its subcategories; every service has the urgency list and a display notice.
  const def = await get('services/02.json');
  assert.equal(def.status, 200);
  assertSchema('serviceDefinition', def.body);
  const codes = def.body.attributes.map((a) => a.code);
  assert.deepEqual(codes, ['notice', 'urgency', 'subcategory', 'anonymous']);
  assert.deepEqual(def.body.attributes.map((a) => a.order), [1, 2, 3, 4]);
  assert.equal(def.body.attributes[0].variable, false);
  const sub = def.body.attributes.find((a) => a.code === 'subcategory');
  assert.deepEqual(sub.values.map((v) => v.key), cats.filter((c) => c.parent === '02').map((c) => c.code));
  const leaf = await get('services/0204.json');
  assert.deepEqual(leaf.body.attributes.map((a) => a.code), ['notice', 'urgency', 'anonymous']);
  const dx = await get('services/0204.xml');
  xmlWellFormed(dx.text);
  assert.match(dx.text, /<service_definition><service_code>0204<\/service_code><attributes><attribute><variable>false<\/variable>/);
  assert.match(dx.text, /<values><value><key>normal<\/key><name>Normal<\/name><\/value>/);
  assert.match(dx.text, /<values\/>/);
});

test('unknown services, formats, resources and jurisdictions are 404', async () => {
  await expectError(404, (f) => get(`services/9999.${f}`), 'unknown service');
  await expectError(404, (f) => get(`services/abc.${f}`), 'malformed service');
  await expectError(404, (f) => get(`requests/440605-19990101-00001.${f}`), 'unknown request');
  await expectError(404, (f) => get(`tokens/00000000000000000000000000000000.${f}`), 'unknown token');
  await expectError(404, (f) => get(`tokens/short.${f}`), 'malformed token');
  await expectError(404, (f) => get(`nothing.${f}`), 'unknown resource');
  await expectError(404, (f) => get(`services.${f}?jurisdiction_id=elsewhere.example`), 'jurisdiction');
  await expectError(404, (f) => get(`requests.${f}?jurisdiction_id=elsewhere.example`), 'jurisdiction');
  await expectError(404, (f) => post(`requests.${f}`, reportFields({ jurisdiction_id: 'elsewhere.example' })), 'post jurisdiction');
  // No or an unknown format: the answer is the (mandatory) XML error.
  for (const p of ['services', 'services.csv', 'requests.html']) {
    const r = await get(p);
    assert.equal(r.status, 404);
    xmlWellFormed(r.text);
  }
  const media = await get(`media/${'0'.repeat(64)}`);
  assert.equal(media.status, 404);
});

// ---- reporting --------------------------------------------------------------------------------
test('POST a form-encoded request with attributes; read it back in both formats', async () => {
  const r = await post('requests.json', reportFields({
    'attribute[urgency]': 'urgent',
    'attribute[anonymous]': 'true',
    'attribute[title]': 'Lamp',
    'attribute[tags][]': ['dark', 'corner'],
    first_name: 'Li', last_name: 'Wei', phone: '13800000000', email: 'li@example.org',
    address_string: 'Corner of Guiping Road', device_id: 'dev-1', account_id: 'acc-9',
    description: 'Lamp out\r\nsince Monday', email_empty: '',
  }));
  assert.equal(r.status, 200, r.text);
  assertSchema('postResult', r.body);
  const id = r.body[0].service_request_id;
  assert.equal(typeof id, 'string');
  assert.equal(r.body[0].account_id, 'acc-9');
  assert.ok(!('token' in r.body[0]));

  const j = await get(`requests/${id}.json?extensions=true`);
  assert.equal(j.status, 200);
  assertSchema('requests', j.body);
  const q = j.body[0];
  assert.equal(q.service_request_id, id);
  assert.equal(q.status, 'open');
  assert.equal(q.service_code, '0204');
  assert.equal(q.description, 'Lamp out\nsince Monday');
  assert.equal(q.address, 'Corner of Guiping Road');
  assert.equal(q.address_id, '440605001001001001');
  assert.equal(q.lat, 23.05);
  assert.equal(q.long, 113.02);
  assert.equal(q.media_url, null);
  assert.equal(q.zipcode, null);
  assert.equal(q.agency_responsible, 'Urban Management Bureau');
  assert.ok(Date.parse(q.expected_datetime) > Date.parse(q.requested_datetime));
  assert.equal(q.extended_attributes.urgency, 'urgent');
  assert.equal(q.extended_attributes.channel, 'open311');
  assert.equal(q.extended_attributes.fms_status, 'for_triage');
  assert.match(q.extended_attributes.token, /^[0-9a-f]{32}$/);
  assert.deepEqual(q.notes.map((n) => n.type), ['opened']);
  // Nobody's name or phone is public; staff see the reporter asked to stay anonymous.
  assert.doesNotMatch(j.text, /Li Wei|13800000000|li@example.org/);
  const staff = await (await fetch(`${url}/api/v1/cases/${id}`, { headers: { authorization: `Bearer ${tokens.dispatcher}` } })).json();
  assert.equal(staff.anonymous, true);
  assert.equal(staff.channel, 'open311');
  assert.equal(staff.urgency, 'urgent');

  const x = await get(`requests/${id}.xml`);
  assert.equal(x.status, 200);
  xmlWellFormed(x.text);
  assert.equal(xmlText(x.text, 'service_request_id'), id);
  assert.equal(xmlText(x.text, 'status'), 'open');
  assert.equal(xmlText(x.text, 'media_url'), '');
  assert.equal(xmlText(x.text, 'zipcode'), '');
  assert.equal(xmlText(x.text, 'lat'), '23.05');
  assert.match(x.text, /<service_requests><request>.*<\/request><\/service_requests>/s);

  // tokens/{token} resolves to the request.
  const t = await get(`tokens/${q.extended_attributes.token}.json`);
  assert.equal(t.status, 200);
  assertSchema('tokenResult', t.body);
  assert.deepEqual(t.body[0], { service_request_id: id, token: q.extended_attributes.token });
  const tx = await get(`tokens/${q.extended_attributes.token}.xml`);
  xmlWellFormed(tx.text);
  assert.equal(xmlText(tx.text, 'service_request_id'), id);

  // A subcategory chosen through a class service; address_id (an area code) instead of a point.
  const r2 = await post('requests.xml', reportFields({
    service_code: '02', 'attribute[subcategory]': '0205', lat: '', long: '', address_id: '440605001001002',
  }));
  assert.equal(r2.status, 200, r2.text);
  xmlWellFormed(r2.text);
  const id2 = xmlText(r2.text, 'service_request_id');
  const q2 = (await get(`requests/${id2}.json`)).body[0];
  assert.equal(q2.service_code, '0205');
  assert.equal(q2.address_id, '440605001001002');
  assert.equal(q2.lat, null);
  assert.equal(q2.long, null);

  // Only an address_string: the area it names (the most specific, its named ancestors
  // deciding between areas of the same name).
  const byAddress = [
    ['平洲社区第1网格 Guiping Road 5', '440605001001001'],
    ['夏北社区 第1网格', '440605001002001'],
    ['桂城街道, 南海区', '440605001'],
    ['第2网格', '440605001001002'],
  ];
  for (const [text, area] of byAddress) {
    const r3 = await post('requests.json', reportFields({ lat: '', long: '', address_string: text }));
    assert.equal(r3.status, 200, `${text}: ${r3.text}`);
    const q3 = (await get(`requests/${r3.body[0].service_request_id}.json`)).body[0];
    assert.equal(q3.address_id, area, text);
    assert.equal(q3.address, text);
    assert.equal(q3.lat, null);
  }
  for (const [text, msg] of [['第1网格', /several areas/], ['10 Downing Street', /names no area/]]) {
    const d = await expectError(400, (f) => post(`requests.${f}`, reportFields({ lat: '', long: '', address_string: text })), text);
    assert.match(d, msg, text);
  }
});

test('POST multipart with a media file: stored as the case attachment, served by media_url', async () => {
  const form = new FormData();
  for (const [k, v] of Object.entries(reportFields({ 'attribute[tags][]': 'a' }))) form.append(k, v);
  form.append('attribute[tags][]', 'b');
  form.append('media', new Blob([PNG], { type: 'image/png' }), 'lamp.png');
  const r = await post('requests.json', form);
  assert.equal(r.status, 200, r.text);
  const id = r.body[0].service_request_id;
  const q = (await get(`requests/${id}.json`)).body[0];
  assertSchema('request', q);
  assert.match(q.media_url, new RegExp(`^${url}/open311/v2/media/[0-9a-f]{64}$`));
  const img = await fetch(q.media_url);
  assert.equal(img.status, 200);
  assert.equal(img.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await img.arrayBuffer()), PNG);
  const staff = await (await fetch(`${url}/api/v1/cases/${id}`, { headers: { authorization: `Bearer ${tokens.dispatcher}` } })).json();
  assert.equal(staff.attachments.length, 1);
  assert.ok(q.media_url.endsWith(staff.attachments[0].hash));

  // A picture the client hosts itself is passed through.
  const own = await reportOne({ media_url: 'https://img.example.org/p/1.jpg' });
  assert.equal((await get(`requests/${own}.json`)).body[0].media_url, 'https://img.example.org/p/1.jpg');

  // A file that is not what it says, or not a file at all, is refused and stores no case.
  const before = (await get('requests.json')).body.length;
  const bad = new FormData();
  for (const [k, v] of Object.entries(reportFields())) bad.append(k, v);
  bad.append('media', new Blob(['plain text'], { type: 'image/png' }), 'x.png');
  let e = await post('requests.json', bad);
  assert.equal(e.status, 400, e.text);
  assertSchema('errors', e.body);
  e = await post('requests.json', reportFields({ media: 'not-a-file' }));
  assert.equal(e.status, 400);
  assert.equal((await get('requests.json')).body.length, before);
});

test('POST errors: api_key 403, bad fields 400, unknown service 404', async () => {
  await expectError(403, (f) => post(`requests.${f}`, reportFields({ api_key: '' })), 'no key');
  await expectError(403, (f) => post(`requests.${f}`, reportFields({ api_key: 'g311_wrong' })), 'wrong key');
  await expectError(403, (f) => post(`requests.${f}`, reportFields({ api_key: `${appKey}x` })), 'altered key');
  // The key may come in the query string too.
  const viaQuery = await post(`requests.json?api_key=${encodeURIComponent(appKey)}`, { ...reportFields(), api_key: '' });
  assert.equal(viaQuery.status, 200, viaQuery.text);
  const cases = [
    [400, { service_code: '' }, /service_code is required/],
    [404, { service_code: '9999' }, /not a service/],
    [400, { lat: '', long: '' }, /location is required/],
    [400, { long: '' }, /both lat and long/],
    [400, { lat: '91' }, /lat must be/],
    [400, { lat: '23.05x' }, /lat must be/],
    [400, { lat: '', long: '', address_id: 'downtown' }, /area code/],
    [400, { lat: '10', long: '10' }, /outside every area/],
    [400, { 'attribute[urgency]': 'whenever' }, /attribute\[urgency\]/],
    [400, { 'attribute[notice]': 'x' }, /display only/],
    [400, { 'attribute[urgency][]': 'urgent' }, /attribute\[urgency\]/],
    [400, { description: 'x'.repeat(4001) }, /description/],
    [400, { phone: 'call me' }, /phone/],
    [400, { media_url: 'javascript:alert(1)' }, /media_url/],
    [400, { service_code: '02', 'attribute[subcategory]': '0101' }, /attribute\[subcategory\]/],
  ];
  for (const [status, extra, msg] of cases) {
    const d = await expectError(status, (f) => post(`requests.${f}`, reportFields(extra)), JSON.stringify(extra));
    assert.match(d, msg, JSON.stringify(extra));
  }
  // Bodies that are not forms.
  const json = await fetch(`${base}/requests.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(json.status, 400);
  assertSchema('errors', await json.json());
  const malformed = await post('requests.json', `api_key=${appKey}&service_code=%zz`, { 'content-type': 'application/x-www-form-urlencoded' });
  assert.equal(malformed.status, 400);
  assert.match(malformed.body[0].description, /percent/);
  const noBoundary = await post('requests.json', 'x', { 'content-type': 'multipart/form-data' });
  assert.equal(noBoundary.status, 400);
  // GET keys are not needed and POST is the only write.
  const put = await fetch(`${base}/requests.json`, { method: 'PUT', body: '' });
  assert.equal(put.status, 405);
});

// ---- listing ----------------------------------------------------------------------------------
test('GET requests: ids override, service_code and status lists, dates, paging', async () => {
  const a = await reportOne({ service_code: '0101', lat: '23.06', long: '113.03' });
  const b = await reportOne({ service_code: '0102', lat: '23.07', long: '113.04' });
  const all = await get('requests.json');
  assert.equal(all.status, 200);
  assertSchema('requests', all.body);
  assert.ok(all.body.length >= 5);
  assert.ok(all.body.every((q) => q.status === 'open'));
  // Newest first.
  const times = all.body.map((q) => Date.parse(q.requested_datetime));
  assert.deepEqual([...times].sort((x, y) => y - x), times);

  // service_request_id is a comma list and overrides every other filter.
  let r = await get(`requests.json?service_request_id=${a},${b},440605-19990101-00009&service_code=0301&status=closed`);
  assert.deepEqual(r.body.map((q) => q.service_request_id), [a, b]);
  r = await get(`requests.json?service_code=0101,0102`);
  assert.deepEqual(r.body.map((q) => q.service_code).sort(), ['0101', '0102']);
  r = await get(`requests.json?service_code=0101&status=open`);
  assert.deepEqual(r.body.map((q) => q.service_request_id), [a]);
  r = await get(`requests.json?status=closed`);
  assert.deepEqual(r.body, []);
  r = await get(`requests.json?status=open,closed`);
  assert.equal(r.body.length, all.body.length);
  // Empty parameters are absent: filters, paging, ids, dates and the jurisdiction.
  r = await get(`requests.json?service_code=&status=&start_date=&page=`);
  assert.equal(r.body.length, all.body.length);
  r = await get(`requests.json?service_request_id=&end_date=&page_size=&extensions=&jurisdiction_id=`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, all.body);
  for (const path of ['services.json?jurisdiction_id=', `services/0204.json?jurisdiction_id=`, `requests/${a}.json?jurisdiction_id=&extensions=`, 'discovery.json?jurisdiction_id=']) {
    assert.equal((await get(path)).status, 200, path);
  }
  // page_size alone, and the maximum page size.
  r = await get('requests.json?page_size=1');
  assert.deepEqual(r.body, all.body.slice(0, 1));
  r = await get('requests.json?page_size=1000&page=1');
  assert.deepEqual(r.body, all.body);

  // Dates: a window in the past has nothing; one around now has everything.
  const now = Date.now();
  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  r = await get(`requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z`);
  assert.deepEqual(r.body, []);
  r = await get(`requests.json?start_date=${iso(now - 3600e3)}&end_date=${iso(now + 3600e3)}`);
  assert.equal(r.body.length, all.body.length);
  r = await get(`requests.json?start_date=${encodeURIComponent(new Date(now - 3600e3).toISOString().slice(0, 19))}%2B08:00`);
  assert.equal(r.status, 200);
  r = await get(`requests.json?end_date=${iso(now - 86400e3)}`);
  assert.deepEqual(r.body, []);
  await expectError(400, (f) => get(`requests.${f}?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z`), '> 90 days');
  await expectError(400, (f) => get(`requests.${f}?start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z`), 'end before start');
  await expectError(400, (f) => get(`requests.${f}?start_date=2026-01-01T00:00:00`), 'no time zone');
  await expectError(400, (f) => get(`requests.${f}?start_date=yesterday`), 'not a date');
  await expectError(400, (f) => get(`requests.${f}?status=pending`), 'bad status');
  await expectError(400, (f) => get(`requests.${f}?service_code=abc`), 'bad service code');
  await expectError(400, (f) => get(`requests.${f}?page_size=1001`), 'page_size');
  await expectError(400, (f) => get(`requests.${f}?page=0`), 'page');
  await expectError(400, (f) => get(`requests.${f}?extensions=maybe`), 'extensions');

  // Paging walks the same list without overlap.
  const pages = [];
  for (let p = 1; p <= 10; p++) {
    const pg = await get(`requests.json?page_size=2&page=${p}`);
    assert.ok(pg.body.length <= 2);
    if (pg.body.length === 0) break;
    pages.push(...pg.body.map((q) => q.service_request_id));
  }
  assert.deepEqual(pages, all.body.map((q) => q.service_request_id));

  // An empty jurisdiction_id (and other empty fields) in a POST body are absent too.
  const emptyJurisdiction = await post('requests.json', reportFields({ jurisdiction_id: '', address_string: '', email: '' }));
  assert.equal(emptyJurisdiction.status, 200, emptyJurisdiction.text);

  const x = await get(`requests.xml?service_code=0101`);
  xmlWellFormed(x.text);
  assert.equal((x.text.match(/<request>/g) ?? []).length, 1);
  const empty = await get(`requests.xml?status=closed`);
  xmlWellFormed(empty.text);
  assert.match(empty.text, /<service_requests\/>/);
});

test('cases from other channels show no description, address or picture', async () => {
  const r = await postJson(`${url}/api/v1/cases`, tokens.resident, {
    channel: 'web', category: '0701', description: 'My neighbour and I argue about the wall',
    lon: 113.02, lat: 23.05, address: 'Building 1, flat 302',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const q = (await get(`requests/${r.body.number}.json?extensions=true`)).body[0];
  assertSchema('request', q);
  assert.equal(q.description, null);
  assert.equal(q.address, null);
  assert.equal(q.service_code, '0701');
  assert.ok(q.notes.every((n) => n.description === null));
  const text = (await get(`requests/${r.body.number}.xml`)).text;
  assert.doesNotMatch(text, /neighbour|flat 302/);
});

// ---- the workflow round trip ------------------------------------------------------------------
test('round trip: POST, handled through our workflow, GET shows it closed with notes', async () => {
  const id = await reportOne({ description: 'Lamp post leaning over the pavement' });
  let r = await act(tokens.dispatcher, id, { action: 'accept' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  let q = (await get(`requests/${id}.json?extensions=true`)).body[0];
  assert.equal(q.status, 'open');
  assert.equal(q.extended_attributes.fms_status, 'investigating');
  r = await act(tokens.dispatcher, id, { action: 'dispatch', department: 'urban_management' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal((await get(`requests/${id}.json?extensions=true`)).body[0].extended_attributes.fms_status, 'action_scheduled');
  r = await act(tokens.handler, id, { action: 'start' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await act(tokens.handler, id, { action: 'handle', text: 'Lamp post straightened and bolted' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await act(tokens.worker1, id, { action: 'verify' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await act(tokens.dispatcher, id, { action: 'close', outcome: 'resolved' });
  assert.equal(r.status, 200, JSON.stringify(r.body));

  const j = await get(`requests/${id}.json?extensions=true`);
  assertSchema('requests', j.body);
  q = j.body[0];
  assert.equal(q.status, 'closed');
  assert.match(q.status_notes, /^Closed \(resolved\): Lamp post straightened and bolted$/);
  assert.equal(q.updated_datetime, r.body.closed_at);
  assert.equal(q.expected_datetime, null);
  assert.equal(q.agency_responsible, 'Urban Management Bureau');
  assert.equal(q.extended_attributes.fms_status, 'fixed');
  assert.equal(q.extended_attributes.outcome, 'resolved');
  assert.deepEqual(q.notes.map((n) => n.summary), ['report', 'accept', 'dispatch', 'start', 'handle', 'verify', 'close']);
  assert.deepEqual(q.notes.map((n) => n.type), ['opened', 'activity', 'activity', 'activity', 'activity', 'activity', 'closed']);
  assert.equal(q.notes[4].description, 'Lamp post straightened and bolted');
  assert.equal(q.notes[6].extended_attributes.to_state, 'closed');

  const x = await get(`requests/${id}.xml?extensions=true`);
  xmlWellFormed(x.text);
  assert.equal(xmlText(x.text, 'status'), 'closed');
  assert.match(x.text, /<notes><note><datetime>[^<]+<\/datetime><summary>report<\/summary>/);
  assert.match(x.text, /<extended_attributes><case_number>/);

  // Closed requests answer status=closed, and the FixMyStreet feed shows the steps.
  const closed = await get(`requests.json?status=closed`);
  assert.deepEqual(closed.body.map((c) => c.service_request_id), [id]);
  const u = await get('servicerequestupdates.json');
  assert.equal(u.status, 200);
  assertSchema('requestUpdates', u.body);
  const mine = u.body.filter((e) => e.service_request_id === id);
  assert.deepEqual(mine.map((e) => e.status), ['for_triage', 'investigating', 'action_scheduled', 'in_progress', 'in_progress', 'in_progress', 'fixed']);
  assert.equal(mine[4].description, 'Lamp post straightened and bolted');
  assert.equal(mine[6].external_status_code, 'closed');
  const ux = await get('servicerequestupdates.xml');
  xmlWellFormed(ux.text);
  assert.match(ux.text, /<service_request_updates><request_update><update_id>/);
  const none = await get('servicerequestupdates.json?start_date=2020-01-01T00:00:00Z&end_date=2020-01-02T00:00:00Z');
  assert.deepEqual(none.body, []);
  await expectError(400, (f) => get(`servicerequestupdates.${f}?start_date=2020-01-01T00:00:00Z&end_date=2021-01-01T00:00:00Z`), 'updates window');
});

// ---- FixMyStreet updates ------------------------------------------------------------------------
test('POST servicerequestupdates: statuses become workflow actions of the key\'s user', async () => {
  const id = await reportOne({ description: 'Broken lamp again' });
  let n = 0;
  // Each post is a new update (its own update_id) unless the test names one.
  const upd = (extra, key = fmsKey, fmt = 'json') => post(`servicerequestupdates.${fmt}`, {
    api_key: key, jurisdiction_id: JURISDICTION, service_request_id: id, update_id: `fms-auto-${++n}`,
    status: 'IN_PROGRESS', updated_datetime: '2026-11-22T10:00:00+08:00', description: 'We are on it', ...extra,
  });
  let r = await upd({});
  assert.equal(r.status, 200, r.text);
  assertSchema('updateResult', r.body);
  assert.equal(r.body[0].update_id, `${id}-2`);
  let q = (await get(`requests/${id}.json?extensions=true`)).body[0];
  assert.equal(q.extended_attributes.state, 'accepted');
  // Same status again: a comment, no state change.
  r = await upd({ status: 'INVESTIGATING', update_id: 'fms-2', description: 'Still looking' }, fmsKey, 'xml');
  assert.equal(r.status, 200, r.text);
  xmlWellFormed(r.text);
  assert.equal(xmlText(r.text, 'update_id'), `${id}-3`);
  q = (await get(`requests/${id}.json?extensions=true`)).body[0];
  assert.equal(q.extended_attributes.state, 'accepted');
  // no_further_action answers it; fixed then closes it with the answer as outcome.
  r = await upd({ status: 'NO_FURTHER_ACTION', update_id: 'fms-3', description: 'It is a private road' });
  assert.equal(r.status, 200, r.text);
  r = await upd({ status: 'FIXED', update_id: 'fms-4', description: 'Closing' });
  assert.equal(r.status, 200, r.text);
  q = (await get(`requests/${id}.json?extensions=true`)).body[0];
  assert.equal(q.status, 'closed');
  assert.equal(q.extended_attributes.fms_status, 'no_further_action');
  assert.match(q.status_notes, /Closed \(answered\)/);

  // Errors: wrong/unbound keys 403, a user the workflow refuses 403, no transition 400.
  await expectError(403, (f) => upd({}, 'g311_nope', f), 'bad key');
  await expectError(403, (f) => upd({}, appKey, f), 'unbound key');
  const other = await reportOne();
  const d = await expectError(403, (f) => post(`servicerequestupdates.${f}`, {
    api_key: workerKey, service_request_id: other, update_id: 'x', status: 'NOT_COUNCILS_RESPONSIBILITY',
    updated_datetime: '2026-11-22T10:00:00Z', description: 'not ours',
  }), 'worker outside scope');
  assert.ok(d.length > 0);
  await expectError(400, (f) => upd({ status: 'ACTION_SCHEDULED' }, fmsKey, f), 'no transition from closed');
  await expectError(400, (f) => upd({ status: 'DONE' }, fmsKey, f), 'unknown status');
  await expectError(400, (f) => upd({ description: '' }, fmsKey, f), 'missing description');
  await expectError(400, (f) => upd({ updated_datetime: '2026-11-22 10:00' }, fmsKey, f), 'bad datetime');
  await expectError(404, (f) => upd({ service_request_id: '440605-19990101-00001' }, fmsKey, f), 'unknown request');
  await expectError(404, (f) => upd({ jurisdiction_id: 'elsewhere' }, fmsKey, f), 'jurisdiction');
  // REOPEN reopens the closed request through the workflow.
  r = await upd({ status: 'REOPEN', update_id: 'fms-5', description: 'It is broken again' });
  assert.equal(r.status, 200, r.text);
  q = (await get(`requests/${id}.json?extensions=true`)).body[0];
  assert.equal(q.status, 'open');
  assert.equal(q.extended_attributes.fms_status, 'reopen');
  assert.equal(q.extended_attributes.reopen_count, 1);
  // The internal comment never appears publicly.
  assert.ok(!q.notes.some((n) => n.summary === 'comment'));
});

const fmsUpdate = (id, updateId, status, extra = {}, fmt = 'json', key = fmsKey) => post(`servicerequestupdates.${fmt}`, {
  api_key: key, jurisdiction_id: JURISDICTION, service_request_id: id, update_id: updateId,
  status, updated_datetime: '2026-11-22T10:00:00Z', description: `Update ${updateId}`, ...extra,
});

test('POST servicerequestupdates: the same update_id twice acts once; GET lists stable update ids', async () => {
  const id = await reportOne({ description: 'Sign knocked over' });
  const first = await fmsUpdate(id, 'fms-dup-1', 'INVESTIGATING');
  assert.equal(first.status, 200, first.text);
  const uid = first.body[0].update_id;
  assert.equal(uid, `${id}-2`);
  const notesBefore = (await get(`requests/${id}.json?extensions=true`)).body[0].notes;
  assert.deepEqual(notesBefore.map((x) => x.summary), ['report', 'accept']);
  // FixMyStreet retries: the same update_id (even with another status or text) answers the
  // first update's id in both formats and creates nothing.
  for (const [status, fmt] of [['INVESTIGATING', 'json'], ['FIXED', 'json'], ['INVESTIGATING', 'xml']]) {
    const again = await fmsUpdate(id, 'fms-dup-1', status, { description: 'retried' }, fmt);
    assert.equal(again.status, 200, again.text);
    if (fmt === 'xml') {
      xmlWellFormed(again.text);
      assert.equal(xmlText(again.text, 'update_id'), uid);
    } else {
      assertSchema('updateResult', again.body);
      assert.equal(again.body[0].update_id, uid);
    }
  }
  let q = (await get(`requests/${id}.json?extensions=true`)).body[0];
  assert.deepEqual(q.notes, notesBefore);
  assert.equal(q.extended_attributes.state, 'accepted');
  const staff = await (await fetch(`${url}/api/v1/cases/${id}/events`, { headers: { authorization: `Bearer ${tokens.dispatcher}` } })).json();
  assert.equal((staff.items ?? staff).length, 2, JSON.stringify(staff));
  // The update_id of one client on another request is refused; another client's own ids are
  // its own.
  const other = await reportOne();
  await expectError(400, (f) => fmsUpdate(other, 'fms-dup-1', 'INVESTIGATING', {}, f), 'update_id reused');
  const fms2 = mustGridgov('apikey', 'add', '--db', db, '--name', 'fixmystreet-2', '--user', 'dispatcher').stdout.trim();
  const second = await fmsUpdate(id, 'fms-dup-1', 'NO_FURTHER_ACTION', {}, 'json', fms2);
  assert.equal(second.status, 200, second.text);
  assert.equal(second.body[0].update_id, `${id}-3`);
  q = (await get(`requests/${id}.json?extensions=true`)).body[0];
  assert.equal(q.extended_attributes.fms_status, 'no_further_action');

  // GET with start_date/end_date: every public step with its update id, the same on every call.
  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const window = `start_date=${iso(Date.now() - 3600e3)}&end_date=${iso(Date.now() + 3600e3)}`;
  const list1 = await get(`servicerequestupdates.json?${window}`);
  assert.equal(list1.status, 200, list1.text);
  assertSchema('requestUpdates', list1.body);
  const mine = list1.body.filter((u) => u.service_request_id === id);
  assert.deepEqual(mine.map((u) => u.update_id), [`${id}-1`, `${id}-2`, `${id}-3`]);
  assert.deepEqual(mine.map((u) => u.status), ['for_triage', 'investigating', 'no_further_action']);
  assert.equal(mine[1].description, 'Update fms-dup-1');
  const list2 = await get(`servicerequestupdates.json?${window}`);
  assert.deepEqual(list2.body, list1.body);
  const ids = list1.body.map((u) => u.update_id);
  assert.equal(new Set(ids).size, ids.length, 'update ids are unique');
  const lx = await get(`servicerequestupdates.xml?${window}`);
  xmlWellFormed(lx.text);
  assert.ok(lx.text.includes(`<update_id>${id}-2</update_id>`));
  // Empty parameters are absent: the default window (the last 90 days) holds the same.
  const dflt = await get('servicerequestupdates.json?start_date=&end_date=&jurisdiction_id=');
  assert.deepEqual(dflt.body.filter((u) => u.service_request_id === id), mine);
});

test('every FixMyStreet extended status, posted and read back', async () => {
  // Resolving on site is a grid worker's step: FixMyStreet's key for it acts as worker1.
  const gridKey = mustGridgov('apikey', 'add', '--db', db, '--name', 'grid-app', '--user', 'worker1').stdout.trim();
  // [statuses posted in order (w: by the grid worker's key), the fms_status read back, open/closed]
  const cases = [
    [['FOR_TRIAGE'], 'for_triage', 'open'],                       // same status: a comment
    [['INVESTIGATING'], 'investigating', 'open'],                 // accept
    [['IN_PROGRESS'], 'investigating', 'open'],                   // accept (no dispatch yet)
    [['ACTION_SCHEDULED'], 'investigating', 'open'],              // accept
    [['INVESTIGATING', 'INTERNAL_REFERRAL'], 'internal_referral', 'open'], // escalate
    [['NO_FURTHER_ACTION'], 'no_further_action', 'open'],         // answer
    [['w:FIXED'], 'fixed', 'open'],                                // resolve on site
    [['w:FIXED', 'CLOSED'], 'fixed', 'closed'],                   // close resolved
    [['w:FIXED', 'DUPLICATE'], 'duplicate', 'closed'],            // close not_resolved duplicate
    [['NOT_COUNCILS_RESPONSIBILITY'], 'not_councils_responsibility', 'closed'], // reject
    [['DUPLICATE'], 'not_councils_responsibility', 'closed'],     // reject (reason: the text)
    [['w:FIXED', 'CLOSED', 'REOPEN'], 'reopen', 'open'],          // reopen
    [['w:FIXED', 'CLOSED', 'OPEN'], 'reopen', 'open'],
    [['w:FIXED', 'CLOSED', 'FOR_TRIAGE'], 'reopen', 'open'],
  ];
  const seen = new Set();
  for (const [statuses, shown, plain] of cases) {
    const id = await reportOne({ description: `Lamp for ${statuses.join(' ')}` });
    for (const [i, step] of statuses.entries()) {
      const status = step.replace(/^w:/, '');
      seen.add(status.toLowerCase());
      const key = step.startsWith('w:') ? gridKey : fmsKey;
      const r = await fmsUpdate(id, `all-${id}-${i}`, status, { description: `${status} step` }, 'json', key);
      assert.equal(r.status, 200, `${statuses.join('>')}: ${r.text}`);
    }
    const q = (await get(`requests/${id}.json?extensions=true`)).body[0];
    assert.equal(q.extended_attributes.fms_status, shown, statuses.join('>'));
    assert.equal(q.status, plain, statuses.join('>'));
    const feed = (await get('servicerequestupdates.json')).body.filter((u) => u.service_request_id === id);
    assert.equal(feed.at(-1).status, shown, statuses.join('>'));
  }
  assert.deepEqual([...seen].sort(), ['action_scheduled', 'closed', 'duplicate', 'fixed', 'for_triage',
    'in_progress', 'internal_referral', 'investigating', 'no_further_action', 'not_councils_responsibility',
    'open', 'reopen']);
  // Statuses in lower case are accepted too (FixMyStreet sends upper case).
  const id = await reportOne();
  assert.equal((await fmsUpdate(id, `lc-${id}`, 'investigating')).status, 200);
});

// ---- the CLI and the settings -------------------------------------------------------------------
test('gridgov apikey list shows clients, never keys; names are unique', () => {
  const list = mustGridgov('apikey', 'list', '--db', db).stdout;
  assert.match(list, /fixmystreet/);
  assert.match(list, /city-app/);
  assert.doesNotMatch(list, /g311_/);
  const dup = gridgov('apikey', 'add', '--db', db, '--name', 'city-app');
  assert.notEqual(dup.status, 0);
  assert.match(dup.stderr, /already exists/);
  const badUser = gridgov('apikey', 'add', '--db', db, '--name', 'x', '--user', 'nobody');
  assert.notEqual(badUser.status, 0);
  const usage = gridgov('apikey', 'add', '--db', db);
  assert.equal(usage.status, 2);
});

test('settings: no charset suffix, batch services answer tokens', async () => {
  await server.stop();
  server = null;
  const s2 = await startServer(db, [], {
    GRIDGOV_OPEN311_CHARSET: '0', GRIDGOV_OPEN311_SERVICE_TYPE: 'batch',
    GRIDGOV_OPEN311_BASE_URL: 'https://311.nanhai.example/', GRIDGOV_OPEN311_TEST_URL: 'https://test.311.nanhai.example/open311/v2',
  });
  try {
    const b2 = `${s2.url}/open311/v2`;
    let res = await fetch(`${b2}/services.json`);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.ok((await res.json()).every((s) => s.type === 'batch'));
    res = await fetch(`${b2}/services.xml`);
    assert.equal(res.headers.get('content-type'), 'text/xml');
    const disc = await (await fetch(`${b2}/discovery.json`)).json();
    assert.equal(disc.endpoints.find((e) => e.type === 'production').url, 'https://311.nanhai.example/open311/v2');
    assert.equal(disc.endpoints.find((e) => e.type === 'test').url, 'https://test.311.nanhai.example/open311/v2');
    // No jurisdiction configured: any is accepted.
    res = await fetch(`${b2}/requests.json`, { method: 'POST', body: new URLSearchParams(reportFields({ jurisdiction_id: 'any.example' })) });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assertSchema('postResult', body);
    assert.ok(!('service_request_id' in body[0]));
    const t = await (await fetch(`${b2}/tokens/${body[0].token}.json`)).json();
    assertSchema('tokenResult', t);
    assert.match(t[0].service_request_id, /^440605-\d{8}-\d{5}$/);
  } finally {
    await s2.stop();
  }
});
