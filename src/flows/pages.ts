/** What the browser shows after the redirect reached the extension. Static text: nothing echoed. */
const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>` +
  `<style>body{font-family:system-ui,sans-serif;margin:4rem auto;max-width:32rem;color:#1f1f1f}</style></head>` +
  `<body><h1>${title}</h1><p>${body}</p></body></html>`;

export const successPage = page("Signed in", "You are signed in. You can close this tab and return to VS Code.");
export const errorPage = page("Sign-in did not complete", "Return to VS Code to see what happened and try again.");
