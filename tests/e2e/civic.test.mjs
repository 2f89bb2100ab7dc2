// Browser tests of the disputes and deliberation-council pages: the dispute list and a
// dispute with a comment added through the page (checked in its log through the API), the
// councils with their topics, a topic, and the public decision page without a login.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { env, setUp, tearDown, openPage, newPage, ready, login, SHOTS, PHONE } from './harness.mjs';

before(setUp);
after(tearDown);

async function apiJson(page, url) {
  return page.evaluate(async (u) => {
    const r = await fetch(u, { credentials: 'same-origin' });
    return { status: r.status, body: await r.json() };
  }, url);
}

test('disputes: list, filter, a dispute and a comment', async (t) => {
  const page = await openPage(t);
  await login(page, 'mediator');
  await ready(page, 'map');
  await page.click('#nav-disputes');
  await ready(page, 'disputes');
  const api = await apiJson(page, '/api/v1/disputes?limit=50');
  const ids = await page.$$eval('.dispute-table tbody tr', (e) => e.map((r) => Number(r.dataset.id)));
  assert.deepEqual(ids, api.body.items.map((d) => d.id));
  await page.screenshot({ path: path.join(SHOTS, 'disputes-desktop.png'), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: path.join(SHOTS, 'disputes-phone.png'), fullPage: true });
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= PHONE.width + 1, 'no horizontal scrolling on a phone');
  await page.setViewportSize({ width: 1280, height: 800 });

  await page.getByLabel('按状态筛选').selectOption('agreed');
  await ready(page, 'disputes');
  await page.waitForFunction(() => location.hash.includes('state=agreed'));
  await page.waitForSelector('.dispute-table tbody tr');
  for (const s of await page.$$eval('.dispute-table tbody tr td:nth-child(3)', (e) => e.map((x) => x.textContent))) assert.equal(s, '已达成协议');

  // A dispute whose actions include a comment.
  const withComment = [];
  for (const d of api.body.items.slice(0, 20)) {
    const one = await apiJson(page, `/api/v1/disputes/${d.id}`);
    if ((one.body.allowed_actions || []).includes('comment')) withComment.push(one.body);
  }
  assert.ok(withComment.length > 0, 'the mediator may comment on some dispute');
  const d = withComment[0];
  await page.goto(env.base + `/#/disputes/${d.id}`);
  await ready(page, 'dispute');
  await page.waitForSelector('#civic-title');
  assert.equal(await page.textContent('#civic-title'), d.title);
  assert.equal(await page.$$eval('#d-parties ~ .table-scroll tbody tr', (e) => e.length), d.parties.length);
  await page.getByRole('button', { name: '提交留言' }).click();
  await page.waitForSelector('.field-error:text("请填写留言内容")');
  await page.getByLabel('留言').fill('已电话联系双方，约定下周再谈');
  await page.getByRole('button', { name: '提交留言' }).click();
  await ready(page, 'dispute');
  await page.waitForFunction(() => !document.querySelector('.civic-comment .field-error:not([hidden])'));
  const events = await apiJson(page, `/api/v1/disputes/${d.id}/events`);
  assert.equal(events.status, 200);
  assert.ok(JSON.stringify(events.body).includes('已电话联系双方，约定下周再谈'), 'the comment is in the dispute log');
});

test('councils, a topic and the public decision page', async (t) => {
  const page = await openPage(t);
  await login(page, 'admin');
  await ready(page, 'map');
  await page.click('#nav-councils');
  await ready(page, 'councils');
  await page.waitForSelector('.topic-table tbody tr');
  await page.screenshot({ path: path.join(SHOTS, 'councils-desktop.png'), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: path.join(SHOTS, 'councils-phone.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  const published = page.locator('.topic-table a[href^="#/decisions/"]').first();
  const href = await published.getAttribute('href');
  const id = href.split('/').pop();
  await page.click(`.topic-table tbody tr[data-id="${id}"] th a`);
  await ready(page, 'topic');
  await page.waitForSelector('#civic-title');
  const topic = await apiJson(page, `/api/v1/councils/topics/${id}`);
  assert.equal(await page.textContent('#civic-title'), topic.body.title);

  // The public page, without a session, on a phone, in both languages.
  // The unknown decision below is a 404 the browser logs: the only error allowed.
  const { context, page: pub, problems } = await newPage(PHONE);
  t.after(async () => {
    await context.close();
    assert.deepEqual(problems.filter((p) => !/status of 404 .*\/decisions\/999999/.test(p)), [], 'page reported errors');
  });
  await pub.goto(env.base + '/' + href);
  await ready(pub, 'decision');
  await pub.waitForSelector('#civic-title');
  const dec = await apiJson(pub, `/api/v1/councils/decisions/${id}`);
  assert.equal(dec.status, 200);
  assert.equal(await pub.textContent('#civic-title'), dec.body.title);
  if (dec.body.vote && dec.body.vote.counted) {
    assert.equal(await pub.getAttribute('.civic-result[data-passed]', 'data-passed'), dec.body.vote.passed ? '1' : '0');
    assert.match(await pub.textContent('#dc-vote ~ .civic-vote, .civic-vote'), new RegExp(String(dec.body.vote.totals.yes)));
  }
  await pub.screenshot({ path: path.join(SHOTS, 'decision-phone.png'), fullPage: true });
  await pub.click('#lang-btn');
  await pub.waitForSelector('#dc-vote:text("Vote")');
  assert.doesNotMatch(await pub.textContent('#main'), /(表决结果|实施情况|应到|实到)/);
  await pub.click('#lang-btn');
  // An unpublished or unknown decision is refused in words.
  await pub.goto(env.base + '/#/decisions/999999');
  await pub.waitForSelector('.panel-error');
  assert.equal(await pub.textContent('.panel-error'), '未找到该决议，或决议尚未公开');
});
