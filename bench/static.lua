-- wrk script for the ceilings of bench/mixed: GET one static JSON file (a real case-list
-- answer, bench/mixed-prep.mjs); prints the same "result" line as bench/mixed.lua, counting
-- non-2xx answers per thread the same way, so the figures compare.
local threads = {}
non2xx = 0

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("non2xx") or 0) end
  local e = summary.errors
  io.write(string.format("result requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d " ..
    "socket_errors=%d\n", summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, bad,
    e.connect + e.read + e.write + e.timeout))
end
