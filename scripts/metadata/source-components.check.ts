import path from 'node:path';
import { ComponentSet, ForceIgnore, type SourceComponent } from '@salesforce/source-deploy-retrieve';
import type { CheckResult } from './check.types.js';
import { listFiles } from './files.js';

function filesOf(component: SourceComponent, into: Set<string>): void {
  if (component.xml) into.add(path.resolve(component.xml));
  if (component.content) {
    for (const file of component.walkContent()) into.add(path.resolve(file));
  }
  for (const child of component.getChildren()) filesOf(child, into);
}

/**
 * Resolves the package with source-deploy-retrieve, as `sf project deploy` would, and reports every file
 * that belongs to no component: a misnamed file, a missing -meta.xml, a folder the registry does not know.
 * The API version is set explicitly because otherwise the library asks the network for the current one.
 */
export async function checkSourceComponents(packageDir: string, apiVersion: string): Promise<CheckResult> {
  const name = 'metadata components (source-deploy-retrieve)';
  const root = path.resolve(packageDir);
  let components: SourceComponent[];
  try {
    const set = ComponentSet.fromSource({ fsPaths: [root] });
    set.sourceApiVersion = apiVersion;
    set.apiVersion = apiVersion;
    components = set.getSourceComponents().toArray();
  } catch (error) {
    return { name, summary: 'the package could not be resolved', problems: [(error as Error).message] };
  }

  const covered = new Set<string>();
  for (const component of components) filesOf(component, covered);
  const forceIgnore = ForceIgnore.findAndCreate(root);
  const files = (await listFiles(root)).filter((file) => forceIgnore.accepts(file));
  const problems = files
    .filter((file) => !covered.has(file))
    .map(
      (file) =>
        `${path.relative(process.cwd(), file)}: belongs to no metadata component ` +
        '(check its folder, its name and its -meta.xml, or list it in .forceignore)',
    );

  const byType = new Map<string, number>();
  for (const component of components) {
    byType.set(component.type.name, (byType.get(component.type.name) ?? 0) + 1);
  }
  const types = [...byType].map(([type, count]) => `${count} ${type}`).join(', ');
  return { name, summary: `${files.length} files, ${components.length} components (${types})`, problems };
}
