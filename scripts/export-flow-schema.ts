/** Writes companion/flows/flow.schema.json from the flow schema, for editor completion in YAML. */
import { writeFile } from 'node:fs/promises';
import { flowJsonSchema } from '../companion/src/engine/flow/flow.schema.js';

const target = new URL('../companion/flows/flow.schema.json', import.meta.url);
await writeFile(target, JSON.stringify(flowJsonSchema(), null, 2) + '\n');
console.log(`wrote ${target.pathname}`);
