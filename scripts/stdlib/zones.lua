-- zones: firewalld-style zones. Interfaces belong to zones; each zone has
-- an input policy, the services it may reach on this host, the zones it
-- may forward to, and whether traffic leaving through it is masqueraded.
--
--   local zones = require "zones"
--   local rs = zones.build({
--     lan = { interfaces = { "eth1" }, input = "accept", forward = { "wan" } },
--     wan = { interfaces = { "eth0" }, input = "drop", services = { "ssh" }, masquerade = true },
--   }, { table = "nfsh_zones" })
--   nft.push(rs)
--
-- Zone options: interfaces (names, required), input ("accept", "drop"
-- or "reject"; default "drop"), services (names known to the services
-- module, or port numbers as { tcp = {...}, udp = {...} }), icmp (accept
-- ping; default true), forward (list of zone names this zone may send
-- to), masquerade (SNAT to the outgoing address), log (rate-limited log
-- of what the zone's input policy drops).
-- Build options: table (default "nfsh_zones"), family (default "inet"),
-- persist, into (an existing ruleset value to add to).
-- The result has base chains input and forward (policy drop), postrouting
-- (when a zone masquerades), and per zone NAME_input and NAME_forward.
local services = require "services"
local ratelog = require "ratelog"

local M = {}

local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks)
  return ks
end

local function ports(list, proto)
  local names, nums = {}, {}
  for _, s in ipairs(list or {}) do
    if type(s) == "number" then nums[#nums + 1] = s else names[#names + 1] = s end
  end
  local out = services.ports(names, proto)
  if proto == "tcp" then
    for _, n in ipairs(nums) do out[#out + 1] = n end
  end
  table.sort(out)
  return out
end

--- build(zones, [opts]) returns a ruleset value implementing the zones.
function M.build(zs, opts)
  opts = opts or {}
  local rs = opts.into or nft.ruleset()
  local t = rs:table(opts.family or "inet", opts.table or "nfsh_zones", { persist = opts.persist })
  local input = t:chain("input", { type = "filter", hook = "input", priority = "filter", policy = "drop" })
  local forward = t:chain("forward", { type = "filter", hook = "forward", priority = "filter", policy = "drop" })
  input:rule("ct state established,related accept")
  input:rule("ct state invalid drop")
  input:rule("iif lo accept")
  forward:rule("ct state established,related accept")
  forward:rule("ct state invalid drop")
  local masq = {}
  for _, name in ipairs(sorted_keys(zs)) do
    local z = zs[name]
    assert(type(z.interfaces) == "table" and #z.interfaces > 0, "zone " .. name .. ": interfaces required")
    local policy = z.input or "drop"
    assert(policy == "accept" or policy == "drop" or policy == "reject", "zone " .. name .. ": bad input policy")
    local zi = t:chain(name .. "_input")
    if z.icmp ~= false then
      zi:rule("meta l4proto { icmp, ipv6-icmp } accept")
    end
    local tcp, udp = ports(z.services, "tcp"), ports(z.services, "udp")
    if #tcp > 0 then zi:rule("tcp dport $p accept", { p = tcp }) end
    if #udp > 0 then zi:rule("udp dport $p accept", { p = udp }) end
    if z.log and policy ~= "accept" then
      ratelog.add(zi, { prefix = "zone " .. name .. " " .. policy .. ": " })
    end
    zi:rule(policy)
    input:rule("iifname $ifs jump " .. name .. "_input", { ifs = z.interfaces })
    local zf = t:chain(name .. "_forward")
    for _, other in ipairs(z.forward or {}) do
      assert(zs[other], "zone " .. name .. ": forward to unknown zone " .. other)
      zf:rule("oifname $ifs accept", { ifs = zs[other].interfaces })
    end
    forward:rule("iifname $ifs jump " .. name .. "_forward", { ifs = z.interfaces })
    if z.masquerade then
      for _, i in ipairs(z.interfaces) do masq[#masq + 1] = i end
    end
  end
  if #masq > 0 then
    t:chain("postrouting", { type = "nat", hook = "postrouting", priority = "srcnat" })
      :rule("oifname $ifs masquerade", { ifs = masq })
  end
  return rs, t
end

return M
