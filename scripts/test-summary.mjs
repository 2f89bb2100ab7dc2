// test-summary - read meson's JSON test logs and print one closing line
// "N passed, N failed, N skipped", counting the TAP results each test printed (cmocka and
// node --test both speak TAP); a test without TAP output counts once by its result.
import { readFileSync, existsSync } from 'node:fs';

let passed = 0, failed = 0, skipped = 0;
const failures = [];
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) { failed++; console.log(`missing test log ${file}`); continue; }
  for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
    if (!line) continue;
    const t = JSON.parse(line);
    const tap = (t.stdout ?? '').split('\n').filter((l) => /^(not )?ok \d+/.test(l));
    if (t.result === 'SKIP') { skipped++; continue; }
    if (tap.length === 0) {
      if (t.result === 'OK' || t.result === 'EXPECTEDFAIL') passed++; else failed++;
      continue;
    }
    let bad = 0;
    for (const l of tap) {
      if (/# SKIP/i.test(l)) skipped++;
      else if (l.startsWith('ok')) passed++;
      else { failed++; bad++; }
    }
    // A crash after the last TAP line still fails the run.
    if (t.result !== 'OK' && bad === 0) failed++;
    if (t.result !== 'OK' || bad > 0) failures.push({ file, t, notOk: tap.filter((l) => l.startsWith('not ok')) });
  }
}
// The failures again, last, with the end of what each printed: a CI log is often read from
// its tail, and meson's own error logs are far above it.
for (const { file, t, notOk } of failures) {
  console.log(`--- failed: ${t.name} (${t.result}, ${file})`);
  for (const l of notOk) console.log(`  ${l}`);
  for (const stream of ['stdout', 'stderr']) {
    const lines = (t[stream] ?? '').trimEnd().split('\n').filter((l) => l !== '');
    if (lines.length === 0) continue;
    console.log(`  last lines of ${stream}:`);
    for (const l of lines.slice(-25)) console.log(`  | ${l.slice(0, 300)}`);
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);
