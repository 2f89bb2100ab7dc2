// String tables (Chinese default, English) and helpers.
// Every string the user can see goes through t().

const STORAGE_KEY = 'gridgov.lang';

const zh = {
  'app.name': '网格化基层治理平台',
  'app.short': '网格治理',
  'punct.colon': '：',
  'app.tagline': '人、地、事、物、情、组织，一网统管',
  'lang.switch': 'English',
  'lang.switchLabel': 'Switch language to English',

  'login.title': '账号登录',
  'login.hint': '请使用分配给您的账号登录',
  'login.username': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.submitting': '正在登录…',
  'login.required': '请输入用户名和密码',
  'login.footer': '仅限授权人员使用，所有操作均有记录',

  'header.user': '当前用户',
  'header.logout': '退出登录',

  'map.label': '区域地图',
  'map.zoomIn': '放大',
  'map.zoomOut': '缩小',
  'map.locating': '正在查询位置…',
  'map.pointIn': '该点位于',
  'map.pointNone': '该点不在任何已登记的区域内',

  'panel.breadcrumb': '当前位置',
  'panel.households': '户数',
  'panel.persons': '人数',
  'panel.children': '下级区域',
  'panel.noChildren': '没有下级区域',
  'panel.loading': '正在加载…',
  'panel.drill': '查看 {name} 的下级区域',
  'panel.showCell': '查看 {name} 的详情',
  'panel.cellDetail': '单元格详情',
  'panel.code': '区域编码',
  'panel.level': '层级',
  'panel.close': '关闭',
  'panel.legend': '图例：人口数',
  'panel.countsLine': '{households} 户 · {persons} 人',
  'panel.childCount': '{n} 个下级',
  'panel.myArea': '我的辖区',

  'level.province': '省',
  'level.city': '市',
  'level.district': '区/县',
  'level.street': '街道/镇',
  'level.community': '社区/村',
  'level.grid': '网格',
  'level.cell': '单元格',

  'role.resident': '居民',
  'role.grid_worker': '网格员',
  'role.community_staff': '社区工作人员',
  'role.station_cadre': '驻点干部',
  'role.dispatcher': '指挥中心调度员',
  'role.department_handler': '职能部门处置人员',
  'role.mediator': '调解员',
  'role.council_member': '村务商议团成员',
  'role.volunteer': '志愿者',
  'role.leader': '领导',
  'role.admin': '管理员',

  'error.bad_credentials': '用户名或密码错误',
  'error.rate_limited': '尝试次数过多，请稍后再试',
  'error.unauthorized': '请先登录',
  'error.session_expired': '登录已过期，请重新登录',
  'error.forbidden': '无权访问该区域',
  'error.csrf_failed': '页面已过期，请刷新后重试',
  'error.not_found': '未找到该区域',
  'error.bad_request': '请求有误，请检查输入',
  'error.invalid_argument': '请求有误，请检查输入',
  'error.busy': '服务器繁忙，请稍后再试',
  'error.network': '无法连接服务器，请检查网络后重试',
  'error.server': '服务器出现问题，请稍后再试',
  'error.unknown': '操作失败，请稍后再试',
};

const en = {
  'app.name': 'Grid Governance Platform',
  'app.short': 'Grid Gov',
  'punct.colon': ': ',
  'app.tagline': 'People, places, events, things, sentiment and organisations on one grid',
  'lang.switch': '中文',
  'lang.switchLabel': '切换为中文',

  'login.title': 'Sign in',
  'login.hint': 'Sign in with the account assigned to you',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.submitting': 'Signing in…',
  'login.required': 'Please enter your username and password',
  'login.footer': 'Authorised personnel only. All actions are logged.',

  'header.user': 'Signed in as',
  'header.logout': 'Sign out',

  'map.label': 'Area map',
  'map.zoomIn': 'Zoom in',
  'map.zoomOut': 'Zoom out',
  'map.locating': 'Looking up this point…',
  'map.pointIn': 'This point lies in',
  'map.pointNone': 'This point is not inside any registered area',

  'panel.breadcrumb': 'You are here',
  'panel.households': 'Households',
  'panel.persons': 'Persons',
  'panel.children': 'Sub-areas',
  'panel.noChildren': 'No sub-areas',
  'panel.loading': 'Loading…',
  'panel.drill': 'Show the sub-areas of {name}',
  'panel.showCell': 'Show details of {name}',
  'panel.cellDetail': 'Cell details',
  'panel.code': 'Area code',
  'panel.level': 'Level',
  'panel.close': 'Close',
  'panel.legend': 'Legend: persons',
  'panel.countsLine': '{households} households · {persons} persons',
  'panel.childCount': '{n} sub-areas',
  'panel.myArea': 'My area',

  'level.province': 'Province',
  'level.city': 'City',
  'level.district': 'District/County',
  'level.street': 'Street/Town',
  'level.community': 'Community/Village',
  'level.grid': 'Grid',
  'level.cell': 'Cell',

  'role.resident': 'Resident',
  'role.grid_worker': 'Grid worker',
  'role.community_staff': 'Community staff',
  'role.station_cadre': 'Station cadre',
  'role.dispatcher': 'Command centre dispatcher',
  'role.department_handler': 'Department handler',
  'role.mediator': 'Mediator',
  'role.council_member': 'Village council member',
  'role.volunteer': 'Volunteer',
  'role.leader': 'Leader',
  'role.admin': 'Administrator',

  'error.bad_credentials': 'Wrong username or password',
  'error.rate_limited': 'Too many attempts, please try again later',
  'error.unauthorized': 'Please sign in first',
  'error.session_expired': 'Your session has expired, please sign in again',
  'error.forbidden': 'You are not allowed to access this area',
  'error.csrf_failed': 'This page has expired, please reload and try again',
  'error.not_found': 'Area not found',
  'error.bad_request': 'The request was not valid, please check your input',
  'error.invalid_argument': 'The request was not valid, please check your input',
  'error.busy': 'The server is busy, please try again shortly',
  'error.network': 'Cannot connect to the server, please check your network and retry',
  'error.server': 'The server ran into a problem, please try again later',
  'error.unknown': 'Something went wrong, please try again later',
};

const tables = { zh, en };

function initialLang() {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (v && tables[v]) return v;
  } catch {
    /* storage unavailable: fall back to the default */
  }
  return 'zh';
}

let lang = initialLang();

export function getLang() {
  return lang;
}

export function setLang(next) {
  if (!tables[next]) return;
  lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    /* ignore */
  }
  applyDocumentLang();
}

export function toggleLang() {
  setLang(lang === 'zh' ? 'en' : 'zh');
}

export function applyDocumentLang() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = t('app.name');
}

export function t(key, params) {
  let s = tables[lang][key] ?? tables.zh[key] ?? key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
  return s;
}

export function has(key) {
  return key in tables[lang];
}

export function levelName(level) {
  return has('level.' + level) ? t('level.' + level) : String(level ?? '');
}

export function roleName(role) {
  return has('role.' + role) ? t('role.' + role) : String(role ?? '');
}

export function fmtNumber(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '–';
  return new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-GB').format(n);
}
