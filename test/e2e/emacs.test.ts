// Emacs 30 (batch) with clients/emacs/opencode.el byte-compiled and loaded: eglot connects to
// opencode-lsp (fronting a real typescript-language-server); the diagnostic reaches flymake;
// M-x eglot-code-actions offers "OpenCode: Fix this diagnostic", which fixes the buffer after the
// permission prompt (answered by opencode.el's completing-read); M-x opencode-ask streams the
// answer into the session's chat buffer.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { editorBin, skipEditorTests } from "./editors.ts";
import { compileOpencodeEl, editorResult, FIX_TURNS, FIXED, removeAfterTest, runEditor as run, scriptedProviderForTest, SERVER_CMD, tsProject } from "./support.ts";

const HERE = dirname(fileURLToPath(import.meta.url));

describe.skipIf(skipEditorTests(["emacs"]))("Emacs (eglot)", () => {
  it("byte-compiles opencode.el cleanly, fixes a diagnostic through eglot-code-actions, and streams opencode-ask", async () => {
    const provider = await scriptedProviderForTest({ protocol: "openai", turns: [...FIX_TURNS, { text: "Hello from Emacs, streamed word by word." }] });
    // The edit path without review (the plugin announces review, which would hold the fix as a
    // pending change): review-*.test.ts drive that one.
    const project = tsProject(provider, { review: "off" });
    const root = removeAfterTest(project.root);
    const env = { ...process.env, HOME: join(root, ".home") };
    mkdirSync(env.HOME, { recursive: true });

    const lisp = await compileOpencodeEl(root, env);

    const resultFile = join(root, "emacs-result.json");
    const t0 = Date.now();
    const session = await run(editorBin("emacs"), ["--batch", "-Q", "-l", join(HERE, "fixtures", "emacs-e2e.el")], {
      cwd: root,
      env: { ...env, OCL_LISP: lisp, OCL_CMD: JSON.stringify(SERVER_CMD), OCL_FILE: project.file, OCL_RESULT: resultFile },
    });
    const result = editorResult(resultFile, "Emacs", session);
    const detail = `${JSON.stringify(result, null, 2)}\n--- stderr (last 4000) ---\n${session.stderr.slice(-4000)}`;
    expect(result.error, detail).toBeUndefined();
    expect(result.loaded, "the byte-compiled opencode.elc").toMatch(/opencode\.elc$/);
    expect(result.attached, "eglot connected an opencode-server").toBe(true);
    expect(result.serverInfo).toMatch(/opencode/i);
    expect(result.diagnostic).toMatch(/not assignable to type 'number'/);
    expect(result.offered).toContain("OpenCode: Fix this diagnostic");
    expect(result.permission_prompt).toMatch(/OpenCode wants to .*total\.ts/);
    expect(result.buffer).toBe(FIXED);
    expect(result.chat).toContain("> say hello");
    expect(result.chat).toContain("Hello from Emacs, streamed word by word.");
    // The session shared as a link and opened read-only from it (verified by `share view`).
    expect(result.shared).toContain("Hello from Emacs, streamed word by word.");
    expect(result.shared_read_only).toBe(true);
    expect(result.messages).toContain("Hello from Emacs, streamed word by word.");
    expect(session.status, detail).toBe(0);
    // The model saw the real diagnostic and, for the ask, the prompt with the file as context.
    expect(JSON.stringify(provider.requests[0]!.body.messages)).toContain("not assignable to type 'number'");
    const ask = JSON.stringify(provider.requests.at(-1)!.body.messages);
    expect(ask).toContain("say hello");
    expect(ask).toContain("total.ts");
    console.log(`Emacs session: ${Date.now() - t0} ms`);
  }, 180_000);
});
