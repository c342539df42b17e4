// Copies the README's screenshots from the editor tier's last run (`npm run test:editor` writes
// them to test/e2e/shots, or $E2E_SHOTS): the pictures in the README are of the real extension in
// a real VS Code, taken by the tests, never drawn by hand. Run after a green editor tier:
//   npm run test:editor && node scripts/readme-screenshots.mjs
import { copyFileSync, existsSync, mkdirSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { fileURLToPath } from 'url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHOTS = resolve(process.env.E2E_SHOTS ?? join(ROOT, 'test', 'e2e', 'shots'));
const TARGET = join(ROOT, 'media', 'screenshots');

/** README picture ← editor-tier screenshot (see test/e2e/editor.e2e.js). */
const PICTURES = {
  'problems-and-codelens.png': '16-show-plan.png',
  'create-index-quick-fix.png': '19-create-index-menu.png',
  'plan-viewer.png': '23-plan-viewer-ts.png',
  'schema-hover.png': '15b-hover-table.png',
};

const missing = Object.values(PICTURES).filter((shot) => !existsSync(join(SHOTS, shot)));
if (missing.length > 0) {
  console.error(`readme-screenshots: not in ${SHOTS}: ${missing.join(', ')} (run the editor tier first)`);
  process.exit(1);
}
mkdirSync(TARGET, { recursive: true });
for (const [picture, shot] of Object.entries(PICTURES)) {
  copyFileSync(join(SHOTS, shot), join(TARGET, picture));
  console.log(`media/screenshots/${picture} ← ${shot}`);
}
