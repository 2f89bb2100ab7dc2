// What the user has typed into a view's form fields, kept across a redraw that rebuilds them.
// A language switch redraws the current view from its data, which would put every input,
// select, textarea, checkbox and radio back to its initial value; app.js takes a snapshot of
// the fields before the view relabels itself and puts the values back afterwards.
//
// Fields are matched by a key, not by element: the closest form's id (if any), then the
// field's name (else its id, unless formField() made that id up: those change on every draw),
// the value of a checkbox or radio, and the position among fields with the same key. A field
// whose value the redraw already kept is left alone; a field that is put back gets the
// 'input' and 'change' events typing would have sent, so views that show or hide parts on a
// change (and views that mirror fields in their state) follow. File inputs cannot be set by
// a page and are skipped; hidden inputs and buttons belong to the page, not the user.

const SKIP_TYPES = new Set(['file', 'hidden', 'submit', 'button', 'reset', 'image']);
const MAX_PASSES = 4; // a restored field may redraw others (a category refills its subtypes)

function fieldsOf(root) {
  return [...root.querySelectorAll('input, select, textarea')].filter((f) => !(f.tagName === 'INPUT' && SKIP_TYPES.has(f.type)));
}

function isChoice(f) {
  return f.tagName === 'INPUT' && (f.type === 'checkbox' || f.type === 'radio');
}

// [[key, field]] in document order, keys unique within root.
function keyed(root) {
  const seen = new Map();
  const out = [];
  for (const f of fieldsOf(root)) {
    const scope = (f.form && f.form.id) || '';
    const ident = f.name || (f.id && !('autoId' in f.dataset) ? '#' + f.id : '');
    let key = `${scope}|${f.tagName}|${ident}`;
    if (isChoice(f)) key += '=' + f.value;
    const n = seen.get(key) || 0;
    seen.set(key, n + 1);
    out.push([`${key}|${n}`, f]);
  }
  return out;
}

function read(f) {
  if (isChoice(f)) return f.checked;
  if (f.tagName === 'SELECT' && f.multiple) return [...f.selectedOptions].map((o) => o.value);
  return f.value;
}

function same(a, b) {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

// Put value v into field f; false when it cannot hold it (a select without that option).
function write(f, v) {
  if (isChoice(f)) {
    f.checked = !!v;
    return true;
  }
  if (f.tagName === 'SELECT') {
    const opts = [...f.options];
    if (f.multiple) {
      const want = new Set(v);
      for (const o of opts) o.selected = want.has(o.value);
      return true;
    }
    if (!opts.some((o) => o.value === v)) return false;
    f.value = v;
    return true;
  }
  f.value = v;
  return f.value === v;
}

// A snapshot of the values of the fields under root: Map key -> value.
export function captureFields(root) {
  const snap = new Map();
  if (!root) return snap;
  for (const [key, f] of keyed(root)) snap.set(key, read(f));
  return snap;
}

// Put the values of snap back into the fields under root that have the same keys and lost
// them. Returns how many fields were put back.
export function restoreFields(root, snap) {
  if (!root || !snap || !snap.size) return 0;
  let restored = 0;
  const failed = new Set();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let changed = false;
    for (const [key, f] of keyed(root)) {
      if (!snap.has(key) || failed.has(key) || !f.isConnected) continue;
      const want = snap.get(key);
      if (same(read(f), want)) continue;
      if (!write(f, want)) {
        failed.add(key);
        continue;
      }
      restored++;
      changed = true;
      // A radio that was switched off is told nothing, as in a browser.
      if (f.type === 'radio' && !f.checked) continue;
      if (!isChoice(f)) f.dispatchEvent(new Event('input', { bubbles: true }));
      f.dispatchEvent(new Event('change', { bubbles: true }));
    }
    if (!changed) break;
  }
  return restored;
}
