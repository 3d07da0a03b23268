;; agent-shell (xenodium/agent-shell): its OpenCode agent, started as opencode-lsp.
(require 'agent-shell)
(setq agent-shell-opencode-command '("opencode-lsp" "acp"))
(setq agent-shell-opencode-authentication (agent-shell-opencode-make-authentication :none t))
;; then M-x agent-shell-opencode-start-agent
