import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type Router from '@koa/router';
import { getDocsRoute, getOpenApiRoute } from '@pytest-platform/schema';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import type { RouteContext } from '../deps.js';
import { HttpError } from '../http-error.js';
import { buildOpenApiDocument } from '../openapi.js';
import { routerPath, serveRoute } from '../serve-route.js';

const page = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>pytest-platform API</title>
    <link rel="stylesheet" type="text/css" href="./swagger-ui.css">
    <link rel="stylesheet" type="text/css" href="./index.css">
    <link rel="icon" type="image/png" href="./favicon-32x32.png" sizes="32x32">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="./swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="./swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script src="./swagger-initializer.js" charset="UTF-8"></script>
  </body>
</html>
`;

// Relative, so the page also works behind a path prefix.
const initializer = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: new URL('../openapi.json', window.location.href).toString(),
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
  });
};
`;

/** Where the page's own script and the package files it loads are served: assets of the page, not API routes. */
export const docsAssetPaths = { initializer: '/docs/swagger-initializer.js', packageFile: '/docs/:file' } as const;

/** Package files the page loads; nothing else of the package is served. */
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'index.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

export function registerDocsRoutes(router: Router, { config }: RouteContext): void {
  const document = buildOpenApiDocument({ auth: config.apiToken !== undefined || config.apiReadToken !== undefined });
  const assetDir = getAbsoluteFSPath();

  serveRoute(router, getOpenApiRoute, () => document);

  // The router matches `/docs` and `/docs/` alike; the page's relative asset URLs need the slash.
  router.get(routerPath(getDocsRoute.path), (ctx) => {
    if (!ctx.path.endsWith('/')) {
      ctx.status = 301;
      ctx.redirect(`${ctx.path}/`);
      return;
    }
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = page;
  });

  router.get(docsAssetPaths.initializer, (ctx) => {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = initializer;
  });

  router.get(docsAssetPaths.packageFile, async (ctx) => {
    const file = ctx.params.file ?? '';
    const type = Object.hasOwn(assets, file) ? assets[file] : undefined;
    if (type === undefined) throw new HttpError(404, 'not_found', `no docs asset ${JSON.stringify(file)}`);
    const path = join(assetDir, file);
    const info = await stat(path);
    ctx.type = type;
    ctx.length = info.size;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = createReadStream(path);
  });
}
