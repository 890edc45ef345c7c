-- banlist: ban lists as sets of addresses with a timeout, and the rules
-- that drop their traffic.
--
--   local banlist = require "banlist"
--   -- in a ruleset value:
--   local bl = banlist.declare(t, { name = "banned", timeout = "1h" })   -- sets banned (ipv4) and banned6 (ipv6)
--   banlist.rules(chain, bl)          -- ip saddr @banned drop; ip6 saddr @banned6 drop (with counters)
--   -- live, against the kernel (the table must exist there):
--   banlist.ban("inet", "filter", "198.51.100.7")       -- picks banned or banned6 by the address
--   banlist.unban("inet", "filter", "198.51.100.7")
--   banlist.list("inet", "filter")                      -- { "198.51.100.7", ... } (pulled)
--
-- Options of declare: name (default "banned"; the ipv6 set gets "6"
-- appended), timeout (default "1h"; each banned address expires after it),
-- size, elements (initial addresses), ipv6 (default true). Addresses
-- are single addresses (the sets have the timeout flag, not interval).
local M = {}

local function v6(addr) return tostring(addr):find(":", 1, true) ~= nil end

--- declare(t, opts) adds the ban sets to table value t and returns a
--- description { name =, name6 =, family = } for rules/ban.
function M.declare(t, opts)
  opts = opts or {}
  local name = opts.name or "banned"
  local timeout = opts.timeout or "1h"
  local v4e, v6e = {}, {}
  for _, a in ipairs(opts.elements or {}) do
    if v6(a) then v6e[#v6e + 1] = a else v4e[#v4e + 1] = a end
  end
  local function decl(n, typ, elems)
    local o = { type = typ, flags = { "timeout" }, timeout = timeout, size = opts.size }
    if #elems > 0 then o.elements = elems end
    t:set(n, o)
  end
  decl(name, "ipv4_addr", v4e)
  local bl = { name = name, family = t.family, table = t.name }
  if opts.ipv6 ~= false and (t.family == "inet" or t.family == "ip6") then
    decl(name .. "6", "ipv6_addr", v6e)
    bl.name6 = name .. "6"
  end
  if t.family == "ip6" then bl.name = nil end
  return bl
end

--- rules(chain, bl, [verdict]) appends the drop rules for the sets of bl.
function M.rules(chain, bl, verdict)
  verdict = verdict or "drop"
  assert(verdict == "drop" or verdict == "reject", "banlist: verdict must be drop or reject")
  if bl.name and bl.family ~= "ip6" then
    chain:rule("ip saddr @" .. bl.name .. " counter " .. verdict, { tag = "ban:" .. bl.name })
  end
  if bl.name6 then
    chain:rule("ip6 saddr @" .. bl.name6 .. " counter " .. verdict, { tag = "ban:" .. bl.name6 })
  end
  return chain
end

local function setname(addr, name)
  name = name or "banned"
  if v6(addr) then return name .. "6" end
  return name
end

--- ban(family, table, addr(s), [name]) adds addresses to the live sets.
--- Returns true or nil, err.
function M.ban(family, tbl, addrs, name)
  if type(addrs) ~= "table" then addrs = { addrs } end
  for _, a in ipairs(addrs) do
    local ok, err = nft.add_element(family, tbl, setname(a, name), a)
    if not ok then return nil, err end
  end
  return true
end

--- unban(family, table, addr(s), [name]) removes addresses from the live sets.
function M.unban(family, tbl, addrs, name)
  if type(addrs) ~= "table" then addrs = { addrs } end
  for _, a in ipairs(addrs) do
    local ok, err = nft.delete_element(family, tbl, setname(a, name), a)
    if not ok then return nil, err end
  end
  return true
end

--- list(family, table, [name]) returns the banned addresses as printed by
--- nft (pulled from the kernel), or nil, err.
function M.list(family, tbl, name)
  local rs, err = nft.pull(family, tbl)
  if not rs then return nil, err end
  local t = rs:get_table(family, tbl)
  local out = {}
  for _, n in ipairs({ name or "banned", (name or "banned") .. "6" }) do
    local s = t and t:get_set(n)
    if s then
      local body = tostring(s):match("elements = {(.-)}")
      for e in (body or ""):gmatch("[^,%s]+") do
        if e ~= "expires" and e ~= "timeout" and not e:match("^%d+[smhd]") then out[#out + 1] = e end
      end
    end
  end
  return out
end

return M
