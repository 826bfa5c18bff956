/**
 * `npm run build:preview [-- --force]`: compiles the Lightning components in force-app for the local
 * preview (companion/preview/dist). Skips the work when the sources have not changed since the last build.
 */
import { buildPreview, PreviewBuildError } from '../companion/src/http/preview/preview-build.js';

try {
  const result = await buildPreview({ force: process.argv.includes('--force') });
  const seconds = (result.ms / 1000).toFixed(1);
  console.log(
    result.built
      ? `Preview built in ${seconds} s: ${result.bundleDir}`
      : `Preview is up to date (sources unchanged): ${result.bundleDir}`,
  );
} catch (error) {
  console.error(error instanceof PreviewBuildError ? error.message : error);
  process.exitCode = 1;
}
