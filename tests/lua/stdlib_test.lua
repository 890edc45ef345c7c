-- The stdlib firewall modules: hostfw, router, zones, portfwd, banlist,
-- ratelog (values built and pushed in this file's fresh netns).
local T = require "testing"

function test_hostfw_build_and_push()
  local rs, t = (require "hostfw").build({ services = { "ssh" }, tcp = { 8080 }, udp = { 51820 } })
  local s = tostring(rs)
  T.match(s, "tcp dport { 22, 8080 } accept")
  T.match(s, "udp dport 51820 accept") -- a one-element set is its element, as in nft
  T.match(s, "policy drop")
  assert(nft.push(rs))
  T.truthy(nft.diff(nil, rs).empty)
end

function test_hostfw_ban_and_log()
  local rs = (require "hostfw").build({ ban = true, log = true, table = "h2" })
  local s = tostring(rs)
  T.match(s, "ip saddr @banned counter")
  T.match(s, "ip6 saddr @banned6 counter")
  T.match(s, 'limit rate 5/minute log prefix "nfsh host drop: "')
end

function test_router_forward_and_hairpin()
  local rs = (require "router").build({ wan = "wan0", lan = "lan0", lan_net = "192.168.7.0/24",
    forwards = { { port = 8080, to = "192.168.7.10", to_port = 80 } }, hairpin = true })
  local s = tostring(rs)
  T.match(s, "tcp dport 8080 dnat ip to 192.168.7.10:80")
  T.match(s, "ip daddr 192.168.7.10 tcp dport 80 ct status dnat accept")
  T.match(s, "ip saddr 192.168.7.0/24 ip daddr 192.168.7.10 tcp dport 80 ct status dnat masquerade")
  T.match(s, 'oifname "wan0" masquerade')
  assert(nft.push(rs))
end

function test_zones_unknown_forward_zone()
  T.raises(function()
    (require "zones").build({ a = { interfaces = { "x0" }, forward = { "nowhere" } } })
  end, "unknown zone nowhere")
end

function test_zones_services_per_zone()
  local rs = (require "zones").build({
    dmz = { interfaces = { "dmz0" }, services = { "http", "https" } },
  }, { table = "z" })
  T.match(tostring(rs), "chain dmz_input")
  T.match(tostring(rs), "tcp dport { 80, 443 } accept")
end

function test_portfwd_ip_family_table()
  local rs = nft.ruleset()
  local t = rs:table("ip", "pf")
  ;(require "portfwd").add(t, { proto = "udp", port = 5000, to = "10.0.0.5", iif = "eth0" })
  T.match(tostring(rs), 'iifname "eth0" udp dport 5000 dnat to 10.0.0.5:5000')
end

function test_banlist_live_ban_unban()
  local banlist = require "banlist"
  local rs = nft.ruleset()
  local t = rs:table("inet", "bans")
  banlist.rules(t:chain("input", { hook = "input" }), banlist.declare(t, { timeout = "10m" }))
  assert(nft.push(rs))
  assert(banlist.ban("inet", "bans", { "198.51.100.1", "2001:db8::9" }))
  T.eq(banlist.list("inet", "bans"), { "198.51.100.1", "2001:db8::9" })
  assert(banlist.unban("inet", "bans", "198.51.100.1"))
  T.eq(banlist.list("inet", "bans"), { "2001:db8::9" })
end

function test_ratelog_text()
  local ratelog = require "ratelog"
  T.eq(ratelog.text({ prefix = "p: ", rate = "2/second", group = 3, match = "tcp dport 22" }),
    'tcp dport 22 limit rate 2/second log prefix "p: " group 3')
  T.raises(function() ratelog.text({ prefix = 'a"b' }) end, "quotes")
end
