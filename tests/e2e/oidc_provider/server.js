// Local OpenID Connect provider imitating ProConnect, for end-to-end tests only.
//
// NEVER expose this: any password is accepted for the logins listed in
// OIDC_ACCOUNTS. It only listens on 127.0.0.1.
//
// Environment:
//   OIDC_PORT                      port to listen on (127.0.0.1 only); issuer is http://127.0.0.1:<port>
//   OIDC_CLIENT_ID                 the single registered client
//   OIDC_CLIENT_SECRET             its secret (client_secret_post)
//   OIDC_REDIRECT_URIS             comma separated redirect_uris
//   OIDC_POST_LOGOUT_REDIRECT_URIS optional, comma separated post_logout_redirect_uris
//   OIDC_ACCOUNTS                  JSON: {"<login>": {"email": ..., "given_name": ..., "usual_name": ...,
//                                  "uid": ..., "siret": ..., "idp_id": ...}, ...}
//   OIDC_EXIT_ON_STDIN_EOF         "1": exit when stdin is closed (the parent test process died)
//
// Behaviour (as ProConnect): authorization code flow only, client_secret_post, PKCE S256 required,
// id_token and userinfo signed RS256 (userinfo answered as application/jwt), `sub` opaque per service,
// no consent screen, RP-initiated logout without a confirmation click.
//
// Interaction pages (plain HTML, no external resources):
//   GET  /interaction/<uid>          login form: #login, #password, button#submit "Se connecter",
//                                    button#cancel "Annuler"; unknown login -> same form with p#error
//   POST /interaction/<uid>/login    form target
//   POST /interaction/<uid>/abort    cancel -> redirect_uri?error=access_denied
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const PROCONNECT_CLAIMS = ['email', 'given_name', 'usual_name', 'uid', 'siret', 'idp_id'];

function fail(message) {
  console.error(`oidc-provider-e2e: ${message}`);
  process.exit(2);
}

function required(name) {
  const value = process.env[name];
  if (!value) fail(`missing environment variable ${name}`);
  return value;
}

function splitList(value) {
  return (value || '').split(',').map((item) => item.trim()).filter(Boolean);
}

const port = Number.parseInt(required('OIDC_PORT'), 10);
if (!Number.isInteger(port) || port <= 0 || port > 65535) fail('OIDC_PORT must be a TCP port');
const clientId = required('OIDC_CLIENT_ID');
const clientSecret = required('OIDC_CLIENT_SECRET');
const redirectUris = splitList(required('OIDC_REDIRECT_URIS'));
const postLogoutRedirectUris = splitList(process.env.OIDC_POST_LOGOUT_REDIRECT_URIS);

let accountsByLogin;
try {
  accountsByLogin = JSON.parse(required('OIDC_ACCOUNTS'));
} catch (error) {
  fail(`OIDC_ACCOUNTS is not valid JSON: ${error.message}`);
}
if (!accountsByLogin || typeof accountsByLogin !== 'object' || Array.isArray(accountsByLogin)) {
  fail('OIDC_ACCOUNTS must be a JSON object mapping login -> claims');
}

// `sub` is opaque and specific to the service (the client), as ProConnect's is:
// sub = hex(sha256("<client_id>:<login>")). It is also the provider's accountId.
function subFor(login) {
  return createHash('sha256').update(`${clientId}:${login}`).digest('hex');
}

const accountsBySub = new Map();
for (const [login, claims] of Object.entries(accountsByLogin)) {
  accountsBySub.set(subFor(login), { login, claims: claims || {} });
}

const issuer = `http://127.0.0.1:${port}`;

// A fresh RSA signing key at every start.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingJwk = {
  ...privateKey.export({ format: 'jwk' }),
  kid: randomBytes(8).toString('hex'),
  alg: 'RS256',
  use: 'sig',
};

function escapeHtml(value) {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <title>${escapeHtml(title)}</title>
  <style>body{font-family:sans-serif;max-width:28rem;margin:2rem auto}label,input,button{display:block;margin:.4rem 0}input{width:100%}#error{color:#b00}</style>
</head>
<body>
${body}
</body>
</html>`;
}

const configuration = {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogoutRedirectUris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'RS256',
    userinfo_signed_response_alg: 'RS256',
  }],
  jwks: { keys: [signingJwk] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  responseTypes: ['code'],
  clientAuthMethods: ['client_secret_post'],
  pkce: { required: () => true },
  scopes: ['openid', ...PROCONNECT_CLAIMS],
  claims: {
    openid: ['sub'],
    ...Object.fromEntries(PROCONNECT_CLAIMS.map((claim) => [claim, [claim]])),
  },
  acrValues: ['eidas1'],
  features: {
    devInteractions: { enabled: false },
    // ProConnect offers neither PAR nor DPoP.
    pushedAuthorizationRequests: { enabled: false },
    dPoP: { enabled: false },
    jwtUserinfo: { enabled: true },
    userinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // ProConnect does not ask for a confirmation: the form submits itself.
      // Without JavaScript, click button#logout-confirm "Se déconnecter".
      async logoutSource(ctx, form) {
        ctx.type = 'html';
        ctx.body = page('Déconnexion', `
<h1>Déconnexion</h1>
${form}
<button id="logout-confirm" type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button>
<script>
  var f = document.getElementById('op.logoutForm');
  var i = document.createElement('input'); i.type = 'hidden'; i.name = 'logout'; i.value = 'yes';
  f.appendChild(i); f.submit();
</script>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.type = 'html';
        ctx.body = page('Déconnecté', '<h1 id="logged-out">Vous êtes déconnecté.</h1>');
      },
    },
  },
  interactions: {
    url(ctx, interaction) {
      return `/interaction/${interaction.uid}`;
    },
  },
  // No consent screen: grant whatever openid scopes / claims the client asked for.
  async loadExistingGrant(ctx) {
    const { provider, client, session } = ctx.oidc;
    const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
    let grant = grantId ? await provider.Grant.find(grantId) : undefined;
    if (!grant) {
      grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    }
    grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
    const claims = [...ctx.oidc.requestParamClaims];
    if (claims.length) grant.addOIDCClaims(claims);
    await grant.save();
    return grant;
  },
  async findAccount(ctx, sub) {
    const account = accountsBySub.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { ...account.claims, sub };
      },
    };
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Erreur', `<h1>Erreur</h1>
<p id="error">${escapeHtml(out.error)}</p>
<p id="error-description">${escapeHtml(out.error_description || '')}</p>`);
  },
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    IdToken: 3600,
    Interaction: 3600,
    Session: 3600,
    Grant: 3600,
  },
};

const provider = new Provider(issuer, configuration);
const providerCallback = provider.callback();

function readForm(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > 64 * 1024) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function loginForm(uid, { login = '', error = '' } = {}) {
  return page('Connexion - ProConnect (test)', `
<h1>ProConnect (fournisseur de test)</h1>
${error ? `<p id="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form id="login-form" method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
  <label for="login">Identifiant</label>
  <input id="login" name="login" type="text" required autofocus value="${escapeHtml(login)}">
  <label for="password">Mot de passe</label>
  <input id="password" name="password" type="password">
  <button id="submit" type="submit">Se connecter</button>
</form>
<form id="cancel-form" method="post" action="/interaction/${escapeHtml(uid)}/abort">
  <button id="cancel" type="submit">Annuler</button>
</form>`);
}

function send(res, status, html) {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(html);
}

async function handleInteraction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    send(res, 400, page('Erreur', '<p id="error">interaction inconnue</p>'));
    return;
  }
  if (details.prompt.name !== 'login') {
    // Consent is granted by loadExistingGrant; anything else is unexpected.
    send(res, 501, page('Erreur', `<p id="error">prompt non géré: ${escapeHtml(details.prompt.name)}</p>`));
    return;
  }
  if (req.method === 'GET' && !action) {
    send(res, 200, loginForm(uid, { login: details.params.login_hint || '' }));
    return;
  }
  if (req.method === 'POST' && action === 'abort') {
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
    return;
  }
  if (req.method === 'POST' && action === 'login') {
    const form = await readForm(req);
    const login = (form.get('login') || '').trim();
    if (!Object.hasOwn(accountsByLogin, login)) {
      send(res, 401, loginForm(uid, { login, error: 'Identifiant inconnu.' }));
      return;
    }
    await provider.interactionFinished(req, res, {
      login: { accountId: subFor(login), acr: 'eidas1', amr: ['pwd'] },
    }, { mergeWithLastSubmission: false });
    return;
  }
  send(res, 405, page('Erreur', '<p id="error">méthode non permise</p>'));
}

const INTERACTION_PATH = /^\/interaction\/([\w-]+)(?:\/(login|abort))?\/?$/;

const server = createServer((req, res) => {
  const { pathname } = new URL(req.url, issuer);
  const match = INTERACTION_PATH.exec(pathname);
  if (!match) {
    providerCallback(req, res);
    return;
  }
  handleInteraction(req, res, match[1], match[2]).catch((error) => {
    console.error(`interaction error: ${error.stack || error}`);
    if (!res.headersSent) {
      send(res, 400, page('Erreur', `<p id="error">${escapeHtml(error.name)}</p>
<p id="error-description">${escapeHtml(error.error_description || error.message)}</p>`));
    } else {
      res.end();
    }
  });
});

server.on('error', (error) => fail(`cannot listen on 127.0.0.1:${port}: ${error.message}`));
server.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (process.env.OIDC_EXIT_ON_STDIN_EOF === '1') {
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}
