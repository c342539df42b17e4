/**
 * The pages behind a diagnostic's code (`docs/rules/<code>.md`, shipped with the extension). The
 * server links them as file URLs, which any editor can open; VS Code would open one as Markdown
 * source in a text editor. Here the link becomes a command that opens the page rendered, in the
 * built-in Markdown preview beside the code.
 */
import * as vscode from 'vscode';
import { Middleware } from 'vscode-languageclient/node';

/** The command behind a rendered docs link: `command:queryLens.openDocs?["file:///…/x.md"]`. */
export const OPEN_DOCS_COMMAND = 'queryLens.openDocs';

/**
 * Rewrites the links of diagnostics whose page lies in `docsRoot` (the extension's `docs/`).
 * Other links are left alone.
 */
export function renderedDocsLinks(docsRoot: vscode.Uri): Pick<Middleware, 'handleDiagnostics'> {
  const prefix = `${docsRoot.toString()}/`;
  return {
    handleDiagnostics(uri, diagnostics, next) {
      for (const diagnostic of diagnostics) {
        const code = diagnostic.code;
        if (typeof code === 'object' && code.target.scheme === 'file' && code.target.toString().startsWith(prefix) && code.target.path.endsWith('.md')) {
          diagnostic.code = { value: code.value, target: docsCommandUri(code.target) };
        }
      }
      next(uri, diagnostics);
    },
  };
}

function docsCommandUri(page: vscode.Uri): vscode.Uri {
  return vscode.Uri.parse(`command:${OPEN_DOCS_COMMAND}?${encodeURIComponent(JSON.stringify([page.toString()]))}`);
}

/** Opens a docs page rendered, beside the active editor; `page` is a file URL. */
export async function openDocs(page: unknown): Promise<void> {
  if (typeof page !== 'string') return;
  await vscode.commands.executeCommand('markdown.showPreviewToSide', vscode.Uri.parse(page));
}
