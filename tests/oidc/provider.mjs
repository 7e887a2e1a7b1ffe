// A real OpenID Connect provider for the test suite (panva's oidc-provider), on a loopback
// port. Not part of the application. Usage: node tests/oidc/provider.mjs <config.json>
//
// config.json: {"port": 4711, "issuer": "http://127.0.0.1:4711",
//   "clients": [{"client_id": ..., "client_secret": ..., "redirect_uris": [...]}],
//   "accounts_file": "/tmp/.../accounts.json"}
// accounts.json (read again at every login, so a test can change an address):
//   {"<sub>": {"password": ..., "email": ..., "email_verified": true, "name": ...,
//              "amr": ["pwd"], "acr": "..."}}
//
// The login page is the provider's own (a small form below), like a school's Entra ID or
// SURFconext page; it finishes the login with the account's `amr` and `acr`, which the ID
// token carries. Consent is given at once: Schakelpunt is a first-party client here.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parse as parseQuery } from 'node:querystring';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = () => JSON.parse(readFileSync(config.accounts_file, 'utf8'));

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', use: 'sig', alg: 'RS256' };

const provider = new Provider(config.issuer, {
  clients: config.clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: c.redirect_uris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  })),
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: {
    // Like Entra ID: the ID token says how the person logged in (amr, acr).
    openid: ['sub', 'amr', 'acr', 'auth_time', 'sid'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  pkce: { required: () => true },
  async findAccount(ctx, sub) {
    const account = accounts()[sub];
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          email: account.email,
          email_verified: account.email_verified,
          name: account.name,
        };
      },
    };
  },
  // First-party client: every requested scope and claim is granted without a consent page.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!doctype html><title>Fout</title><h1>Fout bij de test-provider</h1><pre>${
      Object.entries(out).map(([k, v]) => `${k}: ${String(v).replace(/[<>&]/g, '')}`).join('\n')}</pre>`;
  },
});

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, clientId, error) {
  return `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Test-IdP: inloggen</title></head>
<body><h1>Inloggen bij de test-identiteitsprovider</h1>
<p>Voor: ${escape(clientId)}</p>${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="login">Gebruikersnaam</label><input id="login" name="login" autocomplete="username">
<label for="password">Wachtwoord</label><input id="password" name="password" type="password">
<button type="submit">Aanmelden bij de school</button>
</form></body></html>`;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(parseQuery(data)));
    req.on('error', reject);
  });
}

const providerCallback = provider.callback();

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, config.issuer);
  const match = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) return providerCallback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== match[1]) throw new Error('interaction mismatch');
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return res.end(loginPage(details.uid, details.params.client_id));
    }
    if (req.method === 'POST' && match[2]) {
      const body = await readBody(req);
      const account = accounts()[body.login];
      if (!account || account.password !== body.password) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(loginPage(details.uid, details.params.client_id, 'Onbekende gebruiker of verkeerd wachtwoord.'));
      }
      const login = { accountId: body.login, amr: account.amr || ['pwd'] };
      if (account.acr) login.acr = account.acr;
      return await provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
    }
    res.writeHead(405);
    return res.end();
  } catch (error) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    return res.end(`interaction error: ${error.message}`);
  }
});

server.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`oidc test provider on ${config.issuer}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
