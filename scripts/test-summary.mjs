// test-summary - read meson's JSON test logs and print one closing line
// "N passed, N failed, N skipped" counting subtests (TAP) where meson recorded them.
import { readFileSync, existsSync } from 'node:fs';

let passed = 0, failed = 0, skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) { failed++; console.log(`missing test log ${file}`); continue; }
  for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
    if (!line) continue;
    const t = JSON.parse(line);
    const subs = t.subtests ?? [];
    if (t.result === 'SKIP') { skipped++; continue; }
    if (subs.length === 0) {
      if (t.result === 'OK' || t.result === 'EXPECTEDFAIL') passed++; else failed++;
      continue;
    }
    for (const s of subs) {
      if (s.result === 'OK' || s.result === 'EXPECTEDFAIL') passed++;
      else if (s.result === 'SKIP') skipped++;
      else failed++;
    }
    if (t.result !== 'OK' && !subs.some((s) => s.result === 'FAIL' || s.result === 'ERROR')) failed++;
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);
