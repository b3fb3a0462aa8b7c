import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from './demo-server.ts';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request with the path exactly as given (fetch would normalise `..` away). */
function request(url: string, rawPath: string, options: http.RequestOptions = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: rawPath, ...options }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the page as static files (WEB_DIR)', () => {
  let dir: string;
  let outside: string;
  let server: DemoServer;
  const indexHtml = '<!doctype html><title>page</title><script type="module" src="/assets/app-Ab12Cd34.js"></script>';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'web-dir-'));
    outside = mkdtempSync(path.join(os.tmpdir(), 'web-outside-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), indexHtml);
    writeFileSync(path.join(dir, 'assets/app-Ab12Cd34.js'), 'console.log(1);');
    writeFileSync(path.join(dir, 'assets/app-Ab12Cd34.css'), 'body{}');
    writeFileSync(path.join(dir, 'robots.txt'), 'User-agent: *');
    writeFileSync(path.join(dir, '.build-stamp.json'), '{}');
    writeFileSync(path.join(outside, 'secret.txt'), 'secret');
    symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'leak.txt'));
    server = await startDemoServer({ WEB_DIR: dir });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('serves index.html at / with security headers and revalidation', async () => {
    const page = await request(server.url, '/');
    expect(page.status).toBe(200);
    expect(page.body).toBe(indexHtml);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");

    const again = await request(server.url, '/', { headers: { 'if-none-match': page.headers.etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');

    const head = await request(server.url, '/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(indexHtml)));
    expect(head.body).toBe('');
  });

  it('gives each file its content type; hashed assets are cached for good, others revalidated', async () => {
    const script = await request(server.url, '/assets/app-Ab12Cd34.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.headers['content-security-policy']).toBeUndefined();

    const style = await request(server.url, '/assets/app-Ab12Cd34.css');
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');

    const text = await request(server.url, '/robots.txt');
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(text.headers['cache-control']).toBe('no-cache');
  });

  it('answers client-side routes with the page, but not missing files or the server’s own paths', async () => {
    const route = await request(server.url, '/runs/0192abcd');
    expect(route.status).toBe(200);
    expect(route.body).toBe(indexHtml);

    expect((await request(server.url, '/assets/app-missing.js')).status).toBe(404);
    expect((await request(server.url, '/assets/later')).status).toBe(404);
    expect((await request(server.url, '/logo.png')).status).toBe(404);
    expect((await request(server.url, '/healthz/details')).status).toBe(404);
    const trpc = await request(server.url, '/trpc/analysis.nothing');
    expect(trpc.status).toBe(404);
    expect(trpc.headers['content-type']).toContain('application/json');
    const post = await request(server.url, '/', { method: 'POST' });
    expect(post.status).toBe(404);
    expect(post.body).not.toContain('<title>page</title>');

    const health = await request(server.url, '/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
  });

  it('refuses paths that leave the directory, dot files and links to elsewhere', async () => {
    for (const rawPath of [
      '/../package.json',
      '/assets/../../package.json',
      '/%2e%2e/package.json',
      '/assets/..%2f..%2fpackage.json',
      '/..%5c..%5cpackage.json',
      '/.build-stamp.json',
      '/%2ebuild-stamp.json',
      '/leak.txt',
      '/index.html%00.js',
    ]) {
      const response = await request(server.url, rawPath);
      expect({ rawPath, status: response.status }).toEqual({ rawPath, status: 404 });
      expect(response.body).not.toContain('secret');
    }
    expect((await request(server.url, '/%E0%A4%A')).status).toBe(400);
  });

  it('says how to build the page when it is missing', async () => {
    rmSync(path.join(dir, 'index.html'));
    const response = await request(server.url, '/');
    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('npm run build:web');
  });
});
