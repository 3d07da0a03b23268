//! Registers opencode-lsp with Zed. The command is `lsp.opencode-lsp.binary` from settings.json
//! when given, else `opencode-lsp --stdio` from the worktree's PATH; `initialization_options` and
//! `settings` (the `opencode` section) come from `lsp.opencode-lsp` too.
use zed_extension_api::{self as zed, serde_json, settings::LspSettings, LanguageServerId, Result};

struct OpencodeLsp;

impl zed::Extension for OpencodeLsp {
    fn new() -> Self {
        OpencodeLsp
    }

    fn language_server_command(&mut self, id: &LanguageServerId, worktree: &zed::Worktree) -> Result<zed::Command> {
        let binary = LspSettings::for_worktree(id.as_ref(), worktree).ok().and_then(|s| s.binary);
        let path = binary.as_ref().and_then(|b| b.path.clone());
        let command = match path {
            Some(path) => path,
            None => worktree
                .which("opencode-lsp")
                .ok_or_else(|| "opencode-lsp is not on PATH: install it (npm i -g opencode-lsp) or set lsp.opencode-lsp.binary.path".to_string())?,
        };
        let args = binary.as_ref().and_then(|b| b.arguments.clone()).unwrap_or_else(|| vec!["--stdio".into()]);
        let env = binary.and_then(|b| b.env).map(|e| e.into_iter().collect()).unwrap_or_default();
        Ok(zed::Command { command, args, env })
    }

    fn language_server_initialization_options(&mut self, id: &LanguageServerId, worktree: &zed::Worktree) -> Result<Option<serde_json::Value>> {
        Ok(LspSettings::for_worktree(id.as_ref(), worktree).ok().and_then(|s| s.initialization_options))
    }

    fn language_server_workspace_configuration(&mut self, id: &LanguageServerId, worktree: &zed::Worktree) -> Result<Option<serde_json::Value>> {
        let settings = LspSettings::for_worktree(id.as_ref(), worktree).ok().and_then(|s| s.settings);
        Ok(settings.map(|opencode| serde_json::json!({ "opencode": opencode })))
    }
}

zed::register_extension!(OpencodeLsp);
