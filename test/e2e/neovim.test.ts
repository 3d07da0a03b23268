// Neovim 0.10 headless with the plugin in lua/: a real typescript-language-server behind
// opencode-lsp gives the diagnostic; "OpenCode: Fix this diagnostic" fixes the buffer (after a
// permission prompt answered through vim.ui.select); :OpenCode chat streams into the chat buffer;
// :checkhealth opencode reports OK.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/lsp-client.ts";
import { editorBin, skipEditorTests } from "./editors.ts";
import { editorResult, FIX_TURNS, FIXED, removeAfterTest, runEditor, scriptedProviderForTest, SERVER_CMD, tsProject } from "./support.ts";

const HERE = dirname(fileURLToPath(import.meta.url));

describe.skipIf(skipEditorTests(["nvim"]))("Neovim", () => {
  it("fixes a diagnostic with a code action, streams a chat answer, and passes :checkhealth", async () => {
    const provider = await scriptedProviderForTest({ protocol: "openai", turns: [...FIX_TURNS, { text: "Hello from the chat buffer." }] });
    // The edit path without review (the plugin announces review, which would hold the fix as a
    // pending change): review-*.test.ts drive that one.
    const project = tsProject(provider, { review: "off" });
    const root = removeAfterTest(project.root);
    const resultFile = join(root, "nvim-result.json");
    // Asynchronously: the scripted provider runs in this process and must keep answering.
    const run = await runEditor(editorBin("nvim"), ["--headless", "--clean", "-n", "-c", `luafile ${join(HERE, "fixtures", "nvim-e2e.lua")}`], {
      cwd: root,
      env: { ...process.env, OCL_REPO: REPO_ROOT, OCL_CMD: JSON.stringify(SERVER_CMD), OCL_FILE: project.file, OCL_RESULT: resultFile, XDG_STATE_HOME: join(root, ".state"), XDG_CONFIG_HOME: join(root, ".config") },
    });
    const result = editorResult(resultFile, "Neovim", run);
    expect(result.error, JSON.stringify(result, null, 2)).toBeUndefined();
    expect(result.attached).toBe(true);
    expect(result.diagnostic.message).toMatch(/not assignable to type 'number'/);
    expect(result.offered).toContain("OpenCode: Fix this diagnostic");
    expect(result.permission_prompt).toMatch(/OpenCode wants to .*total\.ts/);
    expect(result.buffer + "\n").toBe(FIXED);
    expect(result.chat).toContain("Hello from the chat buffer.");
    expect(result.shared).toContain("Hello from the chat buffer.");
    expect(result.shared_modifiable).toBe(false);
    expect(result.health).toMatch(/OK.*server found/);
    expect(result.health).toMatch(/OK.*attached/);
    expect(result.health).toMatch(/OK.*proxy typescript running/);
    expect(result.health).not.toMatch(/ERROR/);
    // What the model was told: the real diagnostic from typescript-language-server.
    expect(JSON.stringify(provider.requests[0]!.body.messages)).toContain("not assignable to type 'number'");
  }, 150_000);
});
