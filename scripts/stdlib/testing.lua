-- testing: small assertion helpers for nfsh test scripts.
--
--   local T = require "testing"
--   T.eq(got, want, [msg])        values equal (tables compared deeply)
--   T.ne(got, other, [msg])
--   T.truthy(v, [msg])
--   T.raises(fn, [pattern])       fn raises; returns the message (checked against a Lua pattern)
--   T.match(s, pattern, [msg])    string s matches the Lua pattern
--
-- Failures raise an error at the caller's line, so the report names the
-- line of the failing check. tests/lua runs files of `test_*` functions
-- using these helpers.
local M = {}

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) == "table" and not getmetatable(v) then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = show(x) end
    local keys = {}
    for k in pairs(v) do
      if type(k) ~= "number" or k < 1 or k > #v or k % 1 ~= 0 then keys[#keys + 1] = k end
    end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    for _, k in ipairs(keys) do parts[#parts + 1] = tostring(k) .. " = " .. show(v[k]) end
    return "{ " .. table.concat(parts, ", ") .. " }"
  end
  return tostring(v)
end
M.show = show

local function deep_eq(a, b, depth)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" or depth > 20 then return false end
  if getmetatable(a) or getmetatable(b) then return false end
  for k, v in pairs(a) do
    if not deep_eq(v, b[k], depth + 1) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end

local function fail(msg, extra)
  if msg then extra = msg .. ": " .. extra end
  error(extra, 4)
end

function M.eq(got, want, msg)
  if not deep_eq(got, want, 0) then
    fail(msg, "got " .. show(got) .. ", want " .. show(want))
  end
end

function M.ne(got, other, msg)
  if deep_eq(got, other, 0) then
    fail(msg, "got " .. show(got) .. ", want something else")
  end
end

function M.truthy(v, msg)
  if not v then fail(msg, "got " .. show(v) .. ", want a true value") end
end

function M.match(s, pattern, msg)
  if type(s) ~= "string" or not s:match(pattern) then
    fail(msg, show(s) .. " does not match " .. show(pattern))
  end
end

function M.raises(fn, pattern)
  local ok, err = pcall(fn)
  if ok then fail(nil, "no error raised") end
  err = tostring(err)
  if pattern and not err:match(pattern) then
    fail(nil, "error " .. show(err) .. " does not match " .. show(pattern))
  end
  return err
end

return M
