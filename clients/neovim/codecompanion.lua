-- CodeCompanion (olimorris/codecompanion.nvim): opencode-lsp as the chat's ACP agent.
require("codecompanion").setup({
  adapters = {
    acp = {
      opencode_lsp = function()
        return require("codecompanion.adapters").extend("opencode", {
          name = "opencode_lsp",
          formatted_name = "OpenCode (opencode-lsp)",
          commands = { default = { "opencode-lsp", "acp" } },
        })
      end,
    },
  },
  interactions = { chat = { adapter = "opencode_lsp" } },
})
