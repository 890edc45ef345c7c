-- autoban: ban the source addresses of too many new connections.
--
--   local autoban = require "autoban"
--   local ab = autoban.start {
--     port = 22,          -- tcp port(s) to watch: a number or a list (default 22)
--     hits = 5,           -- ban after this many new connections ...
--     window = 60,        -- ... within this many seconds (default 60)
--     ban = 600,          -- seconds an address stays banned (set element timeout; default 600)
--     group = 4242,       -- NFLOG group of the logging rule (default 4242)
--     rate = "20/second", -- the log statement's rate limit (nil: no limit)
--     table = "autoban",  -- the inet table holding the sets and the chain (default "autoban")
--     tag = "autoban",    -- the rule tag; its log prefix is nft.log_prefix(tag) = "nfsh:autoban: "
--     on_ban = function(addr, hits) end,   -- called after an address was added
--     on_hit = function(addr, count, ev) end,
--     quiet = false,      -- true: do not print bans
--   }
--   ab:banned()   --> { ["10.0.0.2"] = time_banned, ... } (what this session banned)
--   ab:stats()    --> { hits = N, bans = N, errors = N, listener = <listener stats> }
--   ab:stop()     -- stop listening (the table stays while the session lives)
--
-- autoban.ruleset(opts) returns the nft text start pushes:
--
--   table inet autoban {
--     set banned4 { type ipv4_addr; flags timeout; timeout 600s; }
--     set banned6 { type ipv6_addr; flags timeout; timeout 600s; }
--     chain input {
--       type filter hook input priority filter - 10; policy accept;
--       ip saddr @banned4 drop
--       ip6 saddr @banned6 drop
--       tcp dport 22 ct state new limit rate 20/second log prefix "nfsh:autoban: " group 4242
--     }
--   }
--
-- The table is the session's (owner flag): it vanishes when nfsh exits.
-- Every logged SYN of a new connection to the port is one hit for its
-- source address; after `hits` hits within `window` seconds the address is
-- added to banned4/banned6 with the set's timeout, and the drop rule ahead
-- of the log rule stops its next attempt before it is logged again.
local M = {}

local function defaults(opts)
  opts = opts or {}
  local o = {}
  for k, v in pairs(opts) do o[k] = v end
  o.port = o.port or 22
  o.hits = o.hits or 5
  o.window = o.window or 60
  o.ban = o.ban or 600
  o.group = o.group or 4242
  o.table = o.table or "autoban"
  o.tag = o.tag or "autoban"
  if o.hits < 1 then error("autoban: hits must be >= 1", 3) end
  return o
end

local function ports(p)
  if type(p) == "number" then return tostring(p) end
  local s = {}
  for i, v in ipairs(p) do s[i] = tostring(v) end
  return "{ " .. table.concat(s, ", ") .. " }"
end

--- ruleset(opts) returns the nft text of the autoban table.
function M.ruleset(opts)
  local o = defaults(opts)
  local limit = o.rate and ("limit rate " .. o.rate .. " ") or ""
  return string.format([[
table inet %s {
  set banned4 { type ipv4_addr; flags timeout; timeout %ds; }
  set banned6 { type ipv6_addr; flags timeout; timeout %ds; }
  chain input {
    type filter hook input priority filter - 10; policy accept;
    ip saddr @banned4 drop
    ip6 saddr @banned6 drop
    tcp dport %s ct state new %slog prefix "%s" group %d
  }
}
]], o.table, o.ban, o.ban, ports(o.port), limit, nft.log_prefix(o.tag), o.group)
end

-- ban adds addr to the set of its family, in the kernel.
local function ban(o, rs, addr)
  local set = addr:find(":", 1, true) and "banned6" or "banned4"
  if nft.add_element then
    return nft.add_element("inet", o.table, set, { addr })
  end
  -- Without live element operations: change the value and reconcile.
  rs:table("inet", o.table):set(set):add(addr)
  return nft.push(rs, { mode = "reconcile" })
end

--- start(opts) installs the table and starts banning; see the top of the file.
function M.start(opts)
  local o = defaults(opts)
  local rs = nft.parse(M.ruleset(o))
  assert(nft.push(rs))
  local self = { hits = 0, bans = 0, errors = 0 }
  local seen = {}    -- addr -> list of hit times (seconds) within the window
  local banned = {}  -- addr -> time banned
  local listener, err = nft.log_listen({ group = o.group, copy = "packet", snaplen = 128, timeout = 10 }, function(ev)
    if ev.kind ~= "packet" or ev.tag ~= o.tag or not ev.saddr then return end
    local addr, now = ev.saddr, ev.time
    self.hits = self.hits + 1
    local list = seen[addr] or {}
    seen[addr] = list
    -- drop hits older than the window
    local keep = 1
    for i = 1, #list do
      if now - list[i] < o.window then list[keep] = list[i]; keep = keep + 1 end
    end
    for i = #list, keep, -1 do list[i] = nil end
    list[#list + 1] = now
    if o.on_hit then o.on_hit(addr, #list, ev) end
    if #list >= o.hits and not (banned[addr] and now - banned[addr] < o.ban) then
      local ok, berr = ban(o, rs, addr)
      if not ok then
        self.errors = self.errors + 1
        error("autoban: banning " .. addr .. ": " .. tostring(berr))
      end
      banned[addr] = now
      seen[addr] = nil
      self.bans = self.bans + 1
      if not o.quiet then print(string.format("autoban: banned %s for %ds after %d hits", addr, o.ban, #list)) end
      if o.on_ban then o.on_ban(addr, #list) end
    end
  end)
  if not listener then error("autoban: " .. tostring(err), 2) end
  -- forget idle addresses now and then, so the table does not grow without bound
  local sweeper = nfsh.every(o.window * 1000, function()
    local now = os.time()
    for addr, list in pairs(seen) do
      if #list == 0 or now - list[#list] >= o.window then seen[addr] = nil end
    end
    for addr, t in pairs(banned) do
      if now - t >= o.ban then banned[addr] = nil end
    end
  end)
  function self:banned() return banned end
  function self:stats()
    return { hits = self.hits, bans = self.bans, errors = self.errors, listener = listener:stats() }
  end
  function self:stop()
    listener:close()
    sweeper:cancel()
  end
  self.listener, self.ruleset, self.options = listener, rs, o
  return self
end

return M
