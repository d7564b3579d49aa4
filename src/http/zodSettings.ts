/**
 * Process-wide zod settings, imported first by the function app's entry (functions/index.ts) so they hold before
 * any schema parses.
 *
 * `jitless`: zod 4 compiles a specialised parser (`new Function`) for each object schema the first time it parses;
 * on a cold start that compilation is paid on the first request of every route, for request bodies and queries
 * of a few fields where the compiled parser saves next to nothing. Measured in docs/benchmarks.md (a, b).
 */
import * as z from 'zod';

z.config({ jitless: true });
