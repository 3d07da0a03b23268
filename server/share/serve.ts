// `opencode-lsp share serve`: the viewer page on 127.0.0.1, at `/` and nothing else. The transcript
// stays in the fragment, which the browser never sends, so this server never sees one.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_SHARE_PORT } from "./link.ts";
import { VIEWER_CSP_HEADER, VIEWER_HTML } from "./viewer-html.ts";

export interface ServeViewerOptions {
  /** Default 7878 (DEFAULT_SHARE_PORT), where links point when `share.baseUrl` is unset; 0 for any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface ViewerServer {
  /** `http://127.0.0.1:PORT/`: append `#v1....` to view a link. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  "Content-Security-Policy": VIEWER_CSP_HEADER,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-store",
};

export async function serveViewer(options: ServeViewerOptions = {}): Promise<ViewerServer> {
  const host = options.host ?? "127.0.0.1";
  const page = Buffer.from(VIEWER_HTML, "utf8");
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { ...SECURITY_HEADERS, Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" });
      res.end("method not allowed\n");
      return;
    }
    if (path !== "/" && path !== "/index.html") {
      res.writeHead(404, { ...SECURITY_HEADERS, "Content-Type": "text/plain; charset=utf-8" });
      res.end("not found\n");
      return;
    }
    res.writeHead(200, { ...SECURITY_HEADERS, "Content-Type": "text/html; charset=utf-8", "Content-Length": page.length });
    res.end(req.method === "HEAD" ? undefined : page);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_SHARE_PORT, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
