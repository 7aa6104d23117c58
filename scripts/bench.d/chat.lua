-- wrk script: POST one chat completion per request with the dev token, and print the figures
-- scripts/bench reads (a JSON line at the end). BENCH_MODEL picks the model (default stub).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "dev-token")
wrk.body = '{"model":"' .. (os.getenv("BENCH_MODEL") or "stub") .. '","messages":[{"role":"user","content":"Summarise the quarterly report in two sentences."}],"max_tokens":64}'

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'BENCH {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50":%.3f,"p90":%.3f,"p99":%.3f,"max":%.3f,"errors":%d,'
      .. '"non2xx":%d,"timeouts":%d,"socket":%d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, bad, summary.errors.status, summary.errors.timeout,
    summary.errors.connect + summary.errors.read + summary.errors.write))
end
