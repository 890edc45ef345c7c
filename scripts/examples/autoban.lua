-- autoban.lua: ban addresses that open too many new connections to a port.
--
--   nfsh scripts/examples/autoban.lua [PORT] [HITS] [WINDOW_S] [BAN_S] [GROUP]
--   nfsh scripts/examples/autoban.lua 22 5 60 600       (the defaults)
--
-- Installs the session-owned table `inet autoban` (see stdlib/autoban.lua):
-- a rule logs every new TCP connection to PORT, rate limited, to NFLOG
-- GROUP with the prefix "nfsh:autoban: "; this script counts the logged
-- connection attempts per source address, and after HITS of them within
-- WINDOW_S seconds adds the address to the timeout set banned4 (or banned6)
-- for BAN_S seconds. The drop rule in front of the log rule then drops the
-- address's next attempt. Watch it with `nft list set inet autoban banned4`.
-- The table vanishes when the script ends (Ctrl-C).
local autoban = require "autoban"

local port = tonumber(arg[1]) or 22
local hits = tonumber(arg[2]) or 5
local window = tonumber(arg[3]) or 60
local ban = tonumber(arg[4]) or 600
local group = tonumber(arg[5]) or 4242

local ab = autoban.start {
  port = port, hits = hits, window = window, ban = ban, group = group, rate = "50/second",
  on_hit = function(addr, count)
    print(string.format("autoban: %s new connection %d/%d", addr, count, hits))
  end,
}
print(string.format("autoban: watching tcp port %d (ban after %d new connections in %ds, for %ds; nflog group %d)",
  port, hits, window, ban, group))
