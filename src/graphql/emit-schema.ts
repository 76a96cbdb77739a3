import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { printSdl } from './schema.js';

/** `npm run schema`: rewrites the committed `schema.graphql` from the resolvers. */
await writeFile(new URL('../../schema.graphql', import.meta.url), await printSdl());
