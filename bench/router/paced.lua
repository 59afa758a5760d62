-- Paced load for the added-latency phase: each connection waits `pace_ms` between requests,
-- so the rate is about connections × 1000 / pace_ms and the proxy is never saturated.
-- wrk measures latency without the delay.
local pace_ms = tonumber(os.getenv("BENCH_PACE_MS") or "20")
function delay()
  return pace_ms
end
