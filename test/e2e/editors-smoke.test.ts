// Each real editor that the end-to-end tests drive starts and attaches to a language server: a stub
// server (fixtures/stub-lsp.mjs) logs what it receives, and each test checks that it saw
// `initialize` with that editor's clientInfo and a `didOpen` of the file.
// The editors come from test/e2e/install-editors.sh (.ci/run runs it first).
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { editorBin, INSTALL_COMMAND, skipEditorTests } from "./editors.ts";

const execFileP = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const STUB = join(HERE, "fixtures", "stub-lsp.mjs");
const NODE = process.execPath;
const TIMEOUT = 60_000;

interface Logged {
  method: string;
  params: any;
}

function readLog(file: string): Logged[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

async function waitFor<T>(what: string, check: () => T | undefined | false, ms = 20_000, detail?: () => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${detail ? `\n${detail()}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A project folder (with a .git marker) holding `file.stub`, plus a log path for the stub. */
function workspace(dir: string) {
  const project = join(dir, "project");
  mkdirSync(join(project, ".git"), { recursive: true });
  const file = join(project, "file.stub");
  writeFileSync(file, "hello from the smoke test\n");
  return { project, file, uri: pathToFileURL(file).href, log: join(dir, "stub.log") };
}

function expectAttached(log: Logged[], clientName: RegExp, uri: string) {
  const init = log.find((m) => m.method === "initialize");
  expect(init, `the stub never received initialize; log: ${JSON.stringify(log)}`).toBeDefined();
  expect(init!.params.clientInfo?.name).toMatch(clientName);
  expect(log.some((m) => m.method === "initialized")).toBe(true);
  const open = log.find((m) => m.method === "textDocument/didOpen");
  expect(open, `no didOpen; log: ${JSON.stringify(log.map((m) => m.method))}`).toBeDefined();
  // Editors may spell the path differently (symlinks, escaping); the file name is enough.
  expect(decodeURIComponent(open!.params.textDocument.uri)).toMatch(/file\.stub$/);
  expect(open!.params.textDocument.text).toContain("hello from the smoke test");
  void uri;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ocl-e2e-smoke-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skipEditorTests())(`real editors attach to a language server (installed by ${INSTALL_COMMAND})`, () => {
  it(
    "Neovim (headless) starts the server with vim.lsp.start and attaches the buffer",
    async () => {
      const ws = workspace(dir);
      const out = join(dir, "nvim-result.json");
      const script = join(dir, "smoke.lua");
      writeFileSync(
        script,
        `
local cfg = vim.json.decode(os.getenv("E2E_STUB"))
vim.bo.filetype = "stub"
local id = vim.lsp.start({ name = "stub", cmd = cfg.cmd, root_dir = cfg.root })
local client = id and vim.lsp.get_client_by_id(id)
local ok = vim.wait(20000, function() return client and client.initialized and vim.lsp.buf_is_attached(0, id) end, 50)
-- One request through the attached client proves the round trip (and follows its didOpen).
local hover = ok and vim.lsp.buf_request_sync(0, "textDocument/hover", vim.lsp.util.make_position_params(), 10000) or {}
local answer = hover[id] and hover[id].result and hover[id].result.contents.value or vim.NIL
local f = assert(io.open(cfg.out, "w"))
f:write(vim.json.encode({ attached = ok, version = tostring(vim.version()), client = client and client.name or vim.NIL, hover = answer }))
f:close()
if ok then vim.cmd("qa!") else vim.cmd("cquit 3") end
`,
      );
      const env = {
        ...process.env,
        HOME: dir,
        XDG_CONFIG_HOME: join(dir, "config"),
        XDG_DATA_HOME: join(dir, "data"),
        XDG_STATE_HOME: join(dir, "state"),
        E2E_STUB: JSON.stringify({ cmd: [NODE, STUB, ws.log], root: ws.project, out }),
      };
      await execFileP(editorBin("nvim"), ["--headless", "--clean", "-S", script, ws.file], {
        cwd: ws.project,
        env,
        timeout: 45_000,
      });
      const result = JSON.parse(readFileSync(out, "utf8"));
      expect(result).toMatchObject({ attached: true, client: "stub", hover: "stub hover" });
      expect(result.version).toMatch(/^0\.(1\d|[2-9]\d)\.|^[1-9]/); // 0.10+
      const log = await waitFor("shutdown from Neovim", () => {
        const l = readLog(ws.log);
        return l.some((m) => m.method === "shutdown") && l;
      });
      expectAttached(log, /^Neovim$/, ws.uri);
    },
    TIMEOUT,
  );

  it(
    "Emacs (batch) connects eglot to the server from eglot-server-programs",
    async () => {
      const ws = workspace(dir);
      const out = join(dir, "emacs-result.json");
      const script = join(dir, "smoke.el");
      writeFileSync(
        script,
        `
(require 'eglot)
(require 'json)
(define-derived-mode stub-mode prog-mode "Stub")
(add-to-list 'auto-mode-alist '("\\\\.stub\\\\'" . stub-mode))
(let* ((cfg (json-parse-string (getenv "E2E_STUB") :object-type 'plist :array-type 'list)))
  (add-to-list 'eglot-server-programs (cons 'stub-mode (plist-get cfg :cmd)))
  (find-file (plist-get cfg :file))
  (unless (eq major-mode 'stub-mode) (error "major mode is %s" major-mode))
  ;; eglot-ensure connects from post-command-hook, which batch mode never runs by itself.
  (eglot-ensure)
  (run-hooks 'post-command-hook)
  (with-timeout (20 (message "eglot never managed the buffer") (kill-emacs 3))
    (while (not (eglot-managed-p)) (accept-process-output nil 0.05)))
  (let ((server (eglot-current-server)))
    (with-temp-file (plist-get cfg :out)
      (insert (json-encode (list :managed t :emacs emacs-version :server (jsonrpc-name server)
                                 :serverInfo (plist-get (eglot--server-info server) :name)))))
    (eglot-shutdown server))
  (kill-emacs 0))
`,
      );
      const env = {
        ...process.env,
        HOME: dir,
        E2E_STUB: JSON.stringify({ cmd: [NODE, STUB, ws.log], file: ws.file, out }),
      };
      await execFileP(editorBin("emacs"), ["--batch", "-Q", "-l", script], { cwd: ws.project, env, timeout: 45_000 });
      const result = JSON.parse(readFileSync(out, "utf8"));
      expect(result).toMatchObject({ managed: true, serverInfo: "stub-lsp" });
      expect(Number.parseInt(result.emacs, 10)).toBeGreaterThanOrEqual(29); // eglot built in
      const log = readLog(ws.log);
      expect(log.some((m) => m.method === "shutdown")).toBe(true);
      expectAttached(log, /^Eglot$/, ws.uri);
    },
    TIMEOUT,
  );

  it(
    "Helix (under tmux) starts the server configured in languages.toml",
    async () => {
      const ws = workspace(dir);
      const config = join(dir, "config");
      mkdirSync(join(config, "helix"), { recursive: true });
      const q = (s: string) => JSON.stringify(s); // a TOML basic string
      writeFileSync(
        join(config, "helix", "languages.toml"),
        `[language-server.stub]
command = ${q(NODE)}
args = [${q(STUB)}, ${q(ws.log)}]

[[language]]
name = "stub"
scope = "source.stub"
file-types = ["stub"]
roots = [".git"]
language-servers = ["stub"]
`,
      );
      const tmux = editorBin("tmux");
      const socket = join(dir, "tmux.sock");
      const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: config, XDG_CACHE_HOME: join(dir, "cache"), TERM: "xterm-256color" };
      const run = (args: string[]) => execFileP(tmux, ["-S", socket, ...args], { env, cwd: ws.project, timeout: 10_000 });
      const screen = async () => {
        try {
          return (await run(["capture-pane", "-p", "-t", "e2e"])).stdout;
        } catch (e) {
          return `(no screen: ${(e as Error).message})`;
        }
      };
      try {
        await run(["-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", "120", "-y", "40", "-c", ws.project, `${editorBin("hx")} file.stub`]);
        let lastScreen = "";
        const log = await waitFor(
          "Helix to attach the stub server",
          () => {
            const l = readLog(ws.log);
            return l.some((m) => m.method === "textDocument/didOpen") && l;
          },
          20_000,
          () => `log: ${JSON.stringify(readLog(ws.log).map((m) => m.method))}\nscreen:\n${lastScreen}`,
        ).catch(async (e) => {
          lastScreen = await screen();
          throw new Error(`${(e as Error).message}\nscreen:\n${lastScreen}`);
        });
        expectAttached(log, /^helix$/, ws.uri);
        // The editor is up and shows the file.
        expect(await screen()).toContain("hello from the smoke test");
        await run(["send-keys", "-t", "e2e", ":q!", "Enter"]);
        await waitFor("Helix to quit and shut the server down", () => readLog(ws.log).some((m) => m.method === "shutdown"), 10_000);
      } finally {
        await run(["kill-server"]).catch(() => {});
      }
    },
    TIMEOUT,
  );
});
