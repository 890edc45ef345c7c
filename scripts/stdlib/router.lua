-- router: a default NAT router. LAN hosts reach the WAN (masqueraded),
-- the WAN reaches nothing but the port forwards and the services you
-- open on the router; the router itself is reachable from the LAN.
--
--   local router = require "router"
--   local rs = router.build({
--     wan = "eth0", lan = { "eth1" }, lan_net = "192.168.1.0/24",
--     services = { "ssh" },                 -- open on the WAN side too (LAN may use everything)
--     forwards = { { proto = "tcp", port = 8080, to = "192.168.1.10", to_port = 80 } },
--     hairpin = true,                       -- LAN hosts may use the forwards via the WAN address
--   })
--   nft.push(rs)
--
-- Options: wan (interface name, required), lan (name or list, required),
-- lan_net (LAN prefix, needed for hairpin), services (opened on the WAN),
-- forwards (portfwd options without iif/hairpin), hairpin, masquerade
-- (default true), log (rate-limited log of dropped WAN input), table
-- (default "nfsh_router"), family (default "inet"), persist, into.
-- Chains: input, forward (policy drop), dstnat, srcnat.
local zones = require "zones"
local portfwd = require "portfwd"

local M = {}

--- build(opts) returns the ruleset value and its table.
function M.build(opts)
  assert(type(opts) == "table" and opts.wan and opts.lan, "router.build: wan and lan are required")
  local lan = type(opts.lan) == "table" and opts.lan or { opts.lan }
  local rs, t = zones.build({
    lan = { interfaces = lan, input = "accept", forward = { "wan" } },
    wan = { interfaces = { opts.wan }, input = "drop", services = opts.services,
            masquerade = opts.masquerade ~= false, log = opts.log },
  }, { table = opts.table or "nfsh_router", family = opts.family, persist = opts.persist, into = opts.into })
  -- zones.build names the nat chain postrouting; the port forwards share it.
  local names = { dstnat = "dstnat", forward = "forward", srcnat = "postrouting" }
  for _, f in ipairs(opts.forwards or {}) do
    local o = {}
    for k, v in pairs(f) do o[k] = v end
    o.iif = o.iif or opts.wan
    if opts.hairpin then
      assert(opts.lan_net, "router: hairpin needs lan_net")
      o.iif = nil
      o.hairpin = opts.lan_net
    end
    portfwd.add(t, o, names)
  end
  return rs, t
end

return M
