-- opencode-lsp for Neovim's LSP config (Neovim 0.11+ `vim.lsp.config`/`vim.lsp.enable`, and
-- nvim-lspconfig, which reads `lsp/<name>.lua` from the runtimepath).
return require("opencode").lsp_config()
