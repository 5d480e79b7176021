/**
 * The codec server's pages for people: a browser cannot add an Authorization header to the
 * Temporal UI's requests, so it signs in here once and the UI's requests carry the cookie.
 */

const escape = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

const page = (body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>mlops codec server</title>` +
  `<style>body{font:15px system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5}` +
  `input{width:100%;padding:.4rem;margin:.5rem 0}code{background:#eee;padding:0 .2rem}</style></head>` +
  `<body><h1>mlops codec server</h1>${body}</body></html>`;

export function signInPage(base: string): string {
  return page(
    `<p>Sign in with an admin API token (the embedded stack's is in <code>.mlops/api-token</code>; ` +
      `<code>mlops tokens create --name me --scopes admin</code> makes one) so the Temporal UI can show decrypted payloads.</p>` +
      `<form method="post" action="${escape(base)}/login"><label>API token<input name="token" type="password" autocomplete="off" required></label>` +
      `<button type="submit">Sign in</button></form>${uiSteps(base)}`,
  );
}

export function signedInPage(tokenName: string, base: string): string {
  return page(
    `<p>Signed in with the token <code>${escape(tokenName)}</code> for 12 hours.</p>${uiSteps(base)}`,
  );
}

function uiSteps(base: string): string {
  return (
    `<p>In the Temporal UI open <em>Codec Server</em> (bottom left), set the endpoint to ` +
    `<code>${escape(base)}</code> and turn on <em>Include cross-origin credentials</em>. ` +
    `Open the UI under the same host name as this page (127.0.0.1 is not localhost to a browser).</p>`
  );
}
