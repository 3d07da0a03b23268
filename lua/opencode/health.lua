-- :checkhealth opencode
local M = {}

function M.check()
  local health = vim.health
  local opencode = require("opencode")
  health.start("opencode-lsp")
  local cmd = opencode.config.cmd
  if vim.fn.executable(cmd[1]) == 1 then
    health.ok("server found: " .. table.concat(cmd, " "))
  else
    return health.error("server not found: " .. cmd[1], { "install opencode-lsp, or set `cmd` in require('opencode').setup()" })
  end
  local base = vim.list_slice(cmd, 1, #cmd)
  if base[#base] == "--stdio" then
    table.remove(base)
  end
  local version = vim.fn.systemlist(vim.list_extend(vim.deepcopy(base), { "--version" }))[1]
  if vim.v.shell_error == 0 then
    health.ok("version " .. version)
  else
    health.error("`" .. table.concat(base, " ") .. " --version` failed: " .. tostring(version))
  end

  local client = opencode.client()
  if not client then
    return health.warn("not attached to this buffer yet (open a file in a project)")
  end
  health.ok("attached (client id " .. client.id .. ")")
  if opencode.config.review ~= false then
    local k = opencode.config.review_keys or {}
    local keys = vim.tbl_filter(function(x)
      return type(x) == "string" and x ~= ""
    end, { k.accept, k.reject, k.accept_file, k.reject_file, k.next, k.prev })
    health.ok("review before write: announced; pending changes drawn inline (keys " .. table.concat(keys, " ") .. ", :OpenCode review)")
  else
    health.info("review before write: not announced (review = false in setup); edits land at once unless opencode.json sets \"review\": \"ask\"")
  end
  local timeout = 5000
  local function sync(method)
    local response = client.request_sync and (vim.fn.has("nvim-0.11") == 1 and client:request_sync(method, vim.empty_dict(), timeout) or client.request_sync(method, vim.empty_dict(), timeout))
    return response and response.result, response and response.err
  end
  local models, err = sync("opencode/models")
  if err or not models then
    health.error("opencode/models failed: " .. vim.inspect(err))
  else
    local usable = vim.tbl_filter(function(m)
      return m.usable
    end, models)
    if #usable > 0 then
      health.ok(#usable .. " models usable, e.g. " .. usable[1].id)
    else
      health.warn("no provider usable", { "set ANTHROPIC_API_KEY or OPENAI_API_KEY, or start Ollama (see `opencode-lsp models`)" })
    end
  end
  local report = sync("opencode/health")
  if report then
    for _, proxy in ipairs(report.proxies or {}) do
      if proxy.state == "running" then
        health.ok("proxy " .. proxy.name .. " running (restarts: " .. proxy.restarts .. ")")
      else
        health.error("proxy " .. proxy.name .. " is " .. proxy.state)
      end
    end
  end
end

return M
