// The retry check against a stand-in gateway on a free local port, which answers as Sluice does
// for a tenant limited to 3 requests in any 1.5 s: OpenAI's x-ratelimit-* headers, and 429
// rate_limited with Retry-After and retry-after-ms beyond the limit. It shows that the script
// passes a gateway that behaves and fails, with a message, one that does not.
// Run: npm test --prefix clients/node (node's own test runner; no dependency beyond `openai`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../rate-limit-retry.mjs', import.meta.url));
const LIMIT = 3;
const WINDOW_MS = 1500;

/** A stand-in gateway; `breakIt` names what it gets wrong ('code', 'retry-after-ms', 'headers'). */
async function standIn(breakIt) {
  let admitted = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const now = Date.now();
      admitted = admitted.filter((t) => now - t < WINDOW_MS);
      const headers = { 'content-type': 'application/json', 'x-ratelimit-limit-requests': String(LIMIT) };
      if (req.headers.authorization !== 'Bearer limited-token') {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'no', type: 'authentication_error', code: 'invalid_token' } }));
        return;
      }
      if (admitted.length >= LIMIT) {
        const wait = admitted[0] + WINDOW_MS - now;
        headers['x-ratelimit-remaining-requests'] = '0';
        headers['x-ratelimit-reset-requests'] = `${wait / 1000}s`;
        headers['retry-after'] = String(Math.max(1, Math.ceil(wait / 1000)));
        if (breakIt !== 'retry-after-ms') headers['retry-after-ms'] = String(wait);
        res.writeHead(429, headers);
        const code = breakIt === 'code' ? 'provider_error' : 'rate_limited';
        res.end(JSON.stringify({ error: { message: 'rate limit reached', type: 'rate_limit_error', code } }));
        return;
      }
      admitted.push(now);
      headers['x-ratelimit-remaining-requests'] = String(LIMIT - admitted.length);
      headers['x-ratelimit-reset-requests'] = '1.5s';
      if (breakIt === 'headers') delete headers['x-ratelimit-limit-requests'];
      res.writeHead(200, headers);
      res.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1,
          model: 'stub',
          choices: [{ index: 0, message: { role: 'assistant', content: 'echo' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function runScript(...args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, stdout, stderr });
    });
  });
}

async function against(breakIt, token = 'limited-token') {
  const server = await standIn(breakIt);
  try {
    return await runScript(`http://127.0.0.1:${server.address().port}`, token);
  } finally {
    server.close();
  }
}

test('passes a gateway that limits and lets the SDK retry', async () => {
  const run = await against(null);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /PASS refused 429 rate_limited after 3 answers/);
  assert.match(run.stdout, /attempts with default retries: 429 -> 200/);
  assert.match(run.stdout, /rate-limit-retry: all checks passed/);
  assert.doesNotMatch(run.stdout + run.stderr, /limited-token/, 'the token is never printed');
});

test('fails a 429 whose code is not rate_limited', async () => {
  const run = await against('code');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /the 429 has code provider_error, not rate_limited/);
});

test('fails a 429 without retry-after-ms', async () => {
  const run = await against('retry-after-ms');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /the 429 has no retry-after-ms header/);
});

test('fails an answer without the x-ratelimit-* headers', async () => {
  const run = await against('headers');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /no x-ratelimit-limit-requests header/);
});

test('fails a refused credential without printing it', async () => {
  const run = await against(null, 'wrong-token');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /request 1 failed with 401 invalid_token/);
  assert.doesNotMatch(run.stdout + run.stderr, /wrong-token/);
});

test('says how to call it when arguments are missing', async () => {
  const run = await runScript();
  assert.equal(run.code, 2);
  assert.match(run.stderr, /usage: node rate-limit-retry.mjs <baseUrl> <token>/);
});
