-- avante.nvim (yetone/avante.nvim): opencode-lsp as an ACP provider.
require("avante").setup({
  provider = "opencode-lsp",
  acp_providers = {
    ["opencode-lsp"] = { command = "opencode-lsp", args = { "acp" }, env = {} },
  },
})
