-- wrk script: the mixed workload of bench/mixed and scripts/soak on the city-scale demo.
-- 80% reads, 20% writes; each wrk thread is one user of a different role (thread i takes the
-- i-th role of MIXED_ROLES, round robin). Needs exactly one connection per thread (-c equal
-- to -t): a thread then has one request in flight, so each answer is counted against the kind
-- of request that asked for it.
--
-- Environment: MIXED_DIR holds ROLE.ids for each role, written by bench/mixed before the run
-- (bearer token, the user's area, case ids and household ids the user may see):
--   token TOKEN
--   area CODE
--   cases ID ID ...
--   households ID ID ...
-- MIXED_ROLES: comma-separated role names (default: the five below).
--
-- Reads: case lists with filters, case pages, the household file, indicators, dashboard
-- statistics (indicators by child area and by month, alerts), the grid worker's tasks.
-- Writes: case reports, workflow actions on existing cases (comments), household visits.
-- done() prints one "result" line and one "kind" line per request kind with status counts.

local roles_env = os.getenv("MIXED_ROLES") or
  "grid_worker,community_staff,dispatcher,leader,station_cadre"
local dir = os.getenv("MIXED_DIR") or "."
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

local function split(s, sep)
  local out = {}
  for w in string.gmatch(s, "[^" .. sep .. "]+") do table.insert(out, w) end
  return out
end

local role, token, area
local cases, households = {}, {}
local reads, writes = {}, {}
local last_kind = "none"
local counter = 0
counts = {}   -- "kind:class" -> n, read back by done() through thread:get
errors_5xx = 0

local function pick(t) return t[math.random(#t)] end

local function get(kind, path)
  last_kind = kind
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end

local function post(kind, path, body)
  last_kind = kind
  return wrk.format("POST", path, {["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json"}, body)
end

-- Request makers by kind; each role gets those its capabilities allow (SPEC section 12).
local make = {
  list_cases = function()
    local filters = {"", "&status=reported", "&status=accepted", "&category=02", "&overdue=1",
      "&channel=patrol", "&q=" .. "%E8%B7%AF%E7%81%AF"}
    return get("list_cases", "/api/v1/cases?limit=20&area=" .. area .. pick(filters))
  end,
  case_page = function() return get("case_page", "/api/v1/cases/" .. pick(cases)) end,
  household_file = function()
    return get("household_file", "/api/v1/households/" .. pick(households) .. "/file")
  end,
  indicators = function()
    return get("indicators", "/api/v1/stats/indicators?by=total&area=" .. area)
  end,
  dashboard = function()
    local p = {"/api/v1/stats/indicators?by=child&area=", "/api/v1/stats/indicators?by=month&area=",
      "/api/v1/alerts?area="}
    return get("dashboard", pick(p) .. area)
  end,
  tasks = function() return get("tasks", "/api/v1/tasks?limit=50") end,
  report = function(channel)
    counter = counter + 1
    return post("report", "/api/v1/cases", string.format(
      '{"channel":"%s","category":"0204","description":"混合负载 %s 第%d号 路灯不亮",' ..
      '"area_code":"%s"}', channel, role, counter, area))
  end,
  comment = function()
    counter = counter + 1
    return post("action", "/api/v1/cases/" .. pick(cases) .. "/actions",
      string.format('{"action":"comment","text":"混合负载留言 %d"}', counter))
  end,
  visit = function()
    counter = counter + 1
    return post("visit", "/api/v1/visits", string.format(
      '{"household_id":%s,"findings":"混合负载走访 %d：家中一切正常"}', pick(households), counter))
  end,
}

local function report_as(channel) return function() return make.report(channel) end end

local menus = {
  grid_worker = {
    reads = {make.list_cases, make.case_page, make.household_file, make.tasks},
    writes = {report_as("patrol"), make.comment, make.visit}},
  community_staff = {
    reads = {make.list_cases, make.case_page, make.household_file, make.indicators, make.dashboard},
    writes = {report_as("phone"), make.comment, make.visit}},
  dispatcher = {
    reads = {make.list_cases, make.case_page, make.indicators, make.dashboard},
    writes = {report_as("phone"), make.comment}},
  leader = {
    reads = {make.list_cases, make.case_page, make.indicators, make.dashboard},
    writes = {make.comment}},
  station_cadre = {
    reads = {make.list_cases, make.case_page, make.household_file, make.indicators},
    writes = {report_as("office_hours"), make.comment}},
}

function init(args)
  local names = split(roles_env, ",")
  role = names[((tid - 1) % #names) + 1]
  local f = assert(io.open(dir .. "/" .. role .. ".ids", "r"))
  for line in f:lines() do
    local w = split(line, " ")
    local key = table.remove(w, 1)
    if key == "token" then token = w[1]
    elseif key == "area" then area = w[1]
    elseif key == "cases" then cases = w
    elseif key == "households" then households = w end
  end
  f:close()
  local m = assert(menus[role], "no menu for role " .. role)
  -- A maker needing ids the user has none of is left out.
  for _, kind in ipairs({"reads", "writes"}) do
    for _, fn in ipairs(m[kind]) do
      local needs_case = fn == make.case_page or fn == make.comment
      local needs_household = fn == make.household_file or fn == make.visit
      if not ((needs_case and #cases == 0) or (needs_household and #households == 0)) then
        table.insert(kind == "reads" and reads or writes, fn)
      end
    end
  end
  assert(token and area and #reads > 0 and #writes > 0, role .. ": incomplete " .. dir)
  math.randomseed(os.time() + tid * 7919)
end

function request()
  if math.random() < 0.8 then return pick(reads)() end
  return pick(writes)()
end

function response(status, headers, body)
  local class = string.format("%dxx", math.floor(status / 100))
  local key = last_kind .. ":" .. class
  counts[key] = (counts[key] or 0) + 1
  if status >= 500 then errors_5xx = errors_5xx + 1 end
end

function done(summary, latency, requests)
  local total, by_kind, fivexx = {}, {}, 0
  for _, t in ipairs(threads) do
    fivexx = fivexx + (t:get("errors_5xx") or 0)
    for key, n in pairs(t:get("counts") or {}) do
      total[key] = (total[key] or 0) + n
    end
  end
  for key, n in pairs(total) do
    local kind, class = key:match("^(.-):(.*)$")
    by_kind[kind] = by_kind[kind] or {}
    by_kind[kind][class] = n
  end
  local kinds = {}
  for k in pairs(by_kind) do table.insert(kinds, k) end
  table.sort(kinds)
  for _, k in ipairs(kinds) do
    local c = by_kind[k]
    io.write(string.format("kind %-15s 2xx=%d 3xx=%d 4xx=%d 5xx=%d\n", k, c["2xx"] or 0,
      c["3xx"] or 0, c["4xx"] or 0, c["5xx"] or 0))
  end
  local e = summary.errors
  io.write(string.format("result requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f 5xx=%d " ..
    "socket_errors=%d\n", summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, fivexx,
    e.connect + e.read + e.write + e.timeout))
end
