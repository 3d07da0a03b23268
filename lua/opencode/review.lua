-- Review before write: the agent's edits arrive as pending hunks (`opencode/session/update` kind
-- `review`, the session's whole pending set each time) instead of landing in the buffer. Each
-- hunk is drawn inline with extmarks: the lines it replaces highlighted (OpenCodeReviewRemoved),
-- the lines it brings as virtual lines below them (OpenCodeReviewAdded). While a buffer has
-- hunks, buffer-local keys accept / reject / move (`ga` `gr` `gA` `gR` `]h` `[h` by default);
-- accepting is the server's `opencode.review.accept`, whose one workspace/applyEdit is one undo
-- step.
local M = {}

M.ns = vim.api.nvim_create_namespace("opencode_review")

M.keys = {
  accept = "ga",
  reject = "gr",
  accept_file = "gA",
  reject_file = "gR",
  next = "]h",
  prev = "[h",
}

local pending = {} -- sessionId -> uri -> Hunk[] (as the server last sent them)
local marks = {} -- bufnr -> { { hunk, id } ... } (the extmark that follows the hunk's lines)
local mapped = {} -- bufnr -> { lhs ... } the keys this module mapped there

vim.api.nvim_set_hl(0, "OpenCodeReviewRemoved", { link = "DiffDelete", default = true })
vim.api.nvim_set_hl(0, "OpenCodeReviewAdded", { link = "DiffAdd", default = true })

local function opencode()
  return require("opencode")
end

--- The loaded buffer showing `uri`, or nil (a file not open now is drawn when it is opened).
local function buffer_of(uri)
  local ok, fname = pcall(vim.uri_to_fname, uri)
  if not ok then
    return nil
  end
  local buf = vim.fn.bufnr(fname)
  if buf > 0 and vim.api.nvim_buf_is_loaded(buf) then
    return buf
  end
  return nil
end

--- Every session's pending hunks of the file `buf` shows, in line order.
function M.hunks_of(buf)
  local out = {}
  for _, files in pairs(pending) do
    for uri, hunks in pairs(files) do
      if buffer_of(uri) == buf then
        vim.list_extend(out, hunks)
      end
    end
  end
  table.sort(out, function(a, b)
    return a.range.start.line < b.range.start.line
  end)
  return out
end

--- How many hunks are pending, in all sessions and files.
function M.count()
  local n = 0
  for _, files in pairs(pending) do
    for _, hunks in pairs(files) do
      n = n + #hunks
    end
  end
  return n
end

local function split_lines(text)
  if text == nil or text == "" then
    return {}
  end
  local lines = vim.split(text, "\n", { plain = true })
  if lines[#lines] == "" then
    table.remove(lines)
  end
  return lines
end

local function virt_lines(buf, text)
  local tab = string.rep(" ", vim.bo[buf].tabstop)
  local width = vim.o.columns
  local out = {}
  for _, line in ipairs(split_lines(text)) do
    line = line:gsub("\t", tab)
    local pad = math.max(0, width - vim.fn.strdisplaywidth(line))
    out[#out + 1] = { { line .. string.rep(" ", pad), "OpenCodeReviewAdded" } }
  end
  return out
end

local map_keys, unmap_keys

--- Redraws the pending hunks of `buf` (its uri's, from every session).
function M.render(buf)
  if not vim.api.nvim_buf_is_valid(buf) then
    return
  end
  vim.api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
  local hunks = M.hunks_of(buf)
  local list = {}
  local count = vim.api.nvim_buf_line_count(buf)
  for _, h in ipairs(hunks) do
    local s = math.min(h.range.start.line, count)
    local e = math.min(math.max(h.range["end"].line, s), count)
    local added = virt_lines(buf, h.newText)
    local id
    if e > s then
      -- The lines it replaces, then what replaces them, below the last of them.
      id = vim.api.nvim_buf_set_extmark(buf, M.ns, s, 0, { end_row = e, end_col = 0, hl_group = "OpenCodeReviewRemoved", hl_eol = true, strict = false, priority = 150 })
      if #added > 0 then
        vim.api.nvim_buf_set_extmark(buf, M.ns, e - 1, 0, { virt_lines = added, strict = false })
      end
    elseif s < count then
      -- A pure insertion before line s.
      id = vim.api.nvim_buf_set_extmark(buf, M.ns, s, 0, { virt_lines = added, virt_lines_above = true, strict = false })
    else
      -- An insertion at the end of the buffer.
      id = vim.api.nvim_buf_set_extmark(buf, M.ns, math.max(count - 1, 0), 0, { virt_lines = added, strict = false })
    end
    list[#list + 1] = { hunk = h, id = id, insertion = e == s, at_end = e == s and s >= count }
  end
  marks[buf] = list
  if #list > 0 then
    map_keys(buf)
  else
    unmap_keys(buf)
  end
end

--- From an `opencode/session/update` of kind `review`: the session's whole pending set.
function M.on_update(sessionId, update)
  local files = pending[sessionId] or {}
  local touched = {}
  for _, f in ipairs(update.files or {}) do
    files[f.uri] = (f.hunks and #f.hunks > 0) and f.hunks or nil
    touched[f.uri] = true
  end
  pending[sessionId] = next(files) and files or nil
  for uri in pairs(touched) do
    local buf = buffer_of(uri)
    if buf then
      M.render(buf)
    end
  end
end

--- The hunks of `buf` as they stand now (the extmarks follow the user's typing), line order.
local function current(buf)
  local out = {}
  for _, m in ipairs(marks[buf] or {}) do
    local pos = vim.api.nvim_buf_get_extmark_by_id(buf, M.ns, m.id, { details = true })
    if pos and pos[1] then
      local s = pos[1]
      local e = (pos[3] and pos[3].end_row) or s
      if m.insertion then
        e = s
        if m.at_end then
          s, e = s + 1, s + 1
        end
      end
      out[#out + 1] = { hunk = m.hunk, s = s, e = e }
    end
  end
  table.sort(out, function(a, b)
    return a.s < b.s
  end)
  return out
end

--- The pending hunk on `row` (0-based) of `buf`: one whose lines hold it, or an insertion at it.
function M.hunk_at(buf, row)
  local count = vim.api.nvim_buf_line_count(buf)
  for _, c in ipairs(current(buf)) do
    if (c.e > c.s and row >= c.s and row < c.e) or (c.e == c.s and (row == c.s or (c.s >= count and row == count - 1))) then
      return c.hunk
    end
  end
  return nil
end

local function decide(verb, args, buf)
  opencode().command("opencode.review." .. verb, args, function(err, result)
    if err then
      return vim.notify("OpenCode: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    end
    local n = result and (result.accepted or result.rejected) or 0
    vim.notify(string.format("OpenCode: %s %d change%s", verb == "accept" and "accepted" or "rejected", n, n == 1 and "" or "s"))
  end, buf)
end

--- Accepts (verb "accept") or rejects ("reject") the hunk under the cursor.
function M.decide_hunk(verb)
  local buf = vim.api.nvim_get_current_buf()
  local h = M.hunk_at(buf, vim.api.nvim_win_get_cursor(0)[1] - 1)
  if not h then
    return vim.notify("OpenCode: no pending change under the cursor", vim.log.levels.WARN)
  end
  decide(verb, { sessionId = h.sessionId, uri = h.uri, hunkId = h.id }, buf)
end

--- Accepts or rejects every pending hunk of the current buffer's file (all sessions').
function M.decide_file(verb)
  local buf = vim.api.nvim_get_current_buf()
  local first = M.hunks_of(buf)[1]
  if not first then
    return vim.notify("OpenCode: no pending changes in this file", vim.log.levels.WARN)
  end
  decide(verb, { uri = first.uri }, buf) -- the uri as the server spells it
end

--- Moves the cursor to the next (`dir` 1) or previous (-1) pending hunk, wrapping around.
function M.jump(dir)
  local buf = vim.api.nvim_get_current_buf()
  local list = current(buf)
  if #list == 0 then
    return vim.notify("OpenCode: no pending changes in this file", vim.log.levels.WARN)
  end
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  local last = vim.api.nvim_buf_line_count(buf) - 1
  local rows = {} -- where each hunk puts the cursor (an insertion at the end: the last line)
  for _, c in ipairs(list) do
    rows[#rows + 1] = math.min(c.s, last)
  end
  local target
  if dir > 0 then
    for _, r in ipairs(rows) do
      if r > row then
        target = r
        break
      end
    end
    target = target or rows[1]
  else
    for i = #rows, 1, -1 do
      if rows[i] < row then
        target = rows[i]
        break
      end
    end
    target = target or rows[#rows]
  end
  vim.api.nvim_win_set_cursor(0, { target + 1, 0 })
end

local actions = {
  accept = { function() M.decide_hunk("accept") end, "OpenCode: accept the change under the cursor" },
  reject = { function() M.decide_hunk("reject") end, "OpenCode: reject the change under the cursor" },
  accept_file = { function() M.decide_file("accept") end, "OpenCode: accept every change in this file" },
  reject_file = { function() M.decide_file("reject") end, "OpenCode: reject every change in this file" },
  next = { function() M.jump(1) end, "OpenCode: next pending change" },
  prev = { function() M.jump(-1) end, "OpenCode: previous pending change" },
}

function map_keys(buf)
  if mapped[buf] then
    return
  end
  mapped[buf] = {}
  for name, lhs in pairs(M.keys) do
    local action = actions[name]
    if action and lhs and lhs ~= "" then
      vim.keymap.set("n", lhs, action[1], { buffer = buf, desc = action[2], nowait = true })
      table.insert(mapped[buf], lhs)
    end
  end
end

function unmap_keys(buf)
  for _, lhs in ipairs(mapped[buf] or {}) do
    pcall(vim.keymap.del, "n", lhs, { buffer = buf })
  end
  mapped[buf] = nil
end

--- `:OpenCode review`: the pending hunks (opencode.review.list) in the quickfix list.
function M.quickfix()
  opencode().command("opencode.review.list", vim.empty_dict(), function(err, result)
    if err then
      return vim.notify("OpenCode: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    end
    local items = {}
    for _, h in ipairs(result and result.hunks or {}) do
      local first = split_lines(h.newText)[1] or split_lines(h.oldText)[1] or ""
      items[#items + 1] = {
        filename = vim.uri_to_fname(h.uri),
        lnum = h.range.start.line + 1,
        col = 1,
        text = string.format("+%d -%d  %s", h.added or 0, h.removed or 0, vim.trim(first)),
        user_data = { sessionId = h.sessionId, hunkId = h.id },
      }
    end
    vim.fn.setqflist({}, " ", { title = "OpenCode review", items = items })
    if #items == 0 then
      return vim.notify("OpenCode: no pending changes")
    end
    vim.cmd("botright copen")
  end)
end

--- Draws what is pending for a buffer when it is (re)loaded, and forgets its marks when it goes.
local function attach_autocmds()
  local group = vim.api.nvim_create_augroup("opencode_review", { clear = true })
  vim.api.nvim_create_autocmd("BufReadPost", {
    group = group,
    callback = function(ev)
      if #M.hunks_of(ev.buf) > 0 then
        M.render(ev.buf)
      end
    end,
  })
  vim.api.nvim_create_autocmd({ "BufUnload", "BufWipeout" }, {
    group = group,
    callback = function(ev)
      marks[ev.buf], mapped[ev.buf] = nil, nil
    end,
  })
end

attach_autocmds()

return M
