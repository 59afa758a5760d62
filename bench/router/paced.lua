-- Paced load for the added-latency phase: each connection waits `pace_ms` between requests,
-- so the rate is about connections × 1000 / pace_ms and the proxy is never saturated.
-- wrk measures latency without the delay.
local pace_ms = tonumber(os.getenv("BENCH_PACE_MS") or "20")
function delay()
  return pace_ms
end

-- The whole latency distribution, for mixing the two direct runs into the 90/10 baseline:
-- one line per 0.1 percentile ("q <percentile> <microseconds>"), then 99.95 and 99.99.
function done(summary, latency, requests)
  for i = 1, 999 do
    io.write(string.format("q %.1f %d\n", i / 10, latency:percentile(i / 10)))
  end
  io.write(string.format("q 99.95 %d\n", latency:percentile(99.95)))
  io.write(string.format("q 99.99 %d\n", latency:percentile(99.99)))
end
