// Browser tests of the survey pages (web/survey.js): a resident answers a questionnaire
// without a login (invitation code, grid code, one answer per question), the answer is in the
// results through the API; the same code again is refused with a message; a leader sees the
// results page (suppressed groups marked) in Chinese and in English; a phone has no
// horizontal scrolling.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { env, setUp, tearDown, openPage, newPage, ready, login, SHOTS, PHONE, PASSWORD } from './harness.mjs';

before(setUp);
after(tearDown);

let token;
let surveyId;
let grid;

async function api(method, url, body) {
  const res = await fetch(env.base + url, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

test('set up: a survey of the current quarter for the admin\'s area', async () => {
  const res = await fetch(env.base + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  token = (await res.json()).token;
  // Walk down to a grid (15 digits).
  let code = (await api('GET', '/api/v1/areas')).body.items[0].code;
  const root = code;
  while (code.length < 15) code = (await api('GET', `/api/v1/areas?parent=${code}`)).body.items[0].code;
  grid = code;
  const now = new Date(Date.now() + 8 * 3600e3);
  const r = await api('POST', '/api/v1/surveys', {
    title: '群众安全感和满意度调查',
    area: root,
    year: now.getUTCFullYear(),
    quarter: Math.floor(now.getUTCMonth() / 3) + 1,
    questions: [
      { id: 'q1', text: '您觉得本社区的治安状况如何？', type: 'rating', dimension: 'security', weight: 2 },
      { id: 'q2', text: '夜间独自出行是否感到安全？', type: 'yesno', dimension: 'security' },
      {
        id: 'q3', text: '您对网格员的服务是否满意？', type: 'choice', dimension: 'satisfaction',
        options: [{ label: '满意', score: 100 }, { label: '一般', score: 50 }, { label: '不满意', score: 0 }],
      },
    ],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  surveyId = r.body.id;
});

test('a resident answers the survey without a login; the same code twice is refused', async (t) => {
  // The browser logs the refused second answer (409) as a failed resource: that one is expected.
  const { context, page, problems } = await newPage();
  t.after(async () => {
    await context.close();
    const unexpected = problems.filter((p) => !/status of 409 .*\/api\/v1\/surveys\/\d+\/responses$/.test(p.trim()));
    assert.deepEqual(unexpected, [], 'page reported errors');
  });
  await page.goto(`${env.base}/#/survey/${surveyId}`);
  await ready(page, 'survey');
  assert.equal(await page.textContent('#survey-title'), '群众安全感和满意度调查');
  // Nothing filled in: the page says what is missing and sends nothing.
  await page.getByRole('button', { name: '提交答卷' }).click();
  await page.waitForSelector('.field-error:text("请填写邀请码")');
  await page.waitForSelector('.survey-status:text("请至少回答一个问题")');

  await page.getByLabel('邀请码').fill('CARD-0001');
  await page.getByLabel('所在网格或单元编码').fill(grid);
  await page.locator('fieldset[data-question="q1"]').getByLabel('较好').check();
  await page.locator('fieldset[data-question="q2"]').getByLabel('否').check();
  await page.locator('fieldset[data-question="q3"]').getByLabel('一般').check();
  await page.screenshot({ path: path.join(SHOTS, 'survey-desktop.png'), fullPage: true });
  await page.getByRole('button', { name: '提交答卷' }).click();
  await page.waitForSelector('.survey-thanks');

  // Recorded with the answers given: q1 4 → 75 (weight 2), q2 no → 0, q3 一般 → 50.
  const res = await api('GET', `/api/v1/surveys/${surveyId}/results?area=${grid}`);
  assert.equal(res.status, 200);
  assert.equal(res.body.total.suppressed, true); // one response: below k

  // The same invitation code again.
  await page.goto(`${env.base}/#/survey/${surveyId}?again=1`);
  await ready(page, 'survey');
  await page.getByLabel('邀请码').fill('CARD-0001');
  await page.getByLabel('所在网格或单元编码').fill(grid);
  await page.locator('fieldset[data-question="q1"]').getByLabel('很好').check();
  await page.getByRole('button', { name: '提交答卷' }).click();
  await page.waitForSelector('.survey-status:text("该邀请码已经提交过答卷")');

  await page.setViewportSize(PHONE);
  await page.screenshot({ path: path.join(SHOTS, 'survey-phone.png'), fullPage: true });
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= PHONE.width + 1, 'no horizontal scrolling on a phone');
});

test('results: staff see the scores per area, small groups marked, in both languages', async (t) => {
  // Four more answers in the same grid: five in all (k = 5), so the grid is shown.
  const scores = [[5, true, '满意'], [3, true, '不满意'], [1, false, '一般'], [5, true, '满意']];
  for (const [i, [q1, q2, q3]] of scores.entries()) {
    const r = await fetch(`${env.base}/api/v1/surveys/${surveyId}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ respondent: `CARD-10${i}`, area: grid, answers: { q1, q2, q3 } }),
    });
    assert.equal(r.status, 201);
  }
  const page = await openPage(t);
  await login(page, 'admin');
  await ready(page, 'map');
  const parent = grid.slice(0, 12);
  await page.goto(`${env.base}/#/survey/${surveyId}/results?area=${parent}`);
  await ready(page, 'surveyResults');
  const api5 = await api('GET', `/api/v1/surveys/${surveyId}/results?area=${parent}`);
  const gridRow = api5.body.rows.find((x) => x.area === grid);
  assert.equal(gridRow.responses, 5);
  const cells = await page.$$eval(`tr[data-area="${grid}"] td`, (e) => e.map((x) => x.textContent));
  assert.equal(cells[0], '5');
  assert.equal(cells[1], String(Math.round(gridRow.score * 10) / 10));
  assert.equal(cells[4], String(gridRow.rank));
  // Other grids of the community have no answers: shown as 0, unranked.
  const others = api5.body.rows.filter((x) => x.area !== grid);
  for (const o of others) {
    const c = await page.$$eval(`tr[data-area="${o.area}"] td`, (e) => e.map((x) => x.textContent));
    assert.equal(c[0], '0');
    assert.equal(c[4], '—');
  }
  await page.screenshot({ path: path.join(SHOTS, 'survey-results.png'), fullPage: true });
  await page.click('#lang-btn');
  await page.waitForSelector('th:text("Responses")');
});
