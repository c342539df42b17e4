// Writes the properties of `queryLens.rules` in package.json from docs/rules: one entry per
// finding a user may turn off or re-grade, described by the first sentence of its page's
// Problem, so that the Settings UI and settings.json completion offer every id. The checks that
// are always on are left out. test/unit/ruleSettings.test.ts fails when the two drift apart.
import { readdirSync, readFileSync, writeFileSync } from 'fs';

export const ALWAYS_ON = new Set(['syntax-error', 'not-analysed', 'file-not-analysed', 'too-many-findings']);
const LEVELS = ['off', 'hint', 'information', 'warning', 'error'];

export function ruleProperties(docsDir = new URL('../docs/rules/', import.meta.url)) {
  const properties = {};
  for (const file of readdirSync(docsDir).filter((name) => name.endsWith('.md')).sort()) {
    const id = file.slice(0, -3);
    if (ALWAYS_ON.has(id)) continue;
    const page = readFileSync(new URL(file, docsDir), 'utf8');
    const problem = /## Problem\n([\s\S]*?)(?:\n\n|\n```)/.exec(page)?.[1]?.replace(/\s+/g, ' ').trim() ?? '';
    const sentence = /^.*?[.:](?=\s|$)/.exec(problem)?.[0] ?? problem;
    const severity = /\*\*Severity:\*\* ([a-z]+)/.exec(page)?.[1];
    properties[id] = { type: 'string', enum: LEVELS, markdownDescription: `${sentence.replace(/:$/, '.')} Default: ${severity ?? 'as its page says'}; see docs/rules/${id}.md.` };
  }
  return properties;
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const path = new URL('../package.json', import.meta.url);
  const pkg = JSON.parse(readFileSync(path, 'utf8'));
  pkg.contributes.configuration.properties['queryLens.rules'].properties = ruleProperties();
  writeFileSync(path, JSON.stringify(pkg, null, 2) + '\n');
  console.log(`queryLens.rules: ${Object.keys(pkg.contributes.configuration.properties['queryLens.rules'].properties).length} ids`);
}
