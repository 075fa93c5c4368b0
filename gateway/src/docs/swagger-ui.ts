import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The Swagger UI page at /docs, served from swagger-ui-dist (a dependency of @nestjs/swagger)
 * by three plain routes. SwaggerModule's own UI goes through @fastify/static, whose current
 * major loads an ES-module-only dependency: that needs Node 20.19+ and cannot load under Jest.
 */
const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

export function serveSwaggerUi(fastify: FastifyInstance, base: string, documentUrl: string, title: string): void {
  const assetsDir = dirname(require.resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, Buffer>();
  const page = html(base, title);
  const init = `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(documentUrl)}, dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: true, presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });\n`;

  for (const path of [base, `${base}/`, `${base}/index.html`]) {
    fastify.get(path, (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  }
  fastify.get(`${base}/swagger-ui-init.js`, (_request, reply) => reply.type('application/javascript; charset=utf-8').send(init));
  for (const [file, type] of Object.entries(ASSETS)) {
    fastify.get(`${base}/${file}`, (_request, reply) => {
      let content = cache.get(file);
      if (!content) {
        content = readFileSync(join(assetsDir, file));
        cache.set(file, content);
      }
      return reply.type(type).header('cache-control', 'public, max-age=3600').send(content);
    });
  }
}

function html(base: string, title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${title}</title>
  <link rel="stylesheet" href="${base}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${base}/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${base}/swagger-ui-bundle.js"></script>
  <script src="${base}/swagger-ui-standalone-preset.js"></script>
  <script src="${base}/swagger-ui-init.js"></script>
</body>
</html>
`;
}
