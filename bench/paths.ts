import { fileURLToPath } from 'node:url';

/** The repository root, whether this runs from bench/ or from its build in dist-bench/. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
