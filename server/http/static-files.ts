import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';

export interface StaticFilesOptions {
  /** the built page (vite's outDir): `index.html` plus `assets/` */
  root: string;
  /** path prefixes that belong to the server: never answered with the page */
  reserved: readonly string[];
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

/** vite puts content-hashed files here: a changed file gets a new name, so they may be cached forever */
const hashedAssetsPrefix = '/assets/';
const immutable = 'public, max-age=31536000, immutable';

// The page talks only to its own origin (HTTP for queries, WebSocket for subscriptions).
const pageSecurityHeaders = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const notBuiltPage = `<!doctype html><meta charset="utf-8"><title>Analysis runs</title>
<h1>Analysis runs</h1><p>The demo page is not built. Run <code>npm run build:web</code> (<code>npm start</code> does it for you).
The API is at <code>/trpc</code>, health at <a href="/healthz">/healthz</a>.</p>`;

type Resolved = { file: string; size: number; mtimeMs: number } | null;

function isInside(root: string, file: string): boolean {
  return file === root || file.startsWith(root + path.sep);
}

/**
 * Serves the built page: files under `root` for GET/HEAD, `index.html` for
 * extension-less paths that are not `reserved` (client-side routes), nothing
 * outside `root` (no `..`, no dot files, no symlinks leading out).
 */
export function createStaticFiles(options: StaticFilesOptions) {
  const root = path.resolve(options.root);
  let realRoot: string | null = null;

  async function resolveFile(urlPath: string): Promise<Resolved> {
    realRoot ??= await realpath(root).catch(() => null);
    if (realRoot === null) return null;
    const file = path.resolve(root, `.${urlPath}`);
    if (!isInside(root, file)) return null;
    try {
      const real = await realpath(file);
      if (!isInside(realRoot, real)) return null;
      const info = await stat(real);
      return info.isFile() ? { file: real, size: info.size, mtimeMs: info.mtimeMs } : null;
    } catch {
      return null;
    }
  }

  function send(req: http.IncomingMessage, res: http.ServerResponse, found: NonNullable<Resolved>, cache: string) {
    const type = contentTypes[path.extname(found.file).toLowerCase()] ?? 'application/octet-stream';
    const etag = `"${found.size.toString(36)}-${Math.trunc(found.mtimeMs).toString(36)}"`;
    const headers: http.OutgoingHttpHeaders = {
      'content-type': type,
      'cache-control': cache,
      etag,
      'x-content-type-options': 'nosniff',
      ...(type.startsWith('text/html') && pageSecurityHeaders),
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': found.size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(found.file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  function plain(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8') {
    res.writeHead(status, {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(body);
  }

  return {
    root,
    /** Answers GET/HEAD of `rawPath` (the URL path, still percent-encoded). */
    async serve(req: http.IncomingMessage, res: http.ServerResponse, rawPath: string): Promise<void> {
      let urlPath: string;
      try {
        urlPath = decodeURIComponent(rawPath);
      } catch {
        return plain(res, 400, 'bad path');
      }
      const segments = urlPath.split(/[/\\]/);
      if (urlPath.includes('\0') || segments.some((segment) => segment === '..' || segment.startsWith('.'))) {
        return plain(res, 404, 'not found');
      }

      const isPageRoute = urlPath === '/' || urlPath.endsWith('/') || !path.posix.extname(urlPath);
      const found = urlPath.endsWith('/') ? null : await resolveFile(urlPath);
      if (found) {
        const hashed = urlPath.startsWith(hashedAssetsPrefix);
        return send(req, res, found, hashed ? immutable : 'no-cache');
      }
      const reserved = options.reserved.some((prefix) => urlPath === prefix || urlPath.startsWith(`${prefix}/`));
      if (!isPageRoute || reserved || urlPath.startsWith(hashedAssetsPrefix)) return plain(res, 404, 'not found');

      const index = await resolveFile('/index.html');
      if (!index) return plain(res, 503, notBuiltPage, 'text/html; charset=utf-8');
      return send(req, res, index, 'no-cache');
    },
  };
}
