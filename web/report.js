// Report form (#/report): public (anonymous, channel web), residents (web) and staff (a channel).

import { t, getLang, nameOf } from './i18n.js';
import { api, errorText, loadCategories, ApiError } from './api.js';
import { PointPicker } from './map.js';
import { submitReport } from './outbox.js';
import { el, button, link, formField, setFieldError, selectEl, inputEl, textareaEl, statusBadge, categoryLabel } from './ui.js';

const STAFF_CHANNELS = ['phone', 'patrol', 'visit', 'office_hours', 'building_chief', 'council', 'open311', 'app', 'web'];
const DEFAULT_CHANNEL = {
  grid_worker: 'patrol',
  community_staff: 'visit',
  station_cadre: 'office_hours',
  council_member: 'council',
  volunteer: 'building_chief',
  chief: 'building_chief',
  mediator: 'visit',
};
// Roles that may relay a case for a chief (CAP_CHIEF_RELAY, src/domain/access.c).
const RELAYS_FOR_CHIEFS = new Set(['community_staff']);
const UPLOAD_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'application/pdf']);
const MAX_ATTACHMENTS = 8;

function freshValues(user) {
  return {
    cls: '',
    cat: '',
    description: '',
    urgency: 'normal',
    channel: user && user.role !== 'resident' ? DEFAULT_CHANNEL[user.role] || 'phone' : 'web',
    address: '',
    name: '',
    phone: '',
    anonymous: false,
    chief: '', // id of the chief record a chief reports as
  };
}

export function reportView(ctx) {
  const user = ctx.user;
  const staff = !!user && user.role !== 'resident';
  const isChief = !!user && user.role === 'chief';
  const st = {
    cats: [],
    catsError: null,
    v: freshValues(user),
    point: null,
    located: null, // { state: 'pending'|'ok'|'outside'|'error', path, code }
    photos: [], // { hash, url, mime, name }
    uploading: 0,
    uploadError: '',
    submitting: false,
    submitError: '',
    result: null,
    geo: null,
    chiefs: [], // a chief's own chief records (GET /api/v1/chiefs): the report is relayed as one
    chiefsError: null,
    token: 0,
  };
  let root = null;
  let picker = null;
  let mapEl = null;
  let fields = null; // references into the rendered form
  let locateToken = 0;

  /* -------------------------------------------------------------- data */

  async function loadData() {
    ctx.busy();
    const jobs = [
      loadCategories().then(
        (c) => (st.cats = c),
        (e) => (st.catsError = e),
      ),
    ];
    if (isChief || RELAYS_FOR_CHIEFS.has(user && user.role)) {
      // A chief relays as their chief record (channel building_chief, chief_id): the case is
      // attributed to them (service/cases.c refuses a chief's report without one).
      jobs.push(
        api.myChiefs().then(
          (r) => {
            st.chiefs = (r && r.items) || [];
            st.chiefsError = null;
            if (isChief && !st.chiefs.some((c) => String(c.id) === st.v.chief)) st.v.chief = st.chiefs.length ? String(st.chiefs[0].id) : '';
          },
          (e) => {
            if (isChief) st.chiefsError = e; // for staff the list is a convenience
          },
        ),
      );
    }
    if (user) {
      const code = user.area_code;
      jobs.push(
        Promise.allSettled([api.area(code), api.geojson(code, 0), api.geojson(code, 1)]).then(([a, o, k]) => {
          st.geo = {
            bbox: a.status === 'fulfilled' ? a.value.bbox : null,
            outline: o.status === 'fulfilled' ? o.value : null,
            children: k.status === 'fulfilled' ? k.value : null,
          };
        }),
      );
    }
    await Promise.all(jobs);
    if (!root) return;
    render();
    showGeo();
    ctx.ready();
  }

  function showGeo() {
    if (!picker) return;
    if (st.geo) picker.show(st.geo);
    else picker.show({});
    if (st.point) picker.setPoint(st.point);
  }

  async function locate(latlng) {
    const token = ++locateToken;
    st.point = { lat: latlng.lat, lng: latlng.lng };
    st.located = { state: 'pending' };
    renderLocation();
    try {
      const a = await api.locate(latlng.lng, latlng.lat);
      if (token !== locateToken) return;
      const path = [...(a.path || []), { code: a.code, name: a.name }];
      const seen = new Set();
      const names = path.filter((p) => p.code && !seen.has(p.code) && seen.add(p.code)).map((p) => p.name);
      st.located = { state: 'ok', path: names.slice(-4).join(' › '), code: a.code };
    } catch (e) {
      if (token !== locateToken) return;
      st.located = e && e.status === 404 ? { state: 'outside' } : { state: 'error', error: e };
    }
    renderLocation();
    if (fields && st.located.state === 'ok') setFieldError(fields.location, '');
    recheck();
  }

  /* ------------------------------------------------------------ photos */

  async function addFiles(files) {
    st.uploadError = '';
    for (const file of files) {
      if (st.photos.length + st.uploading >= MAX_ATTACHMENTS) break;
      if (!UPLOAD_TYPES.has(file.type)) {
        st.uploadError = t('report.badFile', { name: file.name });
        continue;
      }
      st.uploading++;
      renderPhotos();
      try {
        const r = await api.upload(file);
        st.photos.push({ hash: r.hash, url: r.url, mime: r.mime || file.type, name: file.name });
      } catch (e) {
        if (user && e instanceof ApiError && e.status === 0) {
          // No network: keep the photo on the device; the outbox uploads it with the report.
          st.photos.push({ blob: file, url: '', mime: file.type, name: file.name, local: true });
          st.uploading--;
          renderPhotos();
          continue;
        }
        if (e && e.status === 401) {
          st.uploading--;
          return ctx.sessionLost();
        }
        st.uploadError = `${file.name}${t('punct.colon')}${errorText(e)}`;
      }
      st.uploading--;
      renderPhotos();
    }
    renderPhotos();
  }

  /* ------------------------------------------------------------ submit */

  function validate() {
    const v = st.v;
    const problems = [];
    setFieldError(fields.cls, '');
    setFieldError(fields.cat, '');
    setFieldError(fields.description, '');
    setFieldError(fields.location, '');
    if (!v.cls) problems.push([fields.cls, t('report.needCategory')]);
    else if (!v.cat) problems.push([fields.cat, t('report.needCategory')]);
    if (!v.description.trim()) problems.push([fields.description, t('report.needDescription')]);
    if (isChief && !v.chief) problems.push([fields.chief, t('report.needChief')]);
    if (!st.point) problems.push([fields.location, t('report.needPoint')]);
    else if (st.located && st.located.state === 'outside') problems.push([fields.location, t('report.pointOutside')]);
    for (const [f, msg] of problems) setFieldError(f, msg);
    return problems;
  }

  async function submit() {
    if (st.submitting || st.uploading) return;
    readValues();
    const problems = validate();
    if (problems.length) {
      st.submitError = t('report.fixErrors');
      renderSubmitError();
      problems[0][0].control.focus();
      return;
    }
    const v = st.v;
    const body = {
      channel: staff ? v.channel : 'web',
      category: v.cat,
      description: v.description.trim(),
      urgency: v.urgency,
      lon: Number(st.point.lng.toFixed(6)),
      lat: Number(st.point.lat.toFixed(6)),
    };
    if (isChief) {
      body.channel = 'building_chief';
      body.chief_id = Number(v.chief);
      const me = st.chiefs.find((c) => String(c.id) === v.chief);
      // the chief's own name as the reporter unless another name is given below (63 bytes at most)
      if (me && !v.anonymous && new TextEncoder().encode(me.name).length <= 63) body.reporter_name = me.name;
    } else if (fields.chief && v.channel === 'building_chief' && v.chief) body.chief_id = Number(v.chief);
    if (v.address.trim()) body.address = v.address.trim();
    if (v.anonymous) body.anonymous = true;
    else {
      if (v.name.trim()) body.reporter_name = v.name.trim();
      if (v.phone.trim()) body.reporter_phone = v.phone.trim();
    }
    const uploaded = st.photos.filter((p) => !p.local);
    const local = st.photos.filter((p) => p.local).map((p) => ({ blob: p.blob, mime: p.mime, name: p.name }));
    if (uploaded.length) body.attachments = uploaded.map((p) => p.hash);
    st.submitting = true;
    st.submitError = '';
    fields.submit.disabled = true;
    fields.submit.textContent = t('report.submitting');
    ctx.busy();
    try {
      if (user) {
        // Signed in: through the outbox (idempotency key; kept on the device when offline).
        const r = await submitReport(body, local);
        st.result = r.sent || null;
        st.queued = r.queued || null;
      } else st.result = await api.report(body);
      st.submitting = false;
      render();
      root.querySelector('#report-success-title')?.focus();
    } catch (e) {
      st.submitting = false;
      if (e && e.status === 401) return ctx.sessionLost();
      st.submitError = e instanceof ApiError && e.status === 400 && e.message ? t('case.err.bad_request', { msg: e.message }) : e && e.status === 404 ? t('report.pointOutside') : errorText(e);
      fields.submit.disabled = false;
      fields.submit.textContent = t('report.submit');
      renderSubmitError();
      root.querySelector('#report-error')?.focus();
    }
    ctx.ready();
  }

  function recheck() {
    if (!st.submitError || !fields) return;
    readValues();
    if (!validate().length) {
      st.submitError = '';
      renderSubmitError();
    }
  }

  function readValues() {
    if (!fields) return;
    const v = st.v;
    v.cls = fields.cls.control.value;
    v.cat = fields.cat.control.value;
    v.description = fields.description.control.value;
    v.urgency = fields.urgency.control.value;
    if (fields.channel) v.channel = fields.channel.control.value;
    if (fields.chief && !fields.chief.control.disabled) v.chief = fields.chief.control.value;
    v.address = fields.address.control.value;
    v.name = fields.name.control.value;
    v.phone = fields.phone.control.value;
    v.anonymous = fields.anonymous.checked;
  }

  function reset() {
    fields = null;
    st.v = freshValues(user);
    st.point = null;
    st.located = null;
    st.photos = [];
    st.uploadError = '';
    st.submitError = '';
    st.result = null;
    st.queued = null;
    render();
    showGeo();
    root.querySelector('#report-title')?.focus();
  }

  /* ------------------------------------------------------------ render */

  function render() {
    if (!root) return;
    readValues();
    fields = null;
    const page = el('div', 'page report-page');
    if (st.result || st.queued) {
      page.append(st.result ? successCard(st.result) : queuedCard());
      root.replaceChildren(page);
      if (picker) {
        picker.destroy();
        picker = null;
        mapEl = null;
      }
      return;
    }
    const head = el('div', 'page-head');
    const h1 = el('h1', 'page-title', t('report.title'));
    h1.id = 'report-title';
    h1.tabIndex = -1;
    head.append(h1);
    page.append(head, el('p', 'page-intro', t('report.intro')));
    if (st.catsError) {
      const e = el('p', 'panel-error', errorText(st.catsError));
      e.setAttribute('role', 'alert');
      page.append(e);
    }

    const form = el('form', 'report-form');
    form.id = 'report-form';
    form.noValidate = true;
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      submit();
    });
    const left = el('div', 'report-fields card');
    const right = el('div', 'report-map card');
    const bottom = el('div', 'report-bottom card');
    form.append(left, right, bottom);
    page.append(form);

    const v = st.v;
    const lang = getLang();
    const f = {};

    if (isChief) {
      const mine = st.chiefs.map((c) => ({ value: String(c.id), label: t('report.chiefAs', { kind: nameOf('chiefKind', c.kind), name: c.name, area: c.area_code }) }));
      if (mine.length && !mine.some((o) => o.value === v.chief)) v.chief = mine[0].value; // e.g. after "report another"
      const sel = selectEl('chief', mine.length ? mine : [{ value: '', label: t('report.noChief') }], v.chief);
      sel.id = 'report-chief';
      sel.disabled = !mine.length;
      f.chief = formField(t('report.chief'), sel, { required: true, hint: t('report.chiefHint') });
      if (st.chiefsError) setFieldError(f.chief, errorText(st.chiefsError));
      else if (!mine.length) setFieldError(f.chief, t('report.noChiefHint'));
      left.append(f.chief.wrap);
    } else if (staff) {
      const ch = selectEl('channel', STAFF_CHANNELS.map((c) => ({ value: c, label: nameOf('channel', c) })), v.channel);
      ch.id = 'report-channel';
      f.channel = formField(t('report.channel'), ch, { required: true });
      left.append(f.channel.wrap);
      if (RELAYS_FOR_CHIEFS.has(user.role)) {
        // Community staff relay for a chief who phoned in: the case is linked to that chief.
        const opts = st.chiefs.map((c) => ({ value: String(c.id), label: t('report.chiefAs', { kind: nameOf('chiefKind', c.kind), name: c.name, area: c.area_code }) }));
        const sel = selectEl('relay_chief', [{ value: '', label: t('report.relayNone') }, ...opts], v.chief);
        sel.id = 'report-relay-chief';
        f.chief = formField(t('report.relayFor'), sel, { optional: true, hint: t('report.relayHint') });
        f.chief.wrap.hidden = ch.value !== 'building_chief';
        ch.addEventListener('change', () => {
          f.chief.wrap.hidden = ch.value !== 'building_chief';
        });
        left.append(f.chief.wrap);
      }
    }

    // Category: two levels
    const classes = st.cats.filter((c) => !c.parent);
    const clsSel = selectEl('class', [{ value: '', label: t('report.chooseClass') }, ...classes.map((c) => ({ value: c.code, label: categoryLabel(lang, c) }))], v.cls);
    clsSel.id = 'report-class';
    f.cls = formField(t('report.category'), clsSel, { required: true });
    const subs = () => st.cats.filter((c) => c.parent && c.parent === clsSel.value);
    const catSel = selectEl('category', [{ value: '', label: t('report.chooseSub') }, ...subs().map((c) => ({ value: c.code, label: categoryLabel(lang, c) }))], v.cat);
    catSel.id = 'report-category';
    catSel.disabled = !clsSel.value;
    f.cat = formField(t('report.subcategory'), catSel, { required: true });
    clsSel.addEventListener('change', () => {
      const opts = [{ value: '', label: t('report.chooseSub') }, ...subs().map((c) => ({ value: c.code, label: categoryLabel(lang, c) }))];
      catSel.replaceChildren(...selectEl('x', opts, '').children);
      catSel.value = '';
      catSel.disabled = !clsSel.value;
      setFieldError(f.cls, '');
    });
    catSel.addEventListener('change', () => setFieldError(f.cat, ''));
    const catRow = el('div', 'field-pair');
    catRow.append(f.cls.wrap, f.cat.wrap);
    left.append(catRow);

    const desc = textareaEl('description', v.description, 5);
    desc.id = 'report-description';
    desc.maxLength = 1000;
    f.description = formField(t('report.description'), desc, { required: true, hint: t('report.descriptionHint') });
    desc.addEventListener('input', () => desc.value.trim() && setFieldError(f.description, ''));
    left.append(f.description.wrap);

    const urg = selectEl('urgency', ['normal', 'urgent', 'emergency'].map((u) => ({ value: u, label: nameOf('urgency', u) })), v.urgency);
    urg.id = 'report-urgency';
    f.urgency = formField(t('report.urgency'), urg);
    const addr = inputEl('text', 'address', v.address);
    addr.id = 'report-address';
    addr.maxLength = 80;
    addr.autocomplete = 'street-address';
    addr.placeholder = t('report.addressHint');
    f.address = formField(t('report.address'), addr, { optional: true });
    const row2 = el('div', 'field-pair');
    row2.append(f.urgency.wrap, f.address.wrap);
    left.append(row2);

    // Location
    const locTitle = el('h2', 'card-title', t('report.location'));
    locTitle.id = 'report-location-title';
    right.append(locTitle);
    right.setAttribute('role', 'group');
    right.setAttribute('aria-labelledby', locTitle.id);
    const hint = el('p', 'field-hint', t(user ? 'report.mapHint' : 'report.mapHintPublic'));
    hint.id = 'report-map-hint';
    right.append(hint);
    if (!mapEl) {
      mapEl = el('div', 'report-map-canvas');
      mapEl.id = 'report-map';
      mapEl.tabIndex = 0;
    }
    mapEl.setAttribute('role', 'application');
    mapEl.setAttribute('aria-label', t('report.mapLabel'));
    mapEl.setAttribute('aria-describedby', 'report-map-hint');
    right.append(mapEl);
    const tools = el('div', 'map-tools');
    const centre = button('btn btn-secondary btn-small', t('report.useCenter'), () => picker && picker.pickCenter());
    centre.id = 'report-use-centre';
    tools.append(centre);
    if ('geolocation' in navigator) {
      const me = button('btn btn-secondary btn-small', t('report.useMyLocation'), () => {
        navigator.geolocation.getCurrentPosition(
          (pos) => {
            const ll = { lat: pos.coords.latitude, lng: pos.coords.longitude };
            if (picker) picker.setPoint(ll, { pan: true });
            locate(ll);
          },
          () => {
            st.located = { state: 'geo' };
            renderLocation();
          },
          { enableHighAccuracy: true, timeout: 10000 },
        );
      });
      me.id = 'report-use-location';
      tools.append(me);
    }
    right.append(tools);
    const loc = el('p', 'location-status');
    loc.id = 'report-location';
    loc.setAttribute('role', 'status');
    loc.tabIndex = -1;
    right.append(loc);
    const locErr = el('p', 'field-error');
    locErr.id = 'report-location-error';
    locErr.hidden = true;
    right.append(locErr);
    f.location = { control: loc, error: locErr };

    // Photos
    const photos = el('div', 'report-photos');
    const pTitle = el('h2', 'card-title', t('report.photos'));
    photos.append(pTitle);
    if (user) {
      const file = el('input');
      file.type = 'file';
      file.id = 'report-photos';
      file.name = 'photos';
      file.multiple = true;
      file.accept = 'image/jpeg,image/png,image/webp,application/pdf';
      file.className = 'file-input';
      f.photos = formField(t('report.photos'), file, { optional: true, hint: t('report.photosHint') });
      f.photos.wrap.querySelector('label').classList.add('sr-only');
      file.addEventListener('change', () => {
        const list = [...file.files];
        file.value = '';
        addFiles(list);
      });
      photos.append(f.photos.wrap);
      const list = el('div', 'photo-previews');
      list.id = 'report-photo-list';
      photos.append(list);
    } else {
      photos.append(el('p', 'muted', t('report.photosLogin')));
    }

    // Contact
    const contact = el('fieldset', 'report-contact');
    contact.append(el('legend', 'card-title', t('report.contact')));
    const name = inputEl('text', 'reporter_name', v.name);
    name.id = 'report-name';
    name.maxLength = 20;
    name.autocomplete = 'name';
    f.name = formField(t('report.name'), name, { optional: true });
    const phone = inputEl('tel', 'reporter_phone', v.phone);
    phone.id = 'report-phone';
    phone.maxLength = 20;
    phone.autocomplete = 'tel';
    phone.inputMode = 'tel';
    f.phone = formField(t('report.phone'), phone, { optional: true });
    const pair = el('div', 'field-pair');
    pair.append(f.name.wrap, f.phone.wrap);
    const anonWrap = el('label', 'check');
    const anon = el('input');
    anon.type = 'checkbox';
    anon.id = 'report-anonymous';
    anon.name = 'anonymous';
    anon.checked = v.anonymous;
    anonWrap.append(anon, el('span', null, t('report.anonymous')));
    const syncAnon = () => {
      name.disabled = anon.checked;
      phone.disabled = anon.checked;
    };
    anon.addEventListener('change', syncAnon);
    syncAnon();
    f.anonymous = anon;
    contact.append(pair, anonWrap);

    const err = el('p', 'form-error');
    err.id = 'report-error';
    err.tabIndex = -1;
    err.setAttribute('role', 'alert');
    const sub = el('button', 'btn btn-primary btn-block report-submit', t('report.submit'));
    sub.type = 'submit';
    sub.id = 'report-submit';
    f.submit = sub;
    f.error = err;
    const bottomRow = el('div', 'report-bottom-grid');
    bottomRow.append(photos, contact);
    bottom.append(bottomRow, err, sub);

    // Once the form has been refused, every change re-checks it, so the marks go away as
    // soon as the fields are fixed.
    form.addEventListener('input', recheck);
    form.addEventListener('change', recheck);

    root.replaceChildren(page);
    fields = f;
    renderLocation();
    renderPhotos();
    renderSubmitError();

    if (!picker && window.L) {
      picker = new PointPicker(mapEl, { onPick: (ll) => locate(ll) });
    } else if (picker) picker.relabel();
  }

  function renderLocation() {
    if (!fields) return;
    const loc = fields.location.control;
    loc.className = 'location-status';
    const l = st.located;
    if (!st.point || !l) {
      loc.textContent = t('report.noPoint');
      loc.classList.add('is-empty');
    } else if (l.state === 'pending') loc.textContent = t('report.locating');
    else if (l.state === 'ok') {
      loc.textContent = t('report.pointAt', { path: l.path });
      loc.dataset.area = l.code;
      loc.classList.add('is-ok');
    } else if (l.state === 'outside') {
      loc.textContent = t('report.pointOutside');
      loc.classList.add('is-bad');
    } else if (l.state === 'geo') {
      loc.textContent = t('report.geoFailed');
      loc.classList.add('is-bad');
    } else {
      loc.textContent = errorText(l.error);
      loc.classList.add('is-bad');
    }
  }

  function renderPhotos() {
    const list = root && root.querySelector('#report-photo-list');
    if (!list) return;
    const nodes = st.photos.map((p, i) => {
      const item = el('div', 'photo-preview');
      if (p.hash) item.dataset.hash = p.hash;
      if (p.local) {
        item.classList.add('is-local');
        item.append(el('span', 'photo-file', p.name), el('span', 'photo-local', t('report.photoLocal')));
      } else if (p.mime && p.mime.startsWith('image/')) {
        const img = el('img');
        img.src = p.url;
        img.alt = p.name;
        item.append(img);
      } else item.append(el('span', 'photo-file', p.name));
      const rm = button('photo-remove', '×', () => {
        st.photos.splice(i, 1);
        renderPhotos();
        root.querySelector('#report-photos')?.focus();
      });
      rm.setAttribute('aria-label', t('report.removePhoto', { n: i + 1 }));
      item.append(rm);
      return item;
    });
    if (st.uploading) {
      const up = el('div', 'photo-preview is-uploading', t('report.uploading'));
      up.setAttribute('role', 'status');
      nodes.push(up);
    }
    if (st.uploadError) {
      const e = el('p', 'field-error', st.uploadError);
      e.setAttribute('role', 'alert');
      nodes.push(e);
    }
    list.replaceChildren(...nodes);
    list.dataset.count = String(st.photos.length);
    list.dataset.uploading = String(st.uploading);
    if (fields && fields.submit && !st.submitting) fields.submit.disabled = st.uploading > 0;
  }

  function renderSubmitError() {
    if (!fields) return;
    fields.error.textContent = st.submitError;
    fields.error.hidden = !st.submitError;
  }

  // Saved on the device, to be sent when the network returns (outbox.js).
  function queuedCard() {
    const card = el('section', 'card success-card queued-card');
    card.id = 'report-queued';
    card.setAttribute('aria-labelledby', 'report-success-title');
    const h = el('h1', 'success-title', t('report.queued'));
    h.id = 'report-success-title';
    h.tabIndex = -1;
    const actions = el('div', 'success-actions');
    actions.append(link('btn btn-primary', t('outbox.title'), '#/outbox', { id: 'report-outbox-link' }));
    const again = button('btn btn-secondary', t('report.again'), reset);
    again.id = 'report-again';
    actions.append(again);
    card.append(h, el('p', 'muted', t('report.queuedHint')), actions);
    return card;
  }

  function successCard(c) {
    const card = el('section', 'card success-card');
    card.id = 'report-success';
    card.setAttribute('aria-labelledby', 'report-success-title');
    const h = el('h1', 'success-title', t('report.success'));
    h.id = 'report-success-title';
    h.tabIndex = -1;
    const label = el('p', 'success-label', t('report.numberLabel'));
    const num = el('p', 'success-number', c.number);
    num.id = 'report-number';
    const keep = el('p', 'muted', t('report.keepNumber'));
    const meta = el('p', 'success-meta');
    meta.append(statusBadge(c.status), el('span', null, categoryLabel(getLang(), c)));
    const actions = el('div', 'success-actions');
    actions.append(link('btn btn-primary', t('report.track'), '#/track/' + encodeURIComponent(c.number), { id: 'report-track-link' }));
    if (user) actions.append(link('btn btn-secondary', t('report.view'), '#/cases/' + encodeURIComponent(c.id), { id: 'report-view-link' }));
    const again = button('btn btn-secondary', t('report.again'), reset);
    again.id = 'report-again';
    actions.append(again);
    card.append(h, label, num, keep, meta, actions);

    const dups = Array.isArray(c.duplicates) ? c.duplicates : [];
    if (dups.length) {
      const box = el('section', 'duplicates');
      box.id = 'report-duplicates';
      box.setAttribute('aria-labelledby', 'dup-title');
      const dh = el('h2', 'card-title', t('report.duplicates'));
      dh.id = 'dup-title';
      box.append(dh, el('p', 'muted', t('report.duplicatesHint')));
      const ul = el('ul', 'dup-list');
      for (const d of dups) {
        const li = el('li', 'dup-item');
        const target = user ? '#/cases/' + encodeURIComponent(d.id) : '#/track/' + encodeURIComponent(d.number);
        li.append(link('case-link', d.number, target), statusBadge(d.status), el('span', 'dup-desc', d.description || ''));
        ul.append(li);
      }
      box.append(ul);
      card.append(box);
    }
    return card;
  }

  return {
    mount(container) {
      root = container;
      root.classList.add('page-scroll');
      render();
      showGeo();
      loadData();
    },
    relabel() {
      render();
    },
    destroy() {
      locateToken++;
      if (picker) picker.destroy();
      picker = null;
      mapEl = null;
      root = null;
      fields = null;
    },
  };
}
