// `opencode-lsp trust ...`: create and list signing keys, sign and verify model directories.
import { resolve } from "node:path";
import { createSigningKey, keysDir, listSigningKeys, loadSigningKey } from "./trust-keys.ts";
import { MANIFEST_FILE, signModelDir, verifyModelDir } from "./trust.ts";

export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** offline.trustedKeys of the effective config (used by `trust verify` when no --key is given). */
  trustedKeys?: string[];
}

export const TRUST_HELP = `Usage: opencode-lsp trust <command>

Signing keys and signed model directories for offline mode.

Commands:
  keygen [--name NAME]            create an ed25519 key pair under $XDG_CONFIG_HOME/opencode-lsp/keys
                                  (private key mode 0600); prints the public key for offline.trustedKeys
  pubkey [--name NAME]            print a key's public half (ed25519:...)
  keys                            list the key pairs
  sign DIR [--name KEY] [--model MODEL]
                                  hash every file of DIR and write DIR/${MANIFEST_FILE}, signed
  verify DIR [--key ed25519:...]  check the manifest's signature against the trusted keys (--key, or
                                  offline.trustedKeys from the config) and every file's SHA-256
Exit codes: 0 ok, 1 verification refused or the command failed, 2 usage.`;

function parseFlags(args: string[], allowed: string[]): { positional: string[]; flags: Map<string, string[]> } | string {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!allowed.includes(name)) return `unknown flag --${name}`;
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) return `--${name} needs a value`;
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { positional, flags };
}

/** `opencode-lsp trust ARGS...`: returns the exit code. */
export async function trustCommand(args: string[], io: CommandIO): Promise<number> {
  const env = io.env ?? process.env;
  const [sub, ...rest] = args;
  if (!sub || sub === "--help" || sub === "-h" || sub === "help") {
    (sub ? io.stdout : io.stderr)(`${TRUST_HELP}\n`);
    return sub ? 0 : 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(`${TRUST_HELP}\n`);
    return 0;
  }
  const usage = (message: string) => {
    io.stderr(`opencode-lsp trust: ${message}\n`);
    return 2;
  };
  const allowedFlags: Record<string, string[]> = { keygen: ["name"], pubkey: ["name"], keys: [], sign: ["name", "model"], verify: ["key"] };
  const allowed = allowedFlags[sub];
  if (!allowed) return usage(`unknown command "${sub}" (keygen, pubkey, keys, sign, verify)`);
  const parsed = parseFlags(rest, allowed);
  if (typeof parsed === "string") return usage(parsed);
  const { positional, flags } = parsed;
  const name = flags.get("name")?.at(-1) ?? "default";
  const wantsDir = sub === "sign" || sub === "verify";
  if (wantsDir ? positional.length !== 1 : positional.length !== 0) return usage(wantsDir ? `${sub} needs exactly one directory` : `${sub} takes no arguments`);
  const dir = wantsDir ? resolve(io.cwd ?? process.cwd(), positional[0]!) : "";
  try {
    switch (sub) {
      case "keygen": {
        const key = await createSigningKey(name, env);
        io.stdout(`${key.publicKey}\n`);
        io.stderr(`created key "${key.name}" (id ${key.keyId}): private ${key.privateKeyPath} (0600), public ${key.publicKeyPath}\nAdd the public key to offline.trustedKeys to trust directories it signs.\n`);
        return 0;
      }
      case "pubkey": {
        io.stdout(`${(await loadSigningKey(name, env)).info.publicKey}\n`);
        return 0;
      }
      case "keys": {
        const keys = await listSigningKeys(env);
        if (keys.length === 0) io.stderr(`no keys under ${keysDir(env)} (create one with \`opencode-lsp trust keygen\`)\n`);
        for (const key of keys) io.stdout(`${key.name}\t${key.keyId}\t${key.publicKey}\n`);
        return 0;
      }
      case "sign": {
        const model = flags.get("model")?.at(-1);
        const signed = await signModelDir(dir, { keyName: name, env, ...(model ? { name: model } : {}) });
        io.stdout(`signed ${signed.manifest.files.length} file(s) of ${dir} as model "${signed.manifest.name}" with key ${signed.signature.keyId}: ${signed.path}\n`);
        return 0;
      }
      case "verify": {
        const keys = flags.get("key") ?? io.trustedKeys ?? [];
        const result = await verifyModelDir(dir, keys);
        if (!result.ok) {
          io.stderr(`refused (${result.reason}): ${result.message}\n`);
          return 1;
        }
        io.stdout(`ok: model "${result.manifest.name}", ${result.files.length} file(s) verified, signed by trusted key ${result.keyId}\n`);
        return 0;
      }
    }
  } catch (error) {
    io.stderr(`opencode-lsp trust ${sub}: ${(error as Error).message}\n`);
    return 1;
  }
  return 2;
}
