import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { verifyUserCredentials } from './accounts.js';
import { BodyError, escapeHtml, page, readForm, sendHtml } from './http-util.js';

/**
 * The sign-in pages of the authorization code flow (Keycloak serves its own under
 * `/realms/<realm>/login-actions/`): a username + password form checked against the demo users,
 * and consent granted without a page, since every client of the realm is first-party.
 */
export const INTERACTION_SUBPATH = '/login-actions/authenticate/';

function loginPage(action: string, username: string, failed: boolean): string {
  const invalid = failed ? ' aria-invalid="true" aria-describedby="login-error"' : '';
  return page(
    'Sign in',
    `<h1>Sign in to Custos</h1>
<p class="note">Development identity provider: sign in with a demo account.</p>
${failed ? '<p id="login-error" class="error" role="alert">Invalid username or password.</p>' : ''}
<form method="post" action="${escapeHtml(action)}">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(username)}"${invalid}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${invalid}>
<div class="actions">
<button class="primary" type="submit">Sign in</button>
<button class="secondary" type="submit" name="cancel" value="1" formnovalidate>Cancel</button>
</div>
</form>`,
  );
}

export function errorPage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p role="alert">${escapeHtml(message)}</p>`);
}

/** Grants what the consent prompt asks for (first-party clients only, which all clients here are). */
async function autoConsent(
  provider: Provider,
  interaction: Awaited<ReturnType<Provider['interactionDetails']>>,
): Promise<InteractionResults> {
  const { prompt, params, session, grantId } = interaction;
  const accountId = session?.accountId;
  if (!accountId) throw new Error('consent without a signed-in account');
  const grant =
    (grantId ? await provider.Grant.find(grantId) : undefined) ??
    new provider.Grant({ accountId, clientId: String(params.client_id) });
  const details = prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  return { consent: { grantId: await grant.save() } };
}

export async function handleInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  realmPath: string,
  uid: string,
): Promise<void> {
  let interaction: Awaited<ReturnType<Provider['interactionDetails']>>;
  try {
    interaction = await provider.interactionDetails(req, res);
  } catch {
    req.resume();
    sendHtml(
      res,
      400,
      errorPage('Sign-in expired', 'This sign-in has expired. Go back to the application and start again.'),
    );
    return;
  }
  if (interaction.uid !== uid) {
    req.resume();
    sendHtml(res, 400, errorPage('Sign-in expired', 'This sign-in is no longer valid. Start again.'));
    return;
  }

  const finish = (result: InteractionResults) =>
    provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });

  if (interaction.prompt.name === 'consent') {
    req.resume();
    await provider.interactionFinished(req, res, await autoConsent(provider, interaction), {
      mergeWithLastSubmission: true,
    });
    return;
  }
  if (interaction.prompt.name !== 'login') {
    req.resume();
    sendHtml(res, 400, errorPage('Sign-in failed', 'This sign-in step is not supported.'));
    return;
  }

  const action = `${realmPath}${INTERACTION_SUBPATH}${uid}`;
  if (req.method === 'GET' || req.method === 'HEAD') {
    const hint = typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : '';
    sendHtml(res, 200, loginPage(action, hint, false));
    return;
  }
  if (req.method !== 'POST') {
    req.resume();
    res.writeHead(405, { allow: 'GET, POST' }).end();
    return;
  }

  let form: URLSearchParams;
  try {
    form = await readForm(req);
  } catch (error) {
    const status = error instanceof BodyError ? error.status : 400;
    sendHtml(res, status, errorPage('Sign-in failed', 'The form could not be read. Start again.'));
    return;
  }
  if (form.has('cancel')) {
    await finish({ error: 'access_denied', error_description: 'End-User aborted the sign-in' });
    return;
  }
  const username = form.get('username') ?? '';
  const user = verifyUserCredentials(username, form.get('password'));
  if (!user) {
    sendHtml(res, 401, loginPage(action, username, true));
    return;
  }
  await finish({ login: { accountId: user.id } });
}
