-- wrk script: POST /api/v1/cases with a different point inside the demo district each time.
-- TOKEN (environment) is a dispatcher's bearer token; the body is ~300 bytes of JSON.
local token = os.getenv("TOKEN") or ""
local counter = 0
local categories = {"0101", "0204", "0205", "0801", "1002", "0401", "1401"}

request = function()
  counter = counter + 1
  local lon = 112.97 + math.random() * 0.34
  local lat = 22.89 + math.random() * 0.28
  local body = string.format(
    '{"channel":"phone","category":"%s","description":"基准测试 第%d号 路灯不亮，请尽快处理",' ..
    '"lon":%.6f,"lat":%.6f,"address":"佛山市南海区桂城街道 测试路%d号"}',
    categories[(counter % #categories) + 1], counter, lon, lat, counter % 500)
  return wrk.format("POST", "/api/v1/cases",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

done = function(summary, latency, requests)
  io.write(string.format("result requests=%d errors_status=%d p50_ms=%.2f p99_ms=%.2f rps=%.0f\n",
    summary.requests, summary.errors.status, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6)))
end
