import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRoutingSet, type OrgCatalog, type RoutingSet } from '../engine/flow/routing-set.js';

/** The flows, pools and territory tables shipped with Switchyard. */
export const SHIPPED_FLOWS_DIR = fileURLToPath(new URL('../../flows/', import.meta.url));

/** Reads `*.flow.yaml`, `pools.yaml` and `territories.yaml` from a folder and validates them as one set. */
export async function readRoutingSet(dir: string, org: OrgCatalog): Promise<RoutingSet> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.flow.yaml')).sort();
  const read = async (name: string) => ({ file: name, text: await readFile(join(dir, name), 'utf8') });
  return loadRoutingSet(
    {
      flows: await Promise.all(names.map(read)),
      pools: await read('pools.yaml'),
      territories: await read('territories.yaml'),
    },
    org,
  );
}
