-- The chat buffer: a Markdown scratch buffer per session that renders the
-- `opencode/session/update` stream as it arrives.
local M = {}

local buffers = {} -- sessionId -> bufnr
local tools = {} -- tool call id -> line number of its entry

local function buf_for(id)
  local buf = buffers[id]
  if buf and vim.api.nvim_buf_is_valid(buf) then
    return buf
  end
  buf = vim.api.nvim_create_buf(false, true)
  vim.bo[buf].filetype = "markdown"
  vim.bo[buf].bufhidden = "hide"
  pcall(vim.api.nvim_buf_set_name, buf, "opencode://chat/" .. id)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, { "# OpenCode", "" })
  buffers[id] = buf
  return buf
end

function M.buffer(id)
  return buffers[id]
end

function M.open(id)
  local buf = buf_for(id)
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_buf(win) == buf then
      return buf
    end
  end
  vim.cmd("botright vsplit")
  vim.api.nvim_win_set_buf(0, buf)
  vim.wo.wrap = true
  vim.cmd("wincmd p")
  return buf
end

local function add_lines(buf, lines)
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, lines)
end

--- Appends text to the last line, splitting on newlines.
local function add_text(buf, text)
  local last = vim.api.nvim_buf_line_count(buf)
  local current = vim.api.nvim_buf_get_lines(buf, last - 1, last, false)[1] or ""
  local parts = vim.split(current .. text, "\n", { plain = true })
  vim.api.nvim_buf_set_lines(buf, last - 1, last, false, parts)
end

function M.user(id, text)
  local buf = buf_for(id)
  add_lines(buf, { "## You", "" })
  add_lines(buf, vim.split(text, "\n", { plain = true }))
  add_lines(buf, { "", "## OpenCode", "" })
end

function M.append(id, u)
  local buf = buf_for(id)
  if u.kind == "message_chunk" then
    add_text(buf, u.text)
  elseif u.kind == "thought_chunk" then
    return
  elseif u.kind == "tool_call" then
    add_lines(buf, { "", "- ⚙ " .. u.title .. " …" })
    tools[u.id] = vim.api.nvim_buf_line_count(buf)
  elseif u.kind == "tool_result" then
    local line = tools[u.id]
    if line then
      local text = vim.api.nvim_buf_get_lines(buf, line - 1, line, false)[1] or ""
      local mark = u.status == "completed" and "✓" or "✗"
      vim.api.nvim_buf_set_lines(buf, line - 1, line, false, { (text:gsub("⚙", mark):gsub(" …$", "")) })
    end
    add_lines(buf, { "" })
  elseif u.kind == "edit" then
    local n = #(u.edits or {})
    add_lines(buf, { "  ```diff", "  ~ " .. vim.uri_to_fname(u.uri) .. " (" .. n .. " change" .. (n == 1 and "" or "s") .. ")", "  ```" })
  elseif u.kind == "plan" then
    for _, e in ipairs(u.entries or {}) do
      add_lines(buf, { string.format("  - [%s] %s", e.status == "completed" and "x" or " ", e.content) })
    end
  end
end

function M.done(id, note)
  local buf = buf_for(id)
  if note then
    add_lines(buf, { "", "_" .. note .. "_" })
  end
  add_lines(buf, { "" })
end

return M
