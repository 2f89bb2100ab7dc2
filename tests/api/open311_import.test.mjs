// gridgov import open311: Boston- and San Francisco-layout exports (a crafted file with every
// kind of sloppy row, and the real samples in ../shared/data when present), a mapped layout,
// re-import, and the imported history read back over GeoReport with its original times.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, removeDir, makeDatabase, startServer, gridgov, mustGridgov } from './helpers.mjs';

const DATA = process.env.GRIDGOV_SHARED_DATA ?? '/work/shared/data';
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
  assert.match(r.stderr, /requests\.json:2: warning: time '2016-02-02T08:00:00' has no time zone/);
  assert.match(r.stderr, /requests\.json:3: warning: request 3 is not an object/);
  assert.match(r.stderr, /requests\.json:4: warning: no readable open time/);
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
