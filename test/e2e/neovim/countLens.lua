-- Drives Neovim's built-in LSP client against `malloclens lsp`, as a person would with the
-- README's configuration: open a Go file, list the code lenses, run the one on a line
-- (vim.lsp.codelens.run, i.e. workspace/executeCommand), wait for the lens to carry the count,
-- then hover the line. Everything seen goes as JSON to $MALLOCLENS_NVIM_OUT; Neovim then quits.
-- Neovim 0.7 (Debian bookworm): vim.lsp.start_client + buf_attach_client (vim.lsp.start is 0.8+).
local env = vim.env
local out = { notifications = {} }

local function write_out()
  local f = assert(io.open(env.MALLOCLENS_NVIM_OUT, 'w'))
  f:write(vim.fn.json_encode(out))
  f:close()
end

-- Messages from the server (window/showMessage) arrive through vim.notify.
vim.notify = function(message, level)
  table.insert(out.notifications, { message = message, level = level })
end

local function lenses()
  local list = {}
  for _, lens in ipairs(vim.lsp.codelens.get(0)) do
    table.insert(list, { line = lens.range.start.line + 1, title = lens.command and lens.command.title or '' })
  end
  table.sort(list, function(a, b) return a.line < b.line end)
  return list
end

local function lens_at(line)
  for _, lens in ipairs(lenses()) do
    if lens.line == line then return lens end
  end
end

local ok, err = pcall(function()
  local line = tonumber(env.MALLOCLENS_NVIM_LINE)
  -- The README's configuration, with the CLI of this checkout for `npx malloclens`.
  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'go',
    callback = function(args)
      local client_id = vim.lsp.start_client({
        name = 'malloclens',
        cmd = { 'node', env.MALLOCLENS_CLI, 'lsp' },
        root_dir = vim.fn.fnamemodify(args.file, ':p:h'),
      })
      if client_id then vim.lsp.buf_attach_client(args.buf, client_id) end
    end,
  })
  local started = vim.loop.hrtime()
  vim.cmd('edit ' .. vim.fn.fnameescape(env.MALLOCLENS_NVIM_FILE))
  local id
  assert(vim.wait(30000, function()
    for _, c in pairs(vim.lsp.buf_get_clients(0)) do
      if c.name == 'malloclens' and c.initialized then id = c.id end
    end
    return id ~= nil
  end, 50), 'the server did not initialize')

  vim.lsp.codelens.refresh()
  assert(vim.wait(30000, function() return #vim.lsp.codelens.get(0) > 0 end, 50), 'no code lenses')
  out.lenses = lenses()

  vim.api.nvim_win_set_cursor(0, { line, 0 })
  local count_started = vim.loop.hrtime()
  vim.lsp.codelens.run()
  assert(vim.wait(240000, function()
    local lens = lens_at(line)
    return lens ~= nil and lens.title:find(' · ', 1, true) ~= nil
  end, 200), 'the lens never showed a count')
  out.count_seconds = (vim.loop.hrtime() - count_started) / 1e9
  out.counted_lens = lens_at(line)

  local params = vim.lsp.util.make_position_params()
  local hover = vim.lsp.buf_request_sync(0, 'textDocument/hover', params, 10000)
  out.hover = hover and hover[id] and hover[id].result and hover[id].result.contents.value

  -- Neovim 0.7 has no inlay hints of its own; the request is asked plainly.
  local client = vim.lsp.get_client_by_id(id)
  local hints = client.request_sync('textDocument/inlayHint', {
    textDocument = vim.lsp.util.make_text_document_params(),
    range = { start = { line = 0, character = 0 }, ['end'] = { line = vim.api.nvim_buf_line_count(0), character = 0 } },
  }, 10000, 0)
  out.inlay_hints = {}
  for _, h in ipairs(hints and hints.result or {}) do
    table.insert(out.inlay_hints, { line = h.position.line + 1, label = h.label })
  end

  vim.lsp.stop_client(id)
  assert(vim.wait(15000, function() return vim.lsp.get_client_by_id(id) == nil end, 50), 'the server did not stop')
  out.total_seconds = (vim.loop.hrtime() - started) / 1e9
end)

if not ok then out.error = tostring(err) end
write_out()
vim.cmd('qall!')
