#!/usr/bin/env node
// Checks Sluice's rate limits from the official npm `openai` SDK, as a Node caller meets them:
//   1. with maxRetries: 0, requests until one is refused 429 `rate_limited`; shows its headers;
//   2. with the SDK's default retries, one request that must succeed: the SDK itself waits as
//      retry-after-ms / Retry-After say and retries (this script has no retry loop of its own);
//   3. the x-ratelimit-* headers on a success (`.withResponse()`).
// Usage: node rate-limit-retry.mjs <baseUrl> <token>
//   baseUrl: the gateway, e.g. http://127.0.0.1:8000 (`/v1` is added when missing)
//   token:   a bearer token of a tenant that has a request limit (rate_limits.requests)
// Exit 0 when every check holds, 1 when one fails, 2 on wrong usage. The token, prompts and
// answers are never printed.
import OpenAI from 'openai';

const MODEL = process.env.RATE_LIMIT_CHECK_MODEL || 'stub';
/** How many requests phase 1 sends at most before it gives up on seeing a 429. */
const MAX_REQUESTS = 200;
const RATE_LIMIT_HEADERS = [
  'x-ratelimit-limit-requests',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-reset-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-tokens',
];
/** OpenAI's reset format (Go durations): 0s, 20ms, 1s, 1.5s, 6m0s, 1h2m3s. */
const GO_DURATION = /^(?:0s|[1-9]\d{0,2}ms|(?:\d+h)?(?:\d+m)?\d+(?:\.\d*[1-9])?s)$/;

class CheckFailed extends Error {}

function fail(message) {
  throw new CheckFailed(message);
}

function usage() {
  console.error('usage: node rate-limit-retry.mjs <baseUrl> <token>');
  process.exit(2);
}

/** Every attempt the SDK makes goes through here, so the check can see its retries. */
function recordingFetch(attempts) {
  return async (url, init) => {
    const headers = new Headers(init?.headers);
    const sentAt = Date.now();
    const response = await fetch(url, init);
    attempts.push({
      sentAt,
      status: response.status,
      retryCount: headers.get('x-stainless-retry-count'),
      retryAfterMs: response.headers.get('retry-after-ms'),
      retryAfter: response.headers.get('retry-after'),
    });
    return response;
  };
}

function client(baseURL, apiKey, maxRetries, attempts) {
  return new OpenAI({ baseURL, apiKey, maxRetries, timeout: 30_000, fetch: recordingFetch(attempts) });
}

function ask(openai, n) {
  return openai.chat.completions.create({
    model: MODEL,
    messages: [{ role: 'user', content: `rate-limit check ${n}` }],
  });
}

function shownHeaders(headers) {
  const names = ['retry-after', 'retry-after-ms', ...RATE_LIMIT_HEADERS, 'x-request-id'];
  return names
    .filter((name) => headers?.get(name) != null)
    .map((name) => `${name}: ${headers.get(name)}`)
    .join(', ');
}

/** The x-ratelimit-* headers of an answer: the request ones must be there, all well formed. */
function checkRateLimitHeaders(headers, what) {
  for (const name of ['x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests']) {
    if (headers.get(name) == null) {
      fail(`${what}: no ${name} header (is the token's tenant limited? headers: ${shownHeaders(headers) || 'none'})`);
    }
  }
  for (const name of RATE_LIMIT_HEADERS) {
    const value = headers.get(name);
    if (value == null) continue;
    const ok = name.includes('-reset-') ? GO_DURATION.test(value) : /^\d+$/.test(value);
    if (!ok) fail(`${what}: ${name} is not well formed: ${JSON.stringify(value)}`);
  }
}

async function main() {
  const [base, token] = process.argv.slice(2);
  if (!base || !token || process.argv.length > 4) usage();
  const baseURL = base.replace(/\/+$/, '').replace(/(?<!\/v1)$/, '/v1');

  // 1. Until refused, without retries.
  const noRetries = [];
  const once = client(baseURL, token, 0, noRetries);
  let refusal;
  let checkedSuccess = false;
  for (let n = 1; n <= MAX_REQUESTS && !refusal; n++) {
    try {
      const { response } = await ask(once, n).withResponse();
      if (!checkedSuccess) {
        checkRateLimitHeaders(response.headers, `answer ${n}`);
        console.log(`PASS answer ${n} has x-ratelimit-* headers (${shownHeaders(response.headers)})`);
        checkedSuccess = true;
      }
    } catch (e) {
      if (e instanceof CheckFailed) throw e;
      if (!(e instanceof OpenAI.APIError) || e.status !== 429) {
        fail(`request ${n} failed with ${e.status ?? 'no status'} ${e.code ?? ''}: ${e.message}`);
      }
      refusal = { n, error: e };
    }
  }
  if (!refusal) fail(`no 429 after ${MAX_REQUESTS} requests: is the token's tenant limited?`);
  const { n, error } = refusal;
  console.log(`429 on request ${n}: code ${error.code}; ${shownHeaders(error.headers)}`);
  if (error.code !== 'rate_limited') fail(`the 429 has code ${error.code}, not rate_limited`);
  if (!(error instanceof OpenAI.RateLimitError)) fail('the SDK did not raise a RateLimitError for the 429');
  if (noRetries.length !== n) fail(`maxRetries: 0 made ${noRetries.length} attempts for ${n} requests`);
  for (const name of ['retry-after', 'retry-after-ms']) {
    if (error.headers?.get(name) == null) fail(`the 429 has no ${name} header`);
  }
  console.log(`PASS refused 429 rate_limited after ${n - 1} answers, with Retry-After and retry-after-ms`);

  // 2. Right away, with the SDK's default retries: refused first, then retried by the SDK.
  const withRetries = [];
  const patient = new OpenAI({ baseURL, apiKey: token, fetch: recordingFetch(withRetries) });
  let answer;
  try {
    answer = await ask(patient, n + 1).withResponse();
  } catch (e) {
    const seen = withRetries.map((a) => a.status).join(', ');
    fail(`with the SDK's default retries (${patient.maxRetries}) the request still failed (${e.status ?? 'no status'} ${e.code ?? ''}; attempts: ${seen})`);
  }
  const statuses = withRetries.map((a) => a.status);
  console.log(`attempts with default retries: ${statuses.join(' -> ')} (x-stainless-retry-count ${withRetries.map((a) => a.retryCount).join(', ')})`);
  if (statuses[statuses.length - 1] !== 200) fail(`the last attempt was ${statuses[statuses.length - 1]}, not 200`);
  if (statuses.length < 2 || statuses[0] !== 429) {
    fail('the first attempt was not refused, so the SDK had nothing to retry; the window reopened too soon (raise the limit or its window)');
  }
  // The SDK waits retry-after-ms when it is under a minute; it can only wait longer, never less.
  for (let i = 1; i < withRetries.length; i++) {
    const asked = Number(withRetries[i - 1].retryAfterMs);
    const waited = withRetries[i].sentAt - withRetries[i - 1].sentAt;
    console.log(`  retry ${i}: asked to wait ${withRetries[i - 1].retryAfterMs} ms, retried after ${waited} ms`);
    if (asked > 0 && asked < 60_000 && waited + 5 < asked) {
      fail(`the SDK retried after ${waited} ms, before the ${asked} ms retry-after-ms asked for`);
    }
  }
  console.log(`PASS the SDK's own retries got an answer once the window allowed (${statuses.length - 1} retries)`);

  // 3. The answer's headers.
  checkRateLimitHeaders(answer.response.headers, 'the retried answer');
  console.log(`PASS the retried answer has x-ratelimit-* headers (${shownHeaders(answer.response.headers)})`);
}

main().then(
  () => console.log('rate-limit-retry: all checks passed'),
  (e) => {
    console.error(`FAIL rate-limit-retry: ${e instanceof CheckFailed ? e.message : e?.stack ?? e}`);
    process.exit(1);
  },
);
