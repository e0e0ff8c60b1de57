/**
 * Renders the configuration table of docs/configuration.md from the schema, so the documentation
 * cannot drift: a test compares the two, and `node backend/dist/core/config/config-doc.js` prints it.
 */
import { settings } from './config.schema.js';

export function renderConfigTable(): string {
  const rows = Object.entries(settings).map(([name, [, doc]]) => {
    const d = doc as { description: string; default: string; secret?: boolean };
    return `| \`${name}\` | ${d.default.startsWith('`') || d.default.startsWith('(') || d.default.startsWith('OIDC') ? d.default : `\`${d.default}\``} | ${d.secret ? 'yes' : ''} | ${d.description} |`;
  });
  return ['| Variable | Default | Secret | Meaning |', '|---|---|---|---|', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${renderConfigTable()}\n`);
}
