-- Structured rule builders, typed interpolation, diff, reconcile, live
-- set elements and table creation (in this file's fresh netns).
local T = require "testing"

local function chain(fam)
  local rs = nft.ruleset()
  return rs, rs:table(fam or "inet", "b"):chain("c")
end

local function one_rule(c)
  return tostring(c:rules()[1])
end

function test_builder_equals_text()
  local rs1, c1 = chain()
  c1:add{ iifname = "eth0", saddr = "10.0.0.0/8", proto = "tcp", dport = { 22, 443 }, counter = true, verdict = "accept" }
  local rs2, c2 = chain()
  c2:rule('iifname "eth0" ip saddr 10.0.0.0/8 tcp dport { 22, 443 } counter accept')
  T.truthy(rs1 == rs2, "builder and text differ: " .. tostring(rs1) .. " vs " .. tostring(rs2))
end

function test_builder_rule_text()
  local text, vars = nft.rule_text{ proto = "udp", dport = 53, verdict = "accept" }
  T.eq(text, "udp dport $dport accept")
  T.eq(vars.dport, 53)
end

function test_builder_multi_proto_uses_th()
  local _, c = chain()
  c:add{ proto = { "tcp", "udp" }, dport = 53, verdict = "accept" }
  T.eq(one_rule(c), "meta l4proto { tcp, udp } th dport 53 accept")
end

function test_builder_ipv6_detected()
  local _, c = chain()
  c:add{ saddr = "2001:db8::/32", verdict = "drop" }
  T.eq(one_rule(c), "ip6 saddr 2001:db8::/32 drop")
end

function test_builder_rejects_unknown_key()
  local _, c = chain()
  T.raises(function() c:add{ prot = "tcp" } end, "unknown rule key prot")
end

function test_builder_rejects_injection_in_verdict()
  local _, c = chain()
  T.raises(function() c:add{ verdict = "accept; flush ruleset" } end, "verdict")
end

function test_builder_dport_needs_proto()
  local _, c = chain()
  T.raises(function() c:add{ dport = 22 } end, "needs proto")
end

function test_builder_log_and_limit()
  local _, c = chain()
  c:add{ limit = "3/second", log = { prefix = "x: ", level = "info" } }
  T.eq(one_rule(c), 'limit rate 3/second log prefix "x: " level info')
end

function test_interpolate_list_becomes_set()
  local _, c = chain()
  c:rule("tcp dport $p accept", { p = { 80, 443, 8080 } })
  T.eq(one_rule(c), "tcp dport { 80, 443, 8080 } accept")
end

function test_interpolate_cidr()
  local _, c = chain()
  c:rule("ip daddr $n drop", { n = "192.0.2.0/24" })
  T.eq(one_rule(c), "ip daddr 192.0.2.0/24 drop")
end

function test_interpolate_port_range()
  local _, c = chain()
  c:rule("udp dport $r accept", { r = "6000-6010" })
  T.eq(one_rule(c), "udp dport 6000-6010 accept")
end

function test_interpolate_address_range()
  local _, c = chain()
  c:rule("ip saddr $r accept", { r = "10.0.0.1-10.0.0.9" })
  T.eq(one_rule(c), "ip saddr 10.0.0.1-10.0.0.9 accept")
end

function test_interpolate_interface_names()
  local _, c = chain()
  c:rule("iifname $i oifname $o accept", { i = "eth0", o = { "wg0", "wg1" } })
  T.eq(one_rule(c), 'iifname "eth0" oifname { "wg0", "wg1" } accept')
end

function test_interpolate_mark()
  local _, c = chain()
  c:rule("meta mark $m meta mark set $n", { m = 255, n = 1 })
  T.eq(one_rule(c), "meta mark 0x000000ff meta mark set 0x00000001")
end

function test_interpolate_injection_is_type_error()
  local _, c = chain()
  local msg = T.raises(function() c:rule("tcp dport $port accept", { port = "22; flush ruleset" }) end, "port")
  T.match(msg, "builder_test.lua:%d+")
end

function test_interpolate_wrong_type_names_variable()
  local _, c = chain()
  T.raises(function() c:rule("ip saddr $who accept", { who = 12.5 }) end, "who")
end

function test_diff_prints_commands()
  local a = nft.ruleset()
  a:table("inet", "d"):chain("c"):rule("tcp dport 22 accept")
  local b = a:copy()
  b:get_table("inet", "d"):get_chain("c"):rule("tcp dport 80 accept")
  local p = nft.diff(a, b)
  T.eq(p.count, 1)
  T.eq(#p, 1)
  T.match(tostring(p), "^add rule inet d c .*tcp dport 80 accept")
  T.truthy(nft.diff(a, a:copy()).empty)
end

function test_reconcile_push_and_kernel_diff()
  local rs = nft.ruleset()
  local c = rs:table("inet", "rec"):chain("input", { hook = "input" })
  c:rule("tcp dport 22 accept", { tag = "ssh" })
  assert(nft.push(rs))
  c:rule("tcp dport 443 accept", { tag = "https" })
  T.eq(nft.diff(nil, rs).count, 1)
  assert(nft.push(rs, { mode = "reconcile" }))
  T.truthy(nft.diff(nil, rs).empty)
  T.match(tostring(nft.pull("inet", "rec")), "tcp dport 443 accept")
end

function test_check_push_does_not_commit()
  local rs = nft.ruleset()
  rs:table("inet", "checked"):chain("c"):rule("accept")
  assert(nft.push(rs, { check = true }))
  T.eq(nft.pull("inet", "checked"), nil)
end

function test_create_table_live()
  assert(nft.create_table("ip", "made", { comment = "hello" }))
  T.match(tostring(nft.pull("ip", "made")), 'comment "hello"')
  assert(nft.delete_table("ip", "made"))
  T.eq(nft.pull("ip", "made"), nil)
end

function test_live_set_elements()
  local rs = nft.ruleset()
  rs:table("inet", "live"):set("s", { type = "ipv4_addr" })
  assert(nft.push(rs))
  assert(nft.add_element("inet", "live", "s", { "192.0.2.1", "192.0.2.2" }))
  assert(nft.delete_element("inet", "live", "s", "192.0.2.1"))
  local s = nft.pull("inet", "live"):get_table("inet", "live"):get_set("s")
  T.eq(s.count, 1)
  local ok, err = nft.add_element("inet", "live", "nope", "192.0.2.3")
  T.eq(ok, nil)
  T.match(err, "does not exist")
end

function test_pulled_set_edit_and_push()
  local pulled = nft.pull("inet", "live")
  pulled:get_table("inet", "live"):get_set("s"):add("192.0.2.9"):delete("192.0.2.2")
  assert(nft.push(pulled, { mode = "reconcile" }))
  T.match(tostring(nft.pull("inet", "live")), "192.0.2.9")
end

function test_supported_features()
  local f = nft.supported()
  T.truthy(f.owner)
  T.truthy(f.reconcile)
end

function test_named_objects()
  local rs = nft.ruleset()
  rs:table("inet", "o"):object("counter", "hits"):object("quota", "q", "over 1 mbytes")
  T.match(tostring(rs), "counter hits")
  T.raises(function() rs:get_table("inet", "o"):object("bogus", "x") end, "unknown object kind")
end
