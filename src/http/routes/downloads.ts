/**
 * `GET /api/downloads/{catalogItemId}/{language}/{operatingSystem}/{fileName}` (public): a small placeholder file for
 * each download link the catalog produces (docs/product.md §3: "every link a person is given works"; locally "the host serves a
 * small placeholder file per download"). Key reveals link here unless `DOWNLOADS_BASE_URL` points at the real
 * installation media (docs/decisions.md). Only names the catalog generates are served; anything else is 404.
 */
import * as z from 'zod';
import { CATALOG } from '../../domain/catalog';
import { DomainError } from '../../domain/errors';
import { IdSchema } from '../../domain/ids';
import { downloadLink } from '../../domain/keys';
import { defineRoute } from '../route';

const DownloadParams = z.object({
  catalogItemId: IdSchema,
  language: IdSchema,
  operatingSystem: IdSchema,
  fileName: IdSchema,
});

/** The catalog download that `downloadLink` names with these path segments, or undefined. */
function findDownload(p: z.infer<typeof DownloadParams>) {
  for (const pkg of CATALOG) {
    for (const item of pkg.items) {
      if (item.id !== p.catalogItemId || !item.languages?.includes(p.language)) continue;
      for (const os of item.operatingSystems ?? []) {
        const link = downloadLink(
          { catalogItemId: item.id, productName: item.productName },
          p.language,
          os,
          'x:',
        );
        if (link.url === `x:/${p.catalogItemId}/${p.language}/${p.operatingSystem}/${p.fileName}`) {
          return { item, operatingSystem: os, fileName: link.fileName };
        }
      }
    }
  }
  return undefined;
}

export const downloadFile = defineRoute({
  name: 'downloadFile',
  method: 'GET',
  route: 'downloads/{catalogItemId}/{language}/{operatingSystem}/{fileName}',
  summary: 'A placeholder installation file for a download link of a key reveal (public)',
  tags: ['system'],
  access: { kind: 'public' },
  params: DownloadParams,
  responses: {
    200: { description: 'The placeholder file', schema: z.string(), contentType: 'application/octet-stream' },
  },
  handle: async ({ params }) => {
    const found = findDownload(params);
    if (!found) throw new DomainError('not-found', 'No such download.');
    const text = [
      `Placeholder installation media: ${found.item.productName} (${params.language}, ${found.operatingSystem}).`,
      'Set DOWNLOADS_BASE_URL to where the real images are kept; this service only stands in for them.',
      '',
      `Instructions: ${found.item.instructions}`,
      '',
    ].join('\n');
    return {
      status: 200,
      rawBody: text,
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': `attachment; filename="${found.fileName}"`,
        'Cache-Control': 'public, max-age=86400',
      },
    };
  },
});
