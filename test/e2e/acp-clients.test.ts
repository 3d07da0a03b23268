// The ACP wiring under clients/, each file read by what it is for, and the command it names run:
// Zed's agent_servers and JetBrains' acp.json parsed; the CodeCompanion and avante.nvim configs
// evaluated in real Neovim with the plugins' entry points stubbed (the stubs keep the setup table);
// the agent-shell config loaded in real Emacs with agent-shell stubbed. Every command found starts
// (opencode-lsp on PATH being the built binary) and answers ACP initialize with protocol 1. The same
// text is shown in docs/editors.md and in the README's editor section.
import { execFile, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { isolatedEnv, REPO_ROOT, SERVER_BIN } from "../support/lsp-client.ts";
import { editorBin, skipEditorTests } from "./editors.ts";

const execFileP = promisify(execFile);
const CLIENTS = join(REPO_ROOT, "clients");
const FILES = {
  zed: "zed/agent_servers.json",
  jetbrains: "jetbrains/acp.json",
  codecompanion: "neovim/codecompanion.lua",
  avante: "neovim/avante.lua",
  agentShell: "emacs/agent-shell-opencode-lsp.el",
};
const read = (file: string) => readFileSync(join(CLIENTS, file), "utf8");

/** A folder whose `opencode-lsp` is the built binary. */
function shimDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "acp-bin-"));
  const shim = join(dir, "opencode-lsp");
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${SERVER_BIN}" "$@"\n`);
  chmodSync(shim, 0o755);
  return dir;
}

/** Starts `[command, ...args]` as a client would (opencode-lsp from PATH) and sends ACP initialize. */
function initializeWith(argv: string[], bin: string): Promise<{ protocolVersion: number; agentInfo?: { name: string } }> {
  const [command, ...args] = argv;
  expect(basename(command!)).toBe("opencode-lsp");
  return new Promise((resolve, reject) => {
    const env = { ...isolatedEnv(), PATH: `${bin}:${process.env.PATH}` };
    const child = spawn(join(bin, "opencode-lsp"), args, { env, stdio: ["pipe", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.includes('"id":1'));
      if (!line) return;
      child.kill();
      resolve(JSON.parse(line).result);
    });
    child.once("error", reject);
    child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: 1, clientCapabilities: {} } })}\n`);
  });
}

/** The file without its leading comment lines: what the docs must show. */
function body(file: string): string {
  return read(file)
    .split("\n")
    .filter((line, i, lines) => !(/^\s*(--|;;|\/\/)/.test(line) && lines.slice(0, i).every((l) => /^\s*(--|;;|\/\/)/.test(l))))
    .join("\n")
    .trim();
}

describe("ACP wiring files", () => {
  it("Zed's agent_servers and JetBrains' acp.json start opencode-lsp acp", async () => {
    const bin = shimDir();
    const zed = JSON.parse(read(FILES.zed)).agent_servers.OpenCode;
    expect(zed.type).toBe("custom");
    const jetbrains = JSON.parse(read(FILES.jetbrains)).agent_servers.OpenCode;
    expect(jetbrains.command.startsWith("/")).toBe(true); // JetBrains wants an absolute path
    for (const entry of [zed, jetbrains]) expect(await initializeWith([entry.command, ...entry.args], bin)).toMatchObject({ protocolVersion: 1, agentInfo: { name: "opencode-lsp" } });
  });

  it.skipIf(skipEditorTests(["nvim"]))("CodeCompanion's adapter and avante's acp_providers, evaluated in Neovim", async () => {
    const script = join(mkdtempSync(join(tmpdir(), "acp-nvim-")), "read.lua");
    writeFileSync(
      script,
      `local kept = {}
package.preload["codecompanion"] = function() return { setup = function(opts) kept.codecompanion = opts end } end
package.preload["codecompanion.adapters"] = function() return { extend = function(base, overrides) return vim.tbl_extend("force", { extends = base }, overrides) end } end
package.preload["avante"] = function() return { setup = function(opts) kept.avante = opts end } end
dofile(${JSON.stringify(join(CLIENTS, FILES.codecompanion))})
dofile(${JSON.stringify(join(CLIENTS, FILES.avante))})
local cc = kept.codecompanion
io.stdout:write(vim.json.encode({ adapter = cc.adapters.acp.opencode_lsp(), chat = cc.interactions.chat.adapter, avante = kept.avante }))
`,
    );
    const { stdout } = await execFileP(editorBin("nvim"), ["--headless", "-u", "NONE", "-l", script], { timeout: 30_000 });
    const seen = JSON.parse(stdout);
    expect(seen.adapter).toMatchObject({ extends: "opencode", name: "opencode_lsp", commands: { default: ["opencode-lsp", "acp"] } });
    expect(seen.chat).toBe("opencode_lsp");
    expect(seen.avante.provider).toBe("opencode-lsp");
    const avante = seen.avante.acp_providers["opencode-lsp"];
    const bin = shimDir();
    expect(await initializeWith(seen.adapter.commands.default, bin)).toMatchObject({ protocolVersion: 1 });
    expect(await initializeWith([avante.command, ...avante.args], bin)).toMatchObject({ protocolVersion: 1 });
  }, 60_000);

  it.skipIf(skipEditorTests(["emacs"]))("agent-shell's command variable, loaded in Emacs", async () => {
    const lisp = `(progn
  (defvar agent-shell-opencode-command '("opencode" "acp"))
  (defvar agent-shell-opencode-authentication nil)
  (defun agent-shell-opencode-make-authentication (&rest args) (if (plist-get args :none) '((:none . t)) (error "expected :none")))
  (provide 'agent-shell)
  (load ${JSON.stringify(join(CLIENTS, FILES.agentShell))} nil t)
  (require 'json)
  (princ (json-encode (list :command (vconcat agent-shell-opencode-command) :none (if (alist-get :none agent-shell-opencode-authentication) t :json-false)))))`;
    const { stdout } = await execFileP(editorBin("emacs"), ["--batch", "-Q", "--eval", lisp], { timeout: 30_000 });
    const seen = JSON.parse(stdout);
    expect(seen).toEqual({ command: ["opencode-lsp", "acp"], none: true });
    expect(await initializeWith(seen.command, shimDir())).toMatchObject({ protocolVersion: 1 });
  }, 60_000);

  it("each file is shown as it is in docs/editors.md and in the README", () => {
    const editors = readFileSync(join(REPO_ROOT, "docs", "editors.md"), "utf8");
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    for (const file of Object.values(FILES)) {
      expect(editors, `docs/editors.md shows clients/${file}`).toContain(body(file));
      expect(readme, `README.md shows clients/${file}`).toContain(body(file));
    }
  });
});
