// A stand-in web browser for sso-scim-wizard's login tests: use it as $BROWSER.
//
// Usage: node browser.mjs AUTHORIZATION_URL
//        node browser.mjs --foreground AUTHORIZATION_URL
//
// It plays a user on the test OpenID Provider's development login page
// (tests/support/oidc/provider.mjs): it GETs the authorization URL with a cookie jar and
// manual redirects, fills the login form with any user and password, accepts the consent
// form, and follows redirects until one leaves the provider's origin: that is the app's
// redirect URI (for example http://127.0.0.1:PORT/callback?code=...&state=...), which it
// GETs once so the app's loopback listener receives the code.
//
// Like a real browser launcher it returns at once: without --foreground it starts a
// detached copy of itself and exits 0, so a caller that waits for $BROWSER to exit
// never blocks. The detached copy writes its progress to $SSW_TEST_BROWSER_LOG (default
// $TMPDIR/ssw-test-browser.log) and gives up after 30 s. With --foreground it does the
// work itself, logs to stderr, and exits 0 once the app's redirect URI was hit (1 on any
// failure).
//
// Environment: SSW_TEST_BROWSER_LOGIN (default "alice"; the provider makes the user's
// claims from it), SSW_TEST_BROWSER_LOG.

import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OVERALL_TIMEOUT_MS = 30_000;
const STEP_TIMEOUT_MS = 10_000;
const MAX_STEPS = 25;

const args = process.argv.slice(2);
const foreground = args[0] === '--foreground';
const target = foreground ? args[1] : args[0];

if (!target || args.length !== (foreground ? 2 : 1)) {
  process.stderr.write('usage: browser.mjs [--foreground] AUTHORIZATION_URL\n');
  process.exit(2);
}

if (!foreground) {
  const logPath = process.env.SSW_TEST_BROWSER_LOG || join(tmpdir(), 'ssw-test-browser.log');
  const log = openSync(logPath, 'a');
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--foreground', target], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();
  process.exit(0);
}

function say(message) {
  process.stderr.write(`[ssw-test-browser ${new Date().toISOString()}] ${message}\n`);
}

function fail(message) {
  say(`FAILED: ${message}`);
  process.exit(1);
}

setTimeout(() => fail(`gave up after ${OVERALL_TIMEOUT_MS / 1000} s`), OVERALL_TIMEOUT_MS).unref();

/** Host-only cookies of the provider's origin, keyed by name and path. */
class CookieJar {
  #cookies = new Map();

  store(response) {
    // Headers#getSetCookie is missing from older Node 18 releases: split by hand there,
    // at commas that start a new `name=` (not the ones inside Expires dates).
    const lines = typeof response.headers.getSetCookie === 'function'
      ? response.headers.getSetCookie()
      : (response.headers.get('set-cookie') ?? '').split(/,(?=\s*[^;,=\s]+=)/u).filter(Boolean);
    for (const line of lines) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key, ...rest] = attribute.split('=');
        const attrValue = rest.join('=').trim();
        switch (key.trim().toLowerCase()) {
          case 'path':
            path = attrValue || '/';
            break;
          case 'max-age':
            if (Number(attrValue) <= 0) expired = true;
            break;
          case 'expires':
            if (Date.parse(attrValue) <= Date.now()) expired = true;
            break;
          default:
        }
      }
      const key = `${name}\u0000${path}`;
      if (expired) {
        this.#cookies.delete(key);
      } else {
        this.#cookies.set(key, { name, value, path });
      }
    }
  }

  header(url) {
    const { pathname } = new URL(url);
    const matching = [...this.#cookies.values()]
      .filter(({ path }) => pathname === path
        || pathname.startsWith(path.endsWith('/') ? path : `${path}/`))
      .sort((a, b) => b.path.length - a.path.length);
    return matching.map(({ name, value }) => `${name}=${value}`).join('; ');
  }
}

function decodeEntities(text) {
  return text
    .replace(/&#x([0-9a-f]+);/giu, (_, hex) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#([0-9]+);/gu, (_, dec) => String.fromCodePoint(Number.parseInt(dec, 10)))
    .replace(/&quot;/gu, '"')
    .replace(/&#39;|&apos;/gu, "'")
    .replace(/&lt;/gu, '<')
    .replace(/&gt;/gu, '>')
    .replace(/&amp;/gu, '&');
}

function attribute(tag, name) {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'iu').exec(tag);
  if (!match) return undefined;
  return decodeEntities(match[1] ?? match[2] ?? match[3]);
}

/** The first POST form of a page: its action and the fields a user would submit. */
function parseForm(html, pageUrl) {
  const formMatch = /<form\b[^>]*>([\s\S]*?)<\/form>/iu.exec(html);
  if (!formMatch) return undefined;
  const formTag = formMatch[0].slice(0, formMatch[0].indexOf('>') + 1);
  const method = (attribute(formTag, 'method') ?? 'get').toLowerCase();
  const action = new URL(attribute(formTag, 'action') ?? pageUrl, pageUrl).href;
  const fields = new URLSearchParams();
  for (const [input] of formMatch[1].matchAll(/<input\b[^>]*>/giu)) {
    const name = attribute(input, 'name');
    if (!name) continue;
    const type = (attribute(input, 'type') ?? 'text').toLowerCase();
    let value = attribute(input, 'value') ?? '';
    if (name === 'login' || (type === 'text' && !value) || type === 'email') {
      value = value || (process.env.SSW_TEST_BROWSER_LOGIN || 'alice');
    } else if (type === 'password') {
      value = 'any-password';
    }
    fields.append(name, value);
  }
  return { method, action, fields };
}

/** GET the app's redirect URI once; success means the app's listener got the request. */
function hitApp(url) {
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: 'GET', timeout: STEP_TIMEOUT_MS }, (res) => {
      say(`app answered ${res.statusCode} at ${new URL(url).origin}${new URL(url).pathname}`);
      res.resume();
      res.on('end', () => resolve(true));
      res.on('error', () => resolve(true));
    });
    let sent = false;
    req.on('finish', () => { sent = true; });
    req.on('timeout', () => {
      say('the app did not answer within 10 s; the request was sent');
      req.destroy();
      resolve(sent);
    });
    req.on('error', (err) => {
      if (sent) {
        say(`the app closed the connection without an answer (${err.code ?? err.message}); the request was sent`);
        resolve(true);
      } else {
        say(`could not reach the app: ${err.code ?? err.message}`);
        resolve(false);
      }
    });
    req.end();
  });
}

async function main() {
  let authorizationUrl;
  try {
    authorizationUrl = new URL(target);
  } catch {
    fail(`not a URL: ${target}`);
  }
  const providerOrigin = authorizationUrl.origin;
  const jar = new CookieJar();

  let url = authorizationUrl.href;
  let init = { method: 'GET' };

  for (let step = 0; step < MAX_STEPS; step += 1) {
    if (new URL(url).origin !== providerOrigin) {
      const shown = new URL(url);
      say(`redirected to the app: ${shown.origin}${shown.pathname} (${[...shown.searchParams.keys()].join(', ')})`);
      if (await hitApp(url)) process.exit(0);
      fail('the app\'s redirect URI could not be reached');
    }

    const cookie = jar.header(url);
    const headers = { ...(init.headers ?? {}), accept: 'text/html' };
    if (cookie) headers.cookie = cookie;
    let response;
    try {
      response = await fetch(url, {
        ...init,
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
      });
    } catch (err) {
      fail(`${init.method} ${url}: ${err.cause?.code ?? err.message}`);
    }
    jar.store(response);
    say(`${init.method} ${new URL(url).pathname} -> ${response.status}`);

    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location');
      if (!location) fail(`${response.status} without a Location header`);
      await response.arrayBuffer();
      url = new URL(location, url).href;
      init = { method: 'GET' };
      continue;
    }

    const body = await response.text();
    if (response.status !== 200) {
      fail(`unexpected ${response.status} from ${url}: ${body.slice(0, 500)}`);
    }
    const form = parseForm(body, url);
    if (!form) {
      fail(`no form on ${url}: ${body.replace(/\s+/gu, ' ').slice(0, 500)}`);
    }
    say(`submitting form (${[...form.fields.keys()].join(', ')})`);
    if (form.method === 'post') {
      url = form.action;
      init = {
        method: 'POST',
        body: form.fields.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      };
    } else {
      const next = new URL(form.action);
      for (const [key, value] of form.fields) next.searchParams.append(key, value);
      url = next.href;
      init = { method: 'GET' };
    }
  }
  fail(`no redirect to the app after ${MAX_STEPS} steps`);
}

main().catch((err) => fail(err.stack ?? String(err)));
