-- portfwd: port forwards (DNAT) with the matching forward accept and an
-- optional hairpin (LAN hosts reaching the forward through the router's
-- public address).
--
--   local portfwd = require "portfwd"
--   local pf = portfwd.chains(t)   -- ensures chains dstnat (nat prerouting), forward (filter forward),
--                                  -- srcnat (nat postrouting) in table value t; returns them
--   portfwd.add(t, { proto = "tcp", port = 8080, to = "192.168.1.10", to_port = 80,
--                    iif = "eth0", hairpin = "192.168.1.0/24" })
--
-- Options of add: proto ("tcp" or "udp", default "tcp"), port (the
-- outside port, or a "lo-hi" range), to (the inner address, required),
-- to_port (default: port), iif (only packets arriving on this interface
-- name), daddr (only packets to this outside address), hairpin (the LAN
-- prefix whose hosts are masqueraded when they use the forward), tag.
-- The forward chain's policy is left as it is: the rule added there
-- accepts exactly the forwarded connection (ct status dnat).
-- chains(t, names) may rename the chains: { dstnat =, forward =, srcnat = }.
local M = {}

local defaults = { dstnat = "dstnat", forward = "forward", srcnat = "srcnat" }

--- chains(t, [names]) returns { dstnat =, forward =, srcnat = } chain values,
--- creating the base chains that do not exist yet.
function M.chains(t, names)
  names = names or defaults
  local function get(n, opts)
    return t:get_chain(n) or t:chain(n, opts)
  end
  return {
    dstnat = get(names.dstnat or "dstnat", { type = "nat", hook = "prerouting", priority = "dstnat" }),
    forward = get(names.forward or "forward", { type = "filter", hook = "forward", priority = "filter" }),
    srcnat = get(names.srcnat or "srcnat", { type = "nat", hook = "postrouting", priority = "srcnat" }),
  }
end

local function ipfam(addr)
  if tostring(addr):find(":", 1, true) then return "ip6" end
  return "ip"
end

--- add(t, opts) adds one port forward to table value t; returns the chains.
function M.add(t, opts, names)
  assert(type(opts) == "table", "portfwd.add: options table expected")
  local proto = opts.proto or "tcp"
  assert(proto == "tcp" or proto == "udp", "portfwd: proto must be tcp or udp")
  assert(opts.port, "portfwd: port is required")
  assert(opts.to, "portfwd: to (inner address) is required")
  local ch = M.chains(t, names)
  local fam = ipfam(opts.to)
  local to_port = opts.to_port or opts.port
  local vars = { port = opts.port, to = opts.to, to_port = to_port, iif = opts.iif, daddr = opts.daddr }
  local match = ""
  if opts.iif then match = match .. "iifname $iif " end
  if opts.daddr then match = match .. fam .. " daddr $daddr " end
  local to = "$to:$to_port"
  if t.family == "inet" then
    ch.dstnat:rule(match .. proto .. " dport $port dnat " .. fam .. " to " .. to, vars)
  else
    ch.dstnat:rule(match .. proto .. " dport $port dnat to " .. to, vars)
  end
  ch.forward:rule(fam .. " daddr $to " .. proto .. " dport $to_port ct status dnat accept",
    { to = opts.to, to_port = to_port, tag = opts.tag })
  if opts.hairpin then
    ch.srcnat:rule(fam .. " saddr $lan " .. fam .. " daddr $to " .. proto .. " dport $to_port ct status dnat masquerade",
      { lan = opts.hairpin, to = opts.to, to_port = to_port })
  end
  return ch
end

return M
