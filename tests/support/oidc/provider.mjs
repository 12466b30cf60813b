// Test OpenID Provider for sso-scim-wizard's integration tests.
//
// Usage: node provider.mjs [PORT]     (PORT 0 or absent = pick a free port)
//
// Serves two independent `oidc-provider` instances on 127.0.0.1:PORT:
//   issuer http://127.0.0.1:PORT            (mounted at /)
//   issuer http://127.0.0.1:PORT/realms/x   (mounted at /realms/x, like Keycloak realms)
// Once both listen it prints one line on stdout:
//   listening http://127.0.0.1:PORT
// and runs until SIGTERM/SIGINT.
//
// Test fixtures only: fixed client secrets, dev login page that accepts any user and
// password, in-memory storage, fresh signing keys at every start.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const REALM_PATH = '/realms/x';
const APP_REDIRECT_URI = 'http://127.0.0.1:8765/callback';

const portArg = process.argv[2] ?? '0';
const port = Number.parseInt(portArg, 10);
if (!Number.isInteger(port) || port < 0 || port > 65535 || String(port) !== portArg) {
  process.stderr.write(`usage: node provider.mjs [PORT]  (got ${JSON.stringify(portArg)})\n`);
  process.exit(2);
}

const clients = [
  {
    client_id: 'ssw-confidential',
    client_secret: 'ssw-confidential-secret-0001',
    // refresh_token so that the advertised offline_access scope yields a refresh token.
    grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [APP_REDIRECT_URI],
    // oidc-provider treats client_secret_basic and client_secret_post as interchangeable:
    // a client registered with either one may authenticate with the other.
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    client_id: 'ssw-code-only',
    client_secret: 'ssw-code-only-secret-0002',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [APP_REDIRECT_URI],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    client_id: 'ssw-public',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    // Native clients may use any port on a loopback redirect URI (RFC 8252 §7.3);
    // oidc-provider matches them with the port stripped. PKCE is required for
    // clients without authentication.
    redirect_uris: ['http://127.0.0.1/callback'],
  },
];

/** Claims of a made-up user; `id` is whatever was typed as the login. */
function accountClaims(id) {
  const local = id.includes('@') ? id.slice(0, id.indexOf('@')) : id;
  const email = id.includes('@') ? id : `${id}@example.com`;
  const given = local.charAt(0).toUpperCase() + local.slice(1);
  return {
    sub: id,
    email,
    email_verified: true,
    name: `${given} Tester`,
    given_name: given,
    family_name: 'Tester',
    preferred_username: email,
    groups: ['ssw-admins', 'ssw-users'],
  };
}

function signingKeys() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return {
    keys: [
      { ...rsa, kid: `rsa-${randomBytes(6).toString('hex')}`, alg: 'RS256', use: 'sig' },
      { ...ec, kid: `ec-${randomBytes(6).toString('hex')}`, alg: 'ES256', use: 'sig' },
    ],
  };
}

function makeProvider(issuer, cookieSuffix) {
  const provider = new Provider(issuer, {
    clients,
    jwks: signingKeys(),
    findAccount(_ctx, sub) {
      return {
        accountId: sub,
        claims: () => accountClaims(sub),
      };
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username', 'groups'],
    },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
    },
    cookies: {
      keys: [randomBytes(32).toString('hex')],
      // Both instances share one host:port; distinct names keep their sessions apart.
      names: {
        session: `_session${cookieSuffix}`,
        interaction: `_interaction${cookieSuffix}`,
        resume: `_interaction_resume${cookieSuffix}`,
      },
    },
    renderError(ctx, out) {
      ctx.type = 'json';
      ctx.body = out;
    },
  });
  provider.on('server_error', (_ctx, err) => {
    process.stderr.write(`${issuer}: server_error: ${err.stack ?? err}\n`);
  });
  return provider;
}

const server = createServer();

server.listen(port, '127.0.0.1', () => {
  const { port: actual } = server.address();
  const base = `http://127.0.0.1:${actual}`;
  const root = makeProvider(base, '').callback();
  const realm = makeProvider(`${base}${REALM_PATH}`, '_x').callback();

  server.on('request', (req, res) => {
    const url = req.url ?? '/';
    if (url === REALM_PATH || url.startsWith(`${REALM_PATH}/`) || url.startsWith(`${REALM_PATH}?`)) {
      // Mounting: oidc-provider derives the mount path from originalUrl minus url.
      req.originalUrl = url;
      const rest = url.slice(REALM_PATH.length);
      req.url = rest.startsWith('/') ? rest : `/${rest}`;
      realm(req, res);
    } else {
      root(req, res);
    }
  });

  process.stdout.write(`listening ${base}\n`);
});

server.on('error', (err) => {
  process.stderr.write(`provider.mjs: ${err.message}\n`);
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
