/**
 * The plan viewer's HTML page: a shell that loads the bundled app (dist/media/planViewer.js) and
 * its stylesheet (dist/media/planViewer.css). A pure string function, free of `vscode`, so the
 * webview panel uses it and the webview tier (test/webview) serves exactly the same page.
 */

export interface PlanViewerHtmlOptions {
  /** `webview.cspSource`: the origin the webview may load the script and stylesheet from. */
  cspSource: string;
  /** A fresh random value per page: only scripts and styles carrying it run. */
  nonce: string;
  /** `webview.asWebviewUri(…/dist/media/planViewer.js)`, as a string. */
  scriptUri: string;
  /** `webview.asWebviewUri(…/dist/media/planViewer.css)`, as a string. */
  styleUri: string;
}

/** Escapes a value for a double-quoted HTML attribute. */
function attribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The page. Its Content-Security-Policy allows nothing but the nonce'd script and the stylesheet
 * from `cspSource`: no inline handlers, no eval, no remote resources. Images are `data:` only
 * (none are used today; VS Code's codicons are not needed).
 */
export function planViewerHtml(options: PlanViewerHtmlOptions): string {
  const nonce = attribute(options.nonce);
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${options.nonce}'`,
    `style-src ${options.cspSource} 'nonce-${options.nonce}'`,
    `img-src ${options.cspSource} data:`,
    `font-src ${options.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${attribute(options.styleUri)}">
<title>Query plan</title>
</head>
<body>
<div id="app" class="app" aria-live="polite"><p class="empty">Waiting for the plan…</p></div>
<script nonce="${nonce}" src="${attribute(options.scriptUri)}"></script>
</body>
</html>
`;
}
