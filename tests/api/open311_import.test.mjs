// gridgov import open311: Boston- and San Francisco-layout exports (a crafted file with every
// kind of sloppy row, and the real samples in ../shared/data when present), a mapped layout,
// re-import, and the imported history read back over GeoReport with its original times.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { tempDir, removeDir, makeDatabase, startServer, gridgov, mustGridgov } from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(here, 'fixtures');
// The real samples sit beside the repository: ../shared/data from its root.
const DATA = process.env.GRIDGOV_SHARED_DATA ?? join(here, '..', '..', '..', 'shared', 'data');
let dir;
let db;

before(() => {
  dir = tempDir();
  db = makeDatabase(dir);
});

after(() => removeDir(dir));

const BOSTON_HEADER = 'case_enquiry_id,open_dt,target_dt,closed_dt,ontime_status,case_status,case_title,subject,reason,type,queue,department,neighborhood,ward,precinct,latitude,longitude,source';

function bostonRow(id, open, closed, status, type, lat, lon, source = 'Constituent Call', title = 'Lamp') {
  return `${id},${open},,${closed},ONTIME,${status},${title},Public Works Department,Street Lights,${type},PWDx_Street Light Outages,PWDx,Dorchester,Ward 7,708.0,${lat},${lon},${source}`;
}

test('a Boston-layout file: times in Boston time, mapping, sloppy rows warned, history kept', async () => {
  const csv = [
    BOSTON_HEADER,
    bostonRow('B1', '2015-01-05T09:00:00', '2015-01-06T10:30:00', 'Closed', 'Street Light Outages', '23.05', '113.02'),
    bostonRow('B2', '2015-07-01T08:00:00', '', 'OPEN', 'Street Light Outages', '23.06', '113.03', 'Citizens Connect App'),
    bostonRow('B3', '2015-02-01T08:00:00', '', 'Closed', 'Graffiti Removal', '23.07', '113.04', 'Self Service'),
    bostonRow('B4', 'yesterday', '', 'Open', 'Street Light Outages', '23.05', '113.02'),
    bostonRow('B5', '2015-03-01T08:00:00', '', 'Open', 'Street Light Outages', '42.3594', '-71.0587'),
    bostonRow('B6', '2015-03-02T08:00:00', '2015-03-01T08:00:00', 'Closed', 'Street Light Outages', '23.05', '113.02', 'Employee Generated'),
    bostonRow('B7', '2015-03-03T08:00:00', '', 'Pending review', 'Street Light Outages', '23.05', '113.02'),
    'B8,2015-03-04T08:00:00,,,"broken quote,Open',
  ].join('\n');
  const file = join(dir, 'boston.csv');
  writeFileSync(file, `${csv}\n`);
  const mapping = join(dir, 'map.csv');
  writeFileSync(mapping, 'kind,from,to\nservice,street light outages,0204\n');

  const r = gridgov('import', 'open311', file, '--db', db, '--mapping', mapping);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /boston layout, 5 cases imported/);
  assert.match(r.stdout, /rows 8: imported 5 \(closed 3\), already imported 0, skipped 3/);
  assert.match(r.stdout, /1 rows went to the default category/);
  assert.match(r.stdout, /1\s+Graffiti Removal/);
  assert.match(r.stderr, /boston\.csv:5: warning: no readable open time/);
  assert.match(r.stderr, /boston\.csv:6: warning: the point lies in no district/);
  assert.match(r.stderr, /boston\.csv:7: warning: closed before it was opened/);
  assert.match(r.stderr, /boston\.csv:8: warning: status 'Pending review' is neither open nor closed/);
  assert.match(r.stderr, /boston\.csv:4: warning: closed without a close time/);
  assert.match(r.stderr, /boston\.csv:9: warning: malformed row skipped/);

  // Again: every row is already in.
  const again = gridgov('import', 'open311', file, '--db', db, '--mapping', mapping);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /imported 0 \(closed 0\), already imported 5, skipped 3/);
  // The hash chains of the imported history hold.
  assert.match(mustGridgov('verify', '--db', db).stdout, /every hash chain is intact/);

  // Over GeoReport: original times in UTC, mapped service, closed with its close time.
  const server = await startServer(db);
  try {
    const base = `${server.url}/open311/v2`;
    const get = async (q) => (await fetch(`${base}/requests.json?${q}`)).json();
    let list = await get('start_date=2015-01-01T00:00:00Z&end_date=2015-03-31T00:00:00Z&extensions=true');
    const byTime = Object.fromEntries(list.map((q) => [q.requested_datetime, q]));
    const b1 = byTime['2015-01-05T14:00:00Z']; // 09:00 EST
    assert.ok(b1, JSON.stringify(list.map((q) => q.requested_datetime)));
    assert.equal(b1.status, 'closed');
    assert.equal(b1.updated_datetime, '2015-01-06T15:30:00Z');
    assert.equal(b1.service_code, '0204');
    assert.equal(b1.extended_attributes.channel, 'phone');
    assert.equal(b1.extended_attributes.outcome, 'resolved');
    assert.deepEqual(b1.notes.map((n) => n.summary), ['report', 'answer', 'close']);
    assert.equal(b1.notes[0].datetime, '2015-01-05T14:00:00Z');
    assert.equal(b1.notes[2].datetime, '2015-01-06T15:30:00Z');
    const b3 = byTime['2015-02-01T13:00:00Z'];
    assert.equal(b3.service_code, '99');
    assert.equal(b3.extended_attributes.channel, 'web');
    const b6 = byTime['2015-03-02T13:00:00Z'];
    assert.equal(b6.updated_datetime, b6.requested_datetime); // moved to its open time
    assert.equal(b6.extended_attributes.channel, 'patrol');
    list = await get('start_date=2015-06-15T00:00:00Z&end_date=2015-07-15T00:00:00Z');
    assert.equal(list.length, 1);
    assert.equal(list[0].requested_datetime, '2015-07-01T12:00:00Z'); // 08:00 EDT
    assert.equal(list[0].status, 'open');
  } finally {
    await server.stop();
  }
});

test('a GeoReport JSON response, sloppy as found in the wild', async () => {
  const file = join(dir, 'requests.json');
  writeFileSync(file, JSON.stringify([
    { service_request_id: 'J1', status: 'closed', service_name: 'Street Light Outages', service_code: '001',
      description: 'Light out', requested_datetime: '2016-02-01T10:00:00-05:00', updated_datetime: '2016-02-03T09:00:00Z',
      lat: 23.05, long: 113.02, status_notes: 'Duplicate of J0' },
    { service_request_id: 'J2', status: 'Open', service_name: 'Pothole', requested_datetime: '2016-02-02T08:00:00',
      lat: '23.06', long: '113.03' },
    'not a request',
    { service_request_id: 'J3', status: 'open', requested_datetime: 'soon' },
  ]));
  const mapping = join(dir, 'map-json.csv');
  writeFileSync(mapping, 'kind,from,to\nservice,Street Light Outages,0204\n');
  const r = gridgov('import', 'open311', file, '--db', db, '--mapping', mapping);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /georeport-json layout, 2 cases imported/);
  assert.match(r.stdout, /rows 4: imported 2 \(closed 1\), already imported 0, skipped 2/);
  assert.match(r.stderr, /requests\.json: warning: record 2: time '2016-02-02T08:00:00' has no time zone/);
  assert.match(r.stderr, /requests\.json: warning: record 2: status 'Open' read as open/);
  assert.match(r.stderr, /requests\.json: warning: record 3: not a request: skipped/);
  assert.match(r.stderr, /requests\.json: warning: record 4: no readable open time/);
  const server = await startServer(db);
  try {
    const list = await (await fetch(`${server.url}/open311/v2/requests.json?start_date=2016-01-15T00:00:00Z&end_date=2016-02-15T00:00:00Z&extensions=true`)).json();
    const j1 = list.find((q) => q.requested_datetime === '2016-02-01T15:00:00Z');
    assert.ok(j1, JSON.stringify(list));
    assert.equal(j1.status, 'closed');
    assert.equal(j1.updated_datetime, '2016-02-03T09:00:00Z');
    assert.equal(j1.service_code, '0204');
    assert.equal(j1.extended_attributes.outcome_reason, 'duplicate');
    const j2 = list.find((q) => q.requested_datetime === '2016-02-02T08:00:00Z');
    assert.equal(j2.status, 'open');
    assert.equal(j2.service_code, '99');
  } finally {
    await server.stop();
  }
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"requests": 5}');
  assert.notEqual(gridgov('import', 'open311', bad, '--db', db).status, 0);
  writeFileSync(bad, '[{"a":');
  assert.match(gridgov('import', 'open311', bad, '--db', db).stderr, /not JSON/);
});

test('a mapped layout, a fallback area, and refusals', () => {
  const file = join(dir, 'other.csv');
  writeFileSync(file, 'Ticket,Created At,Done At,What,Where\n'
    + 'T1,2016-05-01 10:00,2016-05-02 10:00,Pothole,Somewhere\n'
    + 'T2,05/03/2016 09:15:00 PM,,Noise,Elsewhere\n');
  const mapping = join(dir, 'cols.csv');
  writeFileSync(mapping, 'kind,from,to\ncolumn,id,Ticket\ncolumn,opened,Created At\n'
    + 'column,closed,Done At\ncolumn,service,What\ncolumn,address,Where\nservice,Pothole,0205\n');
  // No location and no --area: skipped.
  let r = gridgov('import', 'open311', file, '--db', db, '--mapping', mapping);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /mapped layout, 0 cases imported/);
  assert.match(r.stderr, /no location: row skipped/);
  r = gridgov('import', 'open311', file, '--db', db, '--mapping', mapping, '--area', '440605001002', '--zone', '+08:00');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /imported 2 \(closed 1\)/);

  // Refusals: unknown layout, bad options, bad mapping, missing file.
  const unknown = join(dir, 'unknown.csv');
  writeFileSync(unknown, 'a,b\n1,2\n');
  r = gridgov('import', 'open311', unknown, '--db', db);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /not the Boston, San Francisco or GeoReport bulk layout/);
  r = gridgov('import', 'open311', file, '--db', db, '--mapping', mapping, '--area', '999999');
  assert.notEqual(r.status, 0);
  r = gridgov('import', 'open311', file, '--db', db, '--mapping', mapping, '--zone', 'Mars');
  assert.notEqual(r.status, 0);
  r = gridgov('import', 'open311', file, '--db', db, '--default-category', '9999');
  assert.notEqual(r.status, 0);
  const badMap = join(dir, 'bad.csv');
  writeFileSync(badMap, 'kind,from,to\nservice,x,notacode\n');
  r = gridgov('import', 'open311', file, '--db', db, '--mapping', badMap);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /not a category code/);
  r = gridgov('import', 'open311', join(dir, 'missing.csv'), '--db', db);
  assert.notEqual(r.status, 0);
  r = gridgov('import', 'open311', '--db', db);
  assert.equal(r.status, 2);
});

test('a GeoReport XML response, sloppy, by hand (fixtures/georeport_sloppy.xml)', async () => {
  const file = join(FIXTURES, 'georeport_sloppy.xml');
  const mapping = join(dir, 'map-xml.csv');
  writeFileSync(mapping, 'kind,from,to\nservice,Street Light Outages,0204\n');
  const r = gridgov('import', 'open311', file, '--db', db, '--mapping', mapping);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /georeport-xml layout, 3 cases imported/);
  assert.match(r.stdout, /rows 5: imported 3 \(closed 2\), already imported 0, skipped 2/);
  const w = (text) => new RegExp(`georeport_sloppy\\.xml: warning: ${text}`);
  assert.match(r.stderr, w("record 2 \\(line 25\\): unknown field 'council_ward' ignored"));
  assert.match(r.stderr, w("record 2 \\(line 25\\): status 'Open' read as open"));
  assert.match(r.stderr, w("record 2 \\(line 25\\): time '2016-03-03 08:00:00' has no time zone: read as UTC"));
  assert.match(r.stderr, w("record 3 \\(line 38\\): status 'CLOSED' read as closed"));
  assert.match(r.stderr, w("record 3 \\(line 38\\): time '2016-03-04T12:00:00' has no time zone"));
  assert.match(r.stderr, w('record 4 \\(line 48\\): not a request: skipped'));
  assert.match(r.stderr, w('record 5 \\(line 49\\): no readable open time'));
  assert.doesNotMatch(r.stderr, /extended_attributes/); // a known extension, not "unknown"
  // Again: every request is already in; the same file forced as XML reads the same.
  const again = gridgov('import', 'open311', file, '--db', db, '--mapping', mapping, '--format', 'xml');
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /imported 0 \(closed 0\), already imported 3, skipped 2/);

  const server = await startServer(db);
  try {
    const base = `${server.url}/open311/v2`;
    const list = await (await fetch(`${base}/requests.json?start_date=2016-02-25T00:00:00Z&end_date=2016-03-10T00:00:00Z&extensions=true`)).json();
    const at = (t) => list.find((q) => q.requested_datetime === t);
    const x1 = at('2016-03-01T15:00:00Z'); // -05:00 in the source
    assert.ok(x1, JSON.stringify(list.map((q) => q.requested_datetime)));
    assert.equal(x1.status, 'closed');
    assert.equal(x1.updated_datetime, '2016-03-02T09:30:00Z');
    assert.equal(x1.service_code, '0204');
    assert.equal(x1.description, 'Light out & flickering');
    assert.equal(x1.media_url, null);
    assert.equal(x1.extended_attributes.outcome, 'resolved');
    const x2 = at('2016-03-03T08:00:00Z');
    assert.equal(x2.status, 'open');
    assert.equal(x2.service_code, '99');
    assert.equal(x2.description, 'Deep hole <near> the school'); // CDATA
    assert.equal(x2.lat, 23.06);
    const x3 = at('2016-03-04T08:00:00Z');
    assert.equal(x3.status, 'closed');
    assert.equal(x3.updated_datetime, '2016-03-04T12:00:00Z');
    assert.equal(x3.extended_attributes.outcome_reason, 'duplicate');
    assert.equal(list.length, 3);
    // Served back as XML, the text is escaped again.
    const xml = await (await fetch(`${base}/requests/${x2.service_request_id}.xml`)).text();
    assert.match(xml, /<description>Deep hole &lt;near&gt; the school<\/description>/);
  } finally {
    await server.stop();
  }
});

test('a sloppy GeoReport JSON response by hand (fixtures/georeport_sloppy.json)', async () => {
  const file = join(FIXTURES, 'georeport_sloppy.json');
  const mapping = join(dir, 'map-json2.csv');
  writeFileSync(mapping, 'kind,from,to\nservice,Street Light Outages,0204\n');
  const r = gridgov('import', 'open311', file, '--db', db, '--mapping', mapping);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /georeport-json layout, 2 cases imported/);
  assert.match(r.stdout, /rows 4: imported 2 \(closed 1\), already imported 0, skipped 2/);
  const w = (text) => new RegExp(`georeport_sloppy\\.json: warning: ${text}`);
  assert.match(r.stderr, w("record 1: unknown field 'votes' ignored"));
  assert.match(r.stderr, w("record 1: status 'CLOSED' read as closed"));
  assert.match(r.stderr, w("record 1: time '2016-04-01T09:00:00' has no time zone"));
  assert.match(r.stderr, w("record 2: status 'Open' read as open"));
  assert.match(r.stderr, w('record 3: not a request: skipped'));
  assert.match(r.stderr, w('record 4: no location: row skipped'));
  const server = await startServer(db);
  try {
    const list = await (await fetch(`${server.url}/open311/v2/requests.json?start_date=2016-03-25T00:00:00Z&end_date=2016-04-10T00:00:00Z&extensions=true`)).json();
    assert.equal(list.length, 2, JSON.stringify(list));
    const g = list.find((q) => q.requested_datetime === '2016-04-01T09:00:00Z');
    assert.equal(g.status, 'closed');
    assert.equal(g.updated_datetime, '2016-04-05T09:00:00Z'); // +08:00 in the source
    assert.equal(g.lat, 23.07); // a number written as a string
    assert.equal(g.address, null); // "" in the source
    assert.equal(g.media_url, null);
    assert.equal(g.extended_attributes.outcome_reason, 'outside_jurisdiction');
    const l = list.find((q) => q.requested_datetime === '2016-04-02T10:00:00Z');
    assert.equal(l.status, 'open');
    assert.equal(l.service_code, '0204');
    assert.equal(l.media_url, 'https://img.example.org/5002.jpg');
  } finally {
    await server.stop();
  }
});

test('--format, and documents that are refused whole', async () => {
  const json = join(FIXTURES, 'georeport_sloppy.json');
  const xml = join(FIXTURES, 'georeport_sloppy.xml');
  let r = gridgov('import', 'open311', json, '--db', db, '--format', 'xml');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /not an XML document/);
  r = gridgov('import', 'open311', xml, '--db', db, '--format', 'json');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /not JSON/);
  r = gridgov('import', 'open311', json, '--db', db, '--format', 'csv');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /not the Boston, San Francisco or GeoReport bulk layout/);
  r = gridgov('import', 'open311', json, '--db', db, '--format', 'yaml');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /csv, json or xml/);

  const refused = [
    ['errors.xml', '<?xml version="1.0"?><errors><error><code>404</code><description>jurisdiction_id not found</description></error></errors>', /error answer: jurisdiction_id not found/],
    ['errors.json', '[{"code":403,"description":"api_key is wrong"}]', /error answer: api_key is wrong/],
    ['doctype.xml', '<?xml version="1.0"?>\n<!DOCTYPE s [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<service_requests><request><description>&e;</description></request></service_requests>', /DOCTYPE/],
    ['root.xml', '<html><body>Service unavailable</body></html>', /root element <html> is not service_requests/],
    ['utf16.xml', Buffer.from('\ufeff<service_requests/>', 'utf16le'), /UTF-16; save it as UTF-8/],
    // One good request, then a syntax error: nothing of the file is kept.
    ['broken.xml', '<service_requests><request><service_request_id>Z1</service_request_id><requested_datetime>2016-06-10T10:00:00Z</requested_datetime><lat>23.05</lat><long>113.02</long></request>\n<request><status>open</request></service_requests>', /not well-formed XML \(line 2/],
  ];
  for (const [name, text, msg] of refused) {
    const file = join(dir, name);
    writeFileSync(file, text);
    r = gridgov('import', 'open311', file, '--db', db);
    assert.notEqual(r.status, 0, name);
    assert.match(r.stderr, msg, name);
    assert.doesNotMatch(r.stderr, /passwd|root:/);
  }
  const server = await startServer(db);
  try {
    const list = await (await fetch(`${server.url}/open311/v2/requests.json?start_date=2016-06-01T00:00:00Z&end_date=2016-06-30T00:00:00Z`)).json();
    assert.deepEqual(list, []);
  } finally {
    await server.stop();
  }
});

test('imported history: the 90-day default window, start or end alone, at most 1000 a page', async () => {
  // 1001 requests, one a minute from 2017-01-02, as a GeoReport JSON answer.
  const t0 = Date.parse('2017-01-02T00:00:00Z');
  const reqs = Array.from({ length: 1001 }, (_, i) => ({
    service_request_id: `W${i}`, status: 'open', service_name: 'Street Light Outages',
    requested_datetime: new Date(t0 + i * 60e3).toISOString().replace(/\.\d{3}Z$/, 'Z'), lat: 23.05, long: 113.02,
  }));
  const file = join(dir, 'many.json');
  writeFileSync(file, JSON.stringify(reqs));
  const r = gridgov('import', 'open311', file, '--db', db);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /georeport-json layout, 1001 cases imported/);
  const server = await startServer(db);
  try {
    const get = async (q) => {
      const res = await fetch(`${server.url}/open311/v2/${q}`);
      assert.equal(res.status, 200, q);
      return res.json();
    };
    const win = 'start_date=2017-01-01T00:00:00Z&end_date=2017-01-31T00:00:00Z';
    const page1 = await get(`requests.json?${win}`);
    assert.equal(page1.length, 1000);
    assert.equal(page1[0].requested_datetime, '2017-01-02T16:40:00Z'); // newest first
    const page2 = await get(`requests.json?${win}&page=2`);
    assert.equal(page2.length, 1);
    assert.equal(page2[0].requested_datetime, '2017-01-02T00:00:00Z');
    assert.equal((await get(`requests.json?${win}&page_size=400&page=3`)).length, 201);
    // Everything here is history, older than the default window (the last 90 days); empty
    // parameters are absent, so they change nothing.
    assert.deepEqual(await get('requests.json'), []);
    assert.deepEqual(await get('requests.json?start_date=&end_date=&service_request_id=&service_code=&status=&jurisdiction_id='), []);
    // (The updates feed shows only this window's events: the deadline sweep of the servers
    // started above may have carded the imported open cases now, but no imported step.)
    const recent = await get('servicerequestupdates.json');
    const since = new Date(Date.now() - 90 * 86400e3 - 60e3).toISOString();
    assert.ok(recent.every((u) => u.updated_datetime >= since.slice(0, 19)), JSON.stringify(recent.slice(0, 3)));
    // start_date alone: the 90 days from it; end_date alone: the 90 days up to it.
    const fromJan = await get('requests.json?start_date=2015-01-01T00:00:00Z');
    const times = fromJan.map((q) => q.requested_datetime);
    assert.ok(times.includes('2015-01-05T14:00:00Z'), times.join(' '));
    assert.ok(times.every((t) => t >= '2015-01-01T00:00:00Z' && t <= '2015-04-01T00:00:00Z'), times.join(' '));
    const toJuly = await get('requests.json?end_date=2015-07-15T00:00:00Z');
    const t2 = toJuly.map((q) => q.requested_datetime);
    assert.ok(t2.includes('2015-07-01T12:00:00Z'), t2.join(' '));
    assert.ok(t2.every((t) => t >= '2015-04-16T00:00:00Z' && t <= '2015-07-15T00:00:00Z'), t2.join(' '));
    // The updates feed has the same window rules: the reports of that minute.
    const upd = await get('servicerequestupdates.json?start_date=2017-01-02T00:00:00Z&end_date=2017-01-02T00:00:59Z');
    assert.deepEqual(upd.map((u) => [u.status, u.updated_datetime]), [['for_triage', '2017-01-02T00:00:00Z']]);
  } finally {
    await server.stop();
  }
});

// A small RFC 4180 reader for the real samples (quoted fields with commas and line breaks).
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n') { row.push(field.replace(/\r$/, '')); rows.push(row); row = []; field = ''; } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

const xmlEscape = (v) => String(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

test('real San Francisco requests as GeoReport JSON and XML answers: one set of cases', { skip: !existsSync(join(DATA, 'sf')) }, () => {
  const rows = parseCsv(readFileSync(join(DATA, 'sf', 'sf311_cases_sample_2008_2016.csv'), 'utf8'));
  const head = rows[0];
  const col = (name) => head.indexOf(name);
  const na = (v) => (v === 'NA' ? '' : v);
  const reqs = rows.slice(1, 401).map((r) => ({
    service_request_id: r[col('CaseID')], status: r[col('Status')], status_notes: na(r[col('Status.Notes')]),
    service_name: r[col('Request.Type')], service_code: r[col('Category')], description: r[col('Request.Details')],
    agency_responsible: r[col('Responsible.Agency')], requested_datetime: r[col('Opened')],
    updated_datetime: r[col('Closed')] || na(r[col('Updated')]), address: r[col('Address')],
    lat: r[col('Lat')], long: r[col('Long')], media_url: na(r[col('Media.URL')]),
  }));
  assert.equal(reqs.length, 400);
  const jsonFile = join(dir, 'sf_requests.json');
  writeFileSync(jsonFile, JSON.stringify({ service_requests: reqs }));
  const xmlFile = join(dir, 'sf_requests.xml');
  writeFileSync(xmlFile, `<?xml version="1.0" encoding="utf-8"?>\n<service_requests>\n${reqs.map((q) => `<request>${
    Object.entries(q).map(([k, v]) => (v === '' ? `<${k}/>` : `<${k}>${xmlEscape(v)}</${k}>`)).join('')}</request>`).join('\n')}\n</service_requests>\n`);
  const lint = spawnSync('xmllint', ['--noout', xmlFile], { encoding: 'utf8' });
  assert.equal(lint.status, 0, lint.stderr);

  let r = gridgov('import', 'open311', jsonFile, '--db', db, '--area', '440605001001001', '--zone', 'US/Pacific');
  assert.equal(r.status, 0, r.stderr);
  const m = r.stdout.match(/georeport-json layout, (\d+) cases imported/);
  assert.ok(m, r.stdout);
  const imported = Number(m[1]);
  assert.ok(imported >= 390, r.stdout);
  assert.match(r.stderr, /record 1: status 'Closed' read as closed/);
  // The same requests as XML are the same cases.
  r = gridgov('import', 'open311', xmlFile, '--db', db, '--area', '440605001001001', '--zone', 'US/Pacific');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /georeport-xml layout, 0 cases imported/);
  assert.match(r.stdout, new RegExp(`already imported ${imported},`));
  assert.match(mustGridgov('verify', '--db', db).stdout, /every hash chain is intact/);
});

test('the real San Francisco sample and part of Boston 2015 load without a crash', { skip: !existsSync(join(DATA, 'sf')) }, () => {
  const sf = join(DATA, 'sf', 'sf311_cases_sample_2008_2016.csv');
  let r = gridgov('import', 'open311', sf, '--db', db, '--area', '440605001001');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /sf layout, 4984 cases imported/);
  const m = r.stdout.match(/imported (\d+) \(closed (\d+)\)/);
  assert.ok(Number(m[2]) > 4000, r.stdout);
  // The first 3000 lines of the first Boston quarter (the whole year takes about a minute).
  const lines = readFileSync(join(DATA, 'boston', 'boston311_2015_q1.csv'), 'utf8').split('\n').slice(0, 3001);
  const part = join(dir, 'boston_q1_part.csv');
  writeFileSync(part, `${lines.join('\n')}\n`);
  r = gridgov('import', 'open311', part, '--db', db, '--area', '440605001001');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /boston layout, 3000 cases imported/);
  assert.match(mustGridgov('verify', '--db', db).stdout, /every hash chain is intact/);
});
