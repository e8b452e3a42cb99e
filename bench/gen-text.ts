/** `node dist/bench/gen-text.js FILE N fast|full [seed]`: writes a generated alert file. */
import { writeSnortText } from './lib/text-generator.js';

const [file, n, format, seed] = process.argv.slice(2);
if (!file || !n || (format !== 'fast' && format !== 'full')) {
  process.stderr.write('usage: gen-text FILE N fast|full [seed]\n');
  process.exit(2);
}
const bytes = await writeSnortText(file, { alerts: Number(n), format, seed: seed ? Number(seed) : 42 });
process.stdout.write(`${JSON.stringify({ file, alerts: Number(n), format, bytes })}\n`);
