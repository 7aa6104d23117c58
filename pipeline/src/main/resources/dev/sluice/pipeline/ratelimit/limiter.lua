-- Sluice's rate limiter in Redis: TenantLimiter's rules (see its class comment), restated over
-- every ledger of a request and run atomically, with Redis's clock (TIME) for now. One call runs
-- a batch of operations of one tenant in order, all at the same now, exactly as if each were a
-- call of its own; what they share (a window's fields, the day, the calls in flight) is read once
-- per call and written back once at its end.
--
-- KEYS: six per ledger, in this order (ledger j's keys are KEYS[6j-5] to KEYS[6j]):
--   req   hash: request sub-bucket start -> admissions, and the window's fields (see readWindow)
--   tok   hash: tokens-per-minute sub-bucket start (1 s) -> tokens, and the window's fields
--   day   hash: day (UTC days since the epoch), tokens (counted that day)
--   res   sorted set: unsettled request id, scored by when it was reserved
--   rtok  hash: unsettled request id -> tokens reserved
--   done  sorted set: settled (or expired) request id, scored by when that happened
-- ARGV: settledKeepMs, reservationMaxAgeMs, then each operation: 'reserve' or 'settle', the
--   request id, tokens (reserved, or used when settling), its number of ledgers, and for each of
--   them the ledger's number j; for 'reserve' followed by five figures: requests, windowMs,
--   tokensPerMinute, dailyTokens, concurrent ('' for a limit the spec does not have).
-- Returns {now}, then for each 'reserve' in order twelve integers per ledger of it: outcome
-- (0 allowed, 1 refused, 2 already settled), refusing limit (0 requests, 1 tokens per minute,
-- 2 daily tokens, 3 concurrent; -1 none), retry-after ms, too large (0/1), then the figures:
-- requests counted, their reset ms, tokens in the minute, their reset ms, tokens today, their
-- reset ms, calls in flight, their reset ms. The figures are after the request when that ledger
-- allowed it, even if another ledger refused (as TenantLimiter.reserveAll reports them).
-- Every key expires once nothing in it can matter any more, so memory is bounded by the live
-- tenants: at most 60 request and 61 token sub-buckets, the calls in flight and the ids settled
-- within settledKeepMs per ledger.

if redis.replicate_commands then
  -- Redis 3.2 to 4 replicate scripts verbatim unless told; TIME makes this one non-deterministic.
  redis.replicate_commands()
end

local DAY = 86400000
local MINUTE = 60000
local ALLOWED, REFUSED, SETTLED = 0, 1, 2
local FITS, NEVER = -1, -2

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local keep = tonumber(ARGV[1])
local maxAge = tonumber(ARGV[2])
local today = math.floor(now / DAY)

-- Integers as Redis arguments: tostring would write 1.7e+12.
local function str(n)
  return string.format('%.0f', n)
end

-- A sliding window: W ms in sub-buckets of w = ceil(W / 60) ms.
local function window(windowMs)
  return { W = windowMs, w = math.floor((windowMs + 59) / 60) }
end
local TPM = window(MINUTE)

local function leaves(win, start)
  return start + win.w - 1 + win.W
end

local function bucketAt(win, t)
  return math.floor(t / win.w) * win.w
end

-- A window's hash holds its sub-buckets (start -> count, never zero) and four fields beside
-- them: 'sum' of the sub-buckets, 'lo' and 'hi' the first and last start, and 'W' the window they
-- were worked out for. Every sub-bucket from lo on counts while lo does, so a call reads the four
-- fields and not every sub-bucket; it reads them all (rescan) only when lo has left, the window
-- changed, or a refund emptied lo or hi: at most once per sub-bucket width under steady traffic.
-- A window's state in the script: { sum, lo, hi }, lo and hi nil when nothing counts.
-- Sub-buckets are written as they change; the fields once, when the call ends (flushWindows).

local function writeState(key, win, st)
  redis.call('HSET', key, 'sum', str(st.sum), 'lo', str(st.lo), 'hi', str(st.hi), 'W', str(win.W))
end

-- Reads every sub-bucket: deletes those that no longer count, and works the fields out again.
local function rescan(key, win)
  local raw = redis.call('HGETALL', key)
  local st, stale = { sum = 0 }, {}
  for j = 1, #raw, 2 do
    local start = tonumber(raw[j])
    if start then
      local count = tonumber(raw[j + 1])
      if count > 0 and leaves(win, start) > now then
        st.sum = st.sum + count
        st.lo = st.lo and math.min(st.lo, start) or start
        st.hi = st.hi and math.max(st.hi, start) or start
      else
        stale[#stale + 1] = raw[j]
      end
    end
  end
  if not st.lo then
    if #raw > 0 then
      redis.call('DEL', key)
    end
    return st
  end
  for j = 1, #stale, 500 do
    redis.call('HDEL', key, unpack(stale, j, math.min(j + 499, #stale)))
  end
  writeState(key, win, st)
  return st
end

-- The window's state at now as its hash holds it, what no longer counts deleted; and the
-- hash's expiry when it is known to be set (when hi leaves, as every call that moves hi sets it).
local function readWindow(key, win)
  local f = redis.call('HMGET', key, 'sum', 'lo', 'hi', 'W')
  if not f[1] or tonumber(f[4]) ~= win.W then
    -- Empty, or counted under another window (its sub-buckets are read with the new width).
    return rescan(key, win), nil
  end
  local st = { sum = tonumber(f[1]), lo = tonumber(f[2]), hi = tonumber(f[3]) }
  if leaves(win, st.hi) <= now then
    redis.call('DEL', key)
    return { sum = 0 }, nil
  end
  if leaves(win, st.lo) <= now then
    return rescan(key, win), leaves(win, st.hi)
  end
  return st, leaves(win, st.hi)
end

-- This call's windows: key -> { win, st, dirty (fields not yet written), expiry (set in Redis,
-- if known) }, in the order first read. A window without win was deleted (no request limit) and
-- holds nothing.
local windows, windowOrder = {}, {}

local function remember(key, entry)
  if not windows[key] then
    windowOrder[#windowOrder + 1] = key
  end
  windows[key] = entry
end

local function loadWindow(key, win)
  local cached = windows[key]
  if cached and cached.win and cached.win.W == win.W then
    return cached.st
  end
  if cached and cached.dirty then
    -- The bundle changed between two operations: the hash first gets its fields right.
    writeState(key, cached.win, cached.st)
  end
  local st, expiry = readWindow(key, win)
  remember(key, { win = win, st = st, dirty = false, expiry = expiry })
  return st
end

-- Without a request limit its sub-buckets are not kept (TenantLimiter.prune drops them).
local function dropWindow(key)
  local cached = windows[key]
  if cached and not cached.win then
    return
  end
  redis.call('DEL', key)
  remember(key, { st = { sum = 0 }, dirty = false })
end

local function include(st, start)
  st.lo = st.lo and math.min(st.lo, start) or start
  st.hi = st.hi and math.max(st.hi, start) or start
end

local function addTo(key, st, start, count)
  redis.call('HINCRBY', key, str(start), str(count))
  st.sum = st.sum + count
  include(st, start)
  windows[key].dirty = true
end

-- Sets the sub-bucket at start (which counts) from before to count; 0 removes it.
local function setBucket(key, win, st, start, before, count)
  if count == before then
    return st
  end
  if count > 0 then
    redis.call('HSET', key, str(start), str(count))
    st.sum = st.sum + count - before
    include(st, start)
    windows[key].dirty = true
    return st
  end
  redis.call('HDEL', key, str(start))
  if start == st.lo or start == st.hi then
    local scanned = rescan(key, win)
    windows[key] = { win = win, st = scanned, dirty = false }
    return scanned
  end
  st.sum = st.sum - before
  windows[key].dirty = true
  return st
end

-- Until nothing counted now counts any more (0 when nothing counts); plus, when extra is given,
-- a sub-bucket starting there that the request is about to count in.
local function untilEmpty(win, st, extra)
  local latest = now
  if st.hi then
    latest = math.max(latest, leaves(win, st.hi))
  end
  if extra then
    latest = math.max(latest, leaves(win, extra))
  end
  return latest - now
end

-- Writes each window's fields and expires it when its newest sub-bucket leaves (a window where
-- nothing counts is already deleted).
local function flushWindows()
  for _, key in ipairs(windowOrder) do
    local cached = windows[key]
    if cached.win and cached.st.hi then
      if cached.dirty then
        writeState(key, cached.win, cached.st)
      end
      local expiry = leaves(cached.win, cached.st.hi)
      if expiry ~= cached.expiry then
        redis.call('PEXPIRE', key, str(expiry - now))
      end
    end
  end
end

-- Until at least excess of what counts has left the window, oldest sub-buckets first: only a
-- refusal asks, so it may read every sub-bucket (all of them count once the window is loaded).
local function untilFreed(key, win, st, excess)
  local raw = redis.call('HGETALL', key)
  local buckets, starts = {}, {}
  for j = 1, #raw, 2 do
    local start = tonumber(raw[j])
    if start then
      buckets[start] = tonumber(raw[j + 1])
      starts[#starts + 1] = start
    end
  end
  table.sort(starts)
  local freed = 0
  for _, start in ipairs(starts) do
    freed = freed + buckets[start]
    if freed >= excess then
      return leaves(win, start) - now
    end
  end
  return untilEmpty(win, st)
end

-- This call's days: key -> { day, tokens, and both as stored }; a new day starts at zero; a clock
-- gone back keeps the later day.
local days, dayOrder = {}, {}

local function loadDay(key)
  local cached = days[key]
  if cached then
    return cached
  end
  local stored = redis.call('HMGET', key, 'day', 'tokens')
  local storedDay, storedTokens = tonumber(stored[1]), tonumber(stored[2]) or 0
  local day, used = storedDay or 0, storedTokens
  if today > day then
    day, used = today, 0
  end
  cached = { day = day, tokens = used, storedDay = storedDay, storedTokens = storedTokens }
  days[key] = cached
  dayOrder[#dayOrder + 1] = key
  return cached
end

-- Writes each day that changed; it expires at the end of its day.
local function flushDays()
  for _, key in ipairs(dayOrder) do
    local d = days[key]
    if d.tokens == 0 and d.day <= today then
      -- The same as no key: today, nothing counted.
      if d.storedDay then
        redis.call('DEL', key)
      end
    elseif d.day ~= d.storedDay or d.tokens ~= d.storedTokens then
      redis.call('HSET', key, 'day', str(d.day), 'tokens', str(d.tokens))
      if d.day ~= d.storedDay then
        redis.call('PEXPIRE', key, str(math.max(1, (d.day + 1) * DAY - now)))
      end
    end
  end
end

local function score(key, index)
  local entry = redis.call('ZRANGE', key, index, index, 'WITHSCORES')
  return entry[2] and tonumber(entry[2])
end

-- This call's ledgers' reservations: ledger offset k -> { inFlight, newest (false when it must be
-- read again), reserved and settled (whether this call added to res and to done) }, pruned when
-- first touched. Every operation of a call has the same now, so one prune serves them all: what
-- they add is at now, never lost or forgotten at now.
local reservations, reservationOrder = {}, {}

local function touch(k)
  local r = reservations[k]
  if r then
    return r
  end
  r = { newest = false, reserved = false, settled = false }
  reservations[k] = r
  reservationOrder[#reservationOrder + 1] = k
  local res, rtok, done = KEYS[k + 4], KEYS[k + 5], KEYS[k + 6]
  -- Settled ids past the keep window go; reservations past their maximum age become settled now,
  -- their tokens staying counted.
  redis.call('ZREMRANGEBYSCORE', done, '-inf', str(now - keep))
  local lost = redis.call('ZRANGEBYSCORE', res, '-inf', str(now - maxAge))
  for _, lostId in ipairs(lost) do
    redis.call('ZREM', res, lostId)
    redis.call('HDEL', rtok, lostId)
    if keep > 0 then
      redis.call('ZADD', done, str(now), lostId)
      r.settled = true
    end
  end
  return r
end

local function inFlight(k, r)
  if not r.inFlight then
    r.inFlight = redis.call('ZCARD', KEYS[k + 4])
  end
  return r.inFlight
end

local function newest(k, r)
  if r.newest == false then
    r.newest = score(KEYS[k + 4], -1)
  end
  return r.newest
end

-- Reservations live until their maximum age, and then as long as a later call may still turn
-- them into settled ids; settled ids for the keep window. Only an addition moves an expiry (the
-- newest entry's), so only a call that added sets it; emptied keys Redis deletes by itself.
local function flushReservations()
  for _, k in ipairs(reservationOrder) do
    local r = reservations[k]
    if r.reserved then
      local ttl = str(math.max(1, (r.newest or now) + maxAge + keep - now))
      redis.call('PEXPIRE', KEYS[k + 4], ttl)
      redis.call('PEXPIRE', KEYS[k + 5], ttl)
    end
    if r.settled then
      redis.call('PEXPIRE', KEYS[k + 6], str(math.max(1, keep)))
    end
  end
end

local function untilTomorrow()
  return (today + 1) * DAY - now
end

local function settle(id, used, ledgerOffsets)
  for _, k in ipairs(ledgerOffsets) do
    local r = touch(k)
    local tok = loadWindow(KEYS[k + 2], TPM)
    local d = loadDay(KEYS[k + 3])
    local at = redis.call('ZSCORE', KEYS[k + 4], id)
    if at then
      at = tonumber(at)
      local reserved = tonumber(redis.call('HGET', KEYS[k + 5], id)) or 0
      local correction = used - reserved
      local bucket = bucketAt(TPM, at)
      if leaves(TPM, bucket) > now and correction ~= 0 then
        local before = tonumber(redis.call('HGET', KEYS[k + 2], str(bucket))) or 0
        setBucket(KEYS[k + 2], TPM, tok, bucket, before, math.max(0, before + correction))
      end
      if math.floor(at / DAY) == d.day then
        d.tokens = math.max(0, d.tokens + correction)
      end
      redis.call('ZREM', KEYS[k + 4], id)
      redis.call('HDEL', KEYS[k + 5], id)
      if keep > 0 then
        redis.call('ZADD', KEYS[k + 6], str(now), id)
        r.settled = true
      end
      if r.inFlight then
        r.inFlight = r.inFlight - 1
      end
      if r.newest == at then
        r.newest = false
      end
    end
    -- The request sub-buckets are left alone: a settlement does not know the request window.
  end
end

-- Milliseconds until the request fits one limit: FITS, NEVER (too large) or a wait.
local function waitFor(kind, s, l, tokens)
  if kind == 0 then
    if not s.requests then
      return FITS
    end
    local excess = l.req.sum + 1 - s.requests
    if excess <= 0 then
      return FITS
    end
    return untilFreed(KEYS[l.k + 1], s.window, l.req, excess)
  elseif kind == 1 then
    if not s.tpm then
      return FITS
    end
    if tokens > s.tpm then
      return NEVER
    end
    local over = l.tok.sum + tokens - s.tpm
    if over <= 0 then
      return FITS
    end
    return untilFreed(KEYS[l.k + 2], TPM, l.tok, over)
  elseif kind == 2 then
    if not s.daily then
      return FITS
    end
    if tokens > s.daily then
      return NEVER
    end
    if l.day.tokens + tokens <= s.daily then
      return FITS
    end
    return untilTomorrow()
  else
    if not s.concurrent or l.inFlight < s.concurrent then
      return FITS
    end
    -- An upper bound: a settlement usually frees a slot sooner.
    return score(KEYS[l.k + 4], 0) + maxAge - now
  end
end

-- The figures of a ledger, after this request if counted is true.
local function figures(s, l, tokens, counted)
  local out = {}
  if s.requests then
    local extra = counted and bucketAt(s.window, now) or nil
    out[1] = l.req.sum + (counted and 1 or 0)
    out[2] = untilEmpty(s.window, l.req, extra)
  else
    out[1], out[2] = 0, 0
  end
  local extraTok = (counted and tokens > 0) and bucketAt(TPM, now) or nil
  out[3] = l.tok.sum + (counted and tokens or 0)
  out[4] = untilEmpty(TPM, l.tok, extraTok)
  out[5] = l.day.tokens + (counted and tokens or 0)
  out[6] = out[5] == 0 and 0 or untilTomorrow()
  out[7] = l.inFlight + (counted and 1 or 0)
  local latest = l.newest
  if counted then
    latest = latest and math.max(latest, now) or now
  end
  out[8] = out[7] == 0 and 0 or latest + maxAge - now
  return out
end

local function reserve(id, tokens, ledgerOffsets, specs, reply)
  local states = {}
  local allAllowed = true
  for i, k in ipairs(ledgerOffsets) do
    local s = specs[i]
    local r = touch(k)
    local l = { k = k, limit = -1, retry = 0, tooLarge = 0, counts = false }
    if s.requests then
      l.req = loadWindow(KEYS[k + 1], s.window)
    else
      dropWindow(KEYS[k + 1])
      l.req = { sum = 0 }
    end
    l.tok = loadWindow(KEYS[k + 2], TPM)
    l.day = loadDay(KEYS[k + 3])
    l.inFlight = inFlight(k, r)
    l.newest = newest(k, r)
    if redis.call('ZSCORE', KEYS[k + 4], id) then
      l.outcome = ALLOWED
    elseif redis.call('ZSCORE', KEYS[k + 6], id) then
      l.outcome = SETTLED
    else
      for kind = 0, 3 do
        local wait = waitFor(kind, s, l, tokens)
        if wait == NEVER then
          if l.tooLarge == 0 then
            l.limit, l.retry, l.tooLarge = kind, 0, 1
          end
        elseif wait ~= FITS and l.tooLarge == 0 and (l.limit < 0 or wait > l.retry) then
          l.limit, l.retry = kind, wait
        end
      end
      if l.limit >= 0 then
        l.outcome = REFUSED
      else
        l.outcome = ALLOWED
        l.counts = true
      end
    end
    if l.outcome ~= ALLOWED then
      allAllowed = false
    end
    l.figures = figures(s, l, tokens, l.counts)
    states[i] = l
  end

  -- All or nothing: count under every ledger only if every ledger allowed.
  for i, k in ipairs(ledgerOffsets) do
    local s, l = specs[i], states[i]
    if allAllowed and l.counts then
      if s.requests then
        addTo(KEYS[k + 1], l.req, bucketAt(s.window, now), 1)
      end
      if tokens > 0 then
        addTo(KEYS[k + 2], l.tok, bucketAt(TPM, now), tokens)
      end
      l.day.tokens = l.day.tokens + tokens
      redis.call('ZADD', KEYS[k + 4], str(now), id)
      redis.call('HSET', KEYS[k + 5], id, str(tokens))
      local r = reservations[k]
      r.inFlight = r.inFlight + 1
      r.newest = r.newest and math.max(r.newest, now) or now
      r.reserved = true
    end
    reply[#reply + 1] = l.outcome
    reply[#reply + 1] = l.limit
    reply[#reply + 1] = l.retry
    reply[#reply + 1] = l.tooLarge
    for j = 1, 8 do
      reply[#reply + 1] = l.figures[j]
    end
  end
end

local reply = { now }
local a = 3
while a <= #ARGV do
  local op, id, tokens, count = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  a = a + 4
  local ledgerOffsets, specs = {}, {}
  if op == 'settle' then
    for i = 1, count do
      ledgerOffsets[i] = (tonumber(ARGV[a]) - 1) * 6
      a = a + 1
    end
    settle(id, tokens, ledgerOffsets)
  elseif op == 'reserve' then
    for i = 1, count do
      ledgerOffsets[i] = (tonumber(ARGV[a]) - 1) * 6
      local s = {
        requests = tonumber(ARGV[a + 1]),
        tpm = tonumber(ARGV[a + 3]),
        daily = tonumber(ARGV[a + 4]),
        concurrent = tonumber(ARGV[a + 5]),
      }
      if s.requests then
        s.window = window(tonumber(ARGV[a + 2]))
      end
      specs[i] = s
      a = a + 6
    end
    reserve(id, tokens, ledgerOffsets, specs, reply)
  else
    return redis.error_reply('unknown operation')
  end
end

flushWindows()
flushDays()
flushReservations()
return reply
