-- opencode.nvim: the OpenCode agent through opencode-lsp.
--
--   require("opencode").setup({ cmd = { "opencode-lsp", "--stdio" } })
--
-- Registers the server (vim.lsp.config/enable on 0.11+, vim.lsp.start on 0.10), adds
-- :OpenCode ask|chat|sessions|cancel|revert|share|open|model|review, answers permission requests
-- with vim.ui.select, renders the session stream in a chat buffer, shows the agent's edits as
-- pending inline diffs to accept or reject (review.lua), and offers a statusline function.
local M = {}

M.config = {
  cmd = { "opencode-lsp", "--stdio" },
  filetypes = nil, -- nil: every buffer with a file
  root_markers = { ".git", "opencode.json", "package.json", "pyproject.toml", "go.mod", "Cargo.toml" },
  settings = {}, -- the `opencode` section: model, providers, permissions, ...
  init_options = {},
  -- Review before write: announce `capabilities.review`, so the agent's edits arrive as pending
  -- hunks drawn inline (accept/reject with the keys below). false: not announced (the edits land
  -- at once, unless opencode.json sets "review": "ask").
  review = true,
  -- Buffer-local keys while a buffer has pending hunks; false (or "") leaves one unmapped.
  review_keys = { accept = "ga", reject = "gr", accept_file = "gA", reject_file = "gR", next = "]h", prev = "[h" },
}

M.state = { session = nil, running = false, status = "", tokens = 0, chat = {} }

local function has_011()
  return vim.fn.has("nvim-0.11") == 1
end

--- Calls a client method on 0.10 (client.fn(...)) and 0.11+ (client:fn(...)) alike.
local function call(client, name, ...)
  if has_011() then
    return client[name](client, ...)
  end
  return client[name](...)
end

function M.client(bufnr)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local clients = get({ name = "opencode", bufnr = bufnr })
  if #clients == 0 then
    clients = get({ name = "opencode" })
  end
  return clients[1]
end

--- A request to the server; `cb(err, result)` runs on the main loop.
function M.request(method, params, cb, bufnr)
  local client = M.client(bufnr)
  if not client then
    vim.notify("OpenCode: opencode-lsp is not running (see :checkhealth opencode)", vim.log.levels.ERROR)
    return
  end
  call(client, "request", method, params, function(err, result)
    if cb then
      cb(err, result)
    elseif err then
      vim.notify("OpenCode: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    end
  end, bufnr)
end

function M.command(name, args, cb, bufnr)
  M.request("workspace/executeCommand", { command = name, arguments = { args } }, cb, bufnr)
end

-- Handlers for what the server sends ----------------------------------------------------------

local chat = require("opencode.chat")
local review = require("opencode.review")

local function on_update(_, params)
  if not params or not params.update then
    return
  end
  local u = params.update
  if u.kind == "review" then
    review.on_update(params.sessionId, u)
    return vim.cmd("redrawstatus")
  end
  if u.kind == "tool_call" then
    M.state.status = u.title
  elseif u.kind == "usage" then
    M.state.tokens = M.state.tokens + (u.inputTokens or 0) + (u.outputTokens or 0)
  end
  chat.append(params.sessionId, u)
  vim.cmd("redrawstatus")
end

local CHOICES = {
  { label = "Allow once", outcome = "allow_once" },
  { label = "Always allow", outcome = "allow_always" },
  { label = "Reject", outcome = "reject" },
}

--- Permission request: asked with vim.ui.select; the response waits for the answer.
local function on_permission(_, params)
  local answer
  vim.ui.select(CHOICES, {
    prompt = "OpenCode wants to " .. (params.title or params.tool) .. ":",
    format_item = function(item)
      return item.label
    end,
  }, function(choice)
    answer = choice and choice.outcome or "reject"
  end)
  vim.wait(10 * 60 * 1000, function()
    return answer ~= nil
  end, 20)
  return { outcome = answer or "reject" }
end

function M.lsp_config()
  local cfg = M.config
  return {
    name = "opencode",
    cmd = cfg.cmd,
    filetypes = cfg.filetypes,
    root_markers = cfg.root_markers,
    settings = { opencode = cfg.settings },
    init_options = vim.tbl_deep_extend("force", cfg.init_options, { capabilities = { permissionRequests = true, sessionUpdates = true, review = cfg.review ~= false } }),
    handlers = {
      ["opencode/session/update"] = on_update,
      ["opencode/session/requestPermission"] = on_permission,
    },
  }
end

local function root_dir(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local found = vim.fs.find(M.config.root_markers, { upward = true, path = vim.fs.dirname(name) })[1]
  return found and vim.fs.dirname(found) or vim.fn.getcwd()
end

local function start(bufnr)
  if vim.bo[bufnr].buftype ~= "" or vim.api.nvim_buf_get_name(bufnr) == "" then
    return
  end
  local config = M.lsp_config()
  config.root_dir = root_dir(bufnr)
  config.root_markers = nil
  vim.lsp.start(config, { bufnr = bufnr })
end

-- Commands ------------------------------------------------------------------------------------

local function with_session(cb)
  if M.state.session then
    return cb(M.state.session)
  end
  M.request("opencode/session/new", { title = "Neovim" }, function(err, result)
    if err then
      return vim.notify("OpenCode: " .. err.message, vim.log.levels.ERROR)
    end
    M.state.session = result.sessionId
    cb(result.sessionId)
  end)
end

--- Sends a prompt in the current session, streaming into the chat buffer.
function M.prompt(text, context)
  with_session(function(id)
    chat.open(id)
    chat.user(id, text)
    M.state.running, M.state.status, M.state.tokens = true, "thinking…", 0
    M.request("opencode/session/prompt", { sessionId = id, prompt = text, context = context }, function(err, result)
      M.state.running, M.state.status = false, ""
      chat.done(id, err and ("error: " .. err.message) or (result and result.stopReason ~= "end_turn" and (result.stopReason .. (result.error and (": " .. result.error) or ""))) or nil)
      vim.cmd("redrawstatus")
    end)
  end)
end

local function context_of(opts)
  local uri = vim.uri_from_bufnr(0)
  if opts and opts.range and opts.range > 0 then
    return { { uri = uri, range = { start = { line = opts.line1 - 1, character = 0 }, ["end"] = { line = opts.line2 - 1, character = 0 } } } }
  end
  return { { uri = uri } }
end

local subcommands = {}

function subcommands.ask(args, opts)
  local run = function(text)
    if not text or text == "" then
      return
    end
    local params = { prompt = text, uri = vim.uri_from_bufnr(0) }
    if opts.range and opts.range > 0 then
      params.range = { start = { line = opts.line1 - 1, character = 0 }, ["end"] = { line = opts.line2 - 1, character = 0 } }
    end
    vim.notify("OpenCode: working…")
    M.command("opencode.ask", params, function(err, result)
      if err then
        return vim.notify("OpenCode: " .. err.message, vim.log.levels.ERROR)
      end
      M.state.session = result.sessionId
      vim.notify(result.text ~= "" and result.text or "OpenCode: done")
    end)
  end
  if args ~= "" then
    run(args)
  else
    vim.ui.input({ prompt = "OpenCode> " }, run)
  end
end

function subcommands.chat(args, opts)
  local function send(text)
    if text and text ~= "" then
      M.prompt(text, context_of(opts))
    end
  end
  if args ~= "" then
    send(args)
  else
    with_session(function(id)
      chat.open(id)
    end)
    vim.ui.input({ prompt = "OpenCode> " }, send)
  end
end

function subcommands.sessions()
  M.request("opencode/session/list", nil, function(err, list)
    if err or not list or #list == 0 then
      return vim.notify(err and err.message or "OpenCode: no sessions")
    end
    vim.ui.select(list, {
      prompt = "OpenCode sessions",
      format_item = function(s)
        return string.format("%s  (%s, %d messages)", s.title, s.model, s.messages)
      end,
    }, function(s)
      if s then
        M.state.session = s.sessionId
        chat.open(s.sessionId)
        M.request("opencode/session/load", { sessionId = s.sessionId })
      end
    end)
  end)
end

local function session_command(name, done)
  return function()
    if not M.state.session then
      return vim.notify("OpenCode: no current session", vim.log.levels.WARN)
    end
    M.command(name, { sessionId = M.state.session }, function(err, result)
      if err then
        return vim.notify("OpenCode: " .. err.message, vim.log.levels.ERROR)
      end
      if done then
        done(result)
      end
    end)
  end
end

subcommands.cancel = session_command("opencode.session.cancel")
subcommands.revert = session_command("opencode.session.revert", function()
  vim.notify("OpenCode: this session's edits were reverted")
end)
subcommands.open = session_command("opencode.session.open")
subcommands.review = function()
  review.quickfix()
end
subcommands.share = session_command("opencode.session.share", function(result)
  pcall(vim.fn.setreg, "+", result.url)
  vim.fn.setreg('"', result.url)
  vim.notify("OpenCode: share link copied: " .. result.url)
end)

function subcommands.model(args)
  local function pick(model)
    if model then
      M.command("opencode.model.select", { model = model }, function(err)
        vim.notify(err and ("OpenCode: " .. err.message) or ("OpenCode: model " .. model), err and vim.log.levels.ERROR or nil)
      end)
    end
  end
  if args ~= "" then
    return pick(args)
  end
  local function from_catalogue()
    M.request("opencode/models", nil, function(err, models)
      if err then
        return vim.notify("OpenCode: " .. err.message, vim.log.levels.ERROR)
      end
      local usable = vim.tbl_filter(function(m)
        return m.usable
      end, models)
      vim.ui.select(usable, {
        prompt = "OpenCode model",
        format_item = function(m)
          return m.id
        end,
      }, function(m)
        pick(m and m.id)
      end)
    end)
  end
  -- The last `opencode-lsp bench --save` ranking of this workspace, best first; else the catalogue.
  M.request("workspace/executeCommand", { command = "opencode.model.select" }, function(err, last)
    if err or type(last) ~= "table" or type(last.ranking) ~= "table" or #last.ranking == 0 then
      return from_catalogue()
    end
    vim.ui.select(last.ranking, {
      prompt = "OpenCode model (benchmark of " .. (last.createdAt or "?"):sub(1, 10) .. ", best first)",
      format_item = function(r)
        return M.format_ranking_entry(r, last)
      end,
    }, function(r)
      pick(r and r.model)
    end)
  end)
end

--- One line of the benchmark ranking: rank, model, score and its figures.
function M.format_ranking_entry(r, last)
  local rank = 0
  for i, entry in ipairs(last.ranking) do
    if entry.model == r.model then
      rank = i
    end
  end
  local p50 = type(r.latencyP50Ms) == "number" and string.format("%d ms", math.floor(r.latencyP50Ms + 0.5)) or "-"
  local cost = r.costPerThousandTasks == 0 and "free" or string.format("$%.4f/1k", r.costPerThousandTasks)
  return string.format(
    "%d. %s  score %.3f  EM %s%%  ES %s  tok %s%%  idF1 %s%%  p50 %s  %s%s%s",
    rank,
    r.model,
    r.score,
    r.exactMatch,
    r.editSimilarity,
    r.tokenAccuracy,
    r.identifierF1,
    p50,
    cost,
    r.errors > 0 and string.format("  %d failed", r.errors) or "",
    r.model == last.current and "  (current)" or ""
  )
end

--- Opens a share link read-only (the transcript as Markdown).
function subcommands.view(args)
  local cmd = vim.list_slice(M.config.cmd, 1, #M.config.cmd)
  if cmd[#cmd] == "--stdio" then
    table.remove(cmd)
  end
  local lines = vim.fn.systemlist(vim.list_extend(cmd, { "share", "view", args }))
  vim.cmd("new")
  vim.api.nvim_buf_set_lines(0, 0, -1, false, lines)
  vim.bo.buftype, vim.bo.modifiable, vim.bo.filetype = "nofile", false, "markdown"
end

function M.statusline()
  if not M.client() then
    return ""
  end
  local pending = review.count()
  local suffix = pending > 0 and string.format(" · %d pending", pending) or ""
  if M.state.running then
    return string.format("OpenCode ⟳ %s · %d tok%s", M.state.status, M.state.tokens, suffix)
  end
  return "OpenCode" .. suffix
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", M.config, opts or {})
  review.keys = M.config.review_keys
  if has_011() and vim.lsp.config then
    vim.lsp.config("opencode", M.lsp_config())
    vim.lsp.enable("opencode")
  else
    local group = vim.api.nvim_create_augroup("opencode", { clear = true })
    vim.api.nvim_create_autocmd("BufEnter", {
      group = group,
      callback = function(ev)
        local ft = vim.bo[ev.buf].filetype
        if M.config.filetypes == nil or vim.tbl_contains(M.config.filetypes, ft) then
          start(ev.buf)
        end
      end,
    })
    start(vim.api.nvim_get_current_buf())
  end
  vim.api.nvim_create_user_command("OpenCode", function(o)
    local sub, rest = o.args:match("^(%S+)%s*(.*)$")
    local fn = subcommands[sub or ""]
    if not fn then
      return vim.notify("OpenCode: :OpenCode ask|chat|sessions|cancel|revert|share|open|model|view|review", vim.log.levels.ERROR)
    end
    fn(rest or "", o)
  end, {
    nargs = "+",
    range = true,
    complete = function(lead, line)
      if line:match("^%S+%s+%S*$") then
        return vim.tbl_filter(function(s)
          return s:find(lead, 1, true) == 1
        end, vim.tbl_keys(subcommands))
      end
      return {}
    end,
  })
end

return M
