-- nat_router.lua: a NAT router with port forwards.
--
-- LAN (eth1, 192.168.1.0/24) is masqueraded out of the WAN (eth0); the
-- WAN may reach SSH on the router and two forwarded services on LAN
-- hosts; LAN hosts may use the forwards through the public address too
-- (hairpin). Interface names are matched by name, so the rules load even
-- where the interfaces do not exist yet. Prints the ruleset it pushed.
--
-- Run:  nfsh scripts/examples/nat_router.lua [WAN_IF LAN_IF]
--       nfsh --netns new scripts/examples/nat_router.lua
local router = require "router"

local wan, lan = arg[1] or "eth0", arg[2] or "eth1"
local rs = router.build({
  wan = wan, lan = { lan }, lan_net = "192.168.1.0/24",
  services = { "ssh" },
  forwards = {
    { proto = "tcp", port = 8080, to = "192.168.1.10", to_port = 80 },
    { proto = "udp", port = 51820, to = "192.168.1.20" },
  },
  hairpin = true,
  persist = true,
})
assert(nft.push(rs))
print(nft.pull("inet", "nfsh_router"))
