-- The nft module: chainable DSL, text blocks, typed $variables, values
-- printing as nft text, push and pull (in this file's fresh netns).
local T = require "testing"

local function host_firewall(tagged)
  local rs = nft.ruleset()
  local t = rs:table("inet", "filter")
  t:chain("input", { type = "filter", hook = "input", priority = "filter", policy = "drop" })
    :rule("ct state established,related accept")
    :rule("iif lo accept")
    :rule("tcp dport $ports accept", { tag = tagged and "svc" or nil, ports = { 22, 443 } })
  return rs
end

local host_text = [[
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		iif "lo" accept
		tcp dport { 22, 443 } accept
	}
}]]

function test_dsl_prints_as_nft_text()
  T.eq(tostring(host_firewall()), host_text)
end

function test_dsl_equals_text_block()
  local from_text = nft [[
    table inet filter {
      chain input {
        type filter hook input priority filter; policy drop;
        ct state established,related accept
        iif lo accept
        tcp dport $ports accept
      }
    }
  ]] { ports = { 22, 443 } }
  T.truthy(host_firewall() == from_text, "DSL value equals the text value")
  T.eq(tostring(from_text), host_text)
end

function test_parse_function_form()
  local rs = nft.parse("table ip t { chain c { ip saddr $net drop; } }", { net = "10.0.0.0/8" })
  T.match(tostring(rs), "ip saddr 10%.0%.0%.0/8 drop")
end

function test_values_differ()
  local a, b = host_firewall(), host_firewall()
  T.truthy(a == b)
  b:get_table("inet", "filter"):get_chain("input"):rule("udp dport 53 accept")
  T.truthy(a ~= b)
end

function test_interpolation_injection_is_a_type_error()
  local err = T.raises(function()
    nft.ruleset():table("inet", "f"):chain("c"):rule("tcp dport $port accept", { port = "22; flush ruleset" })
  end)
  T.match(err, "port")
  T.match(err, "nft_test%.lua:%d+:")
end

function test_interpolation_kinds()
  local c = nft.ruleset():table("inet", "f"):chain("c")
  c:rule("ip saddr $net accept", { net = "192.0.2.0/24" })
  c:rule("tcp dport $r accept", { r = "1000-2000" })
  c:rule("iifname $ifs accept", { ifs = { "eth0" } })
  c:rule("meta mark $m accept", { m = 42 })
  local want = {
    "ip saddr 192.0.2.0/24 accept",
    "tcp dport 1000-2000 accept",
    'iifname "eth0" accept', -- a one-element set is its element, as nft evaluates it
    "meta mark 0x0000002a accept",
  }
  for i, r in ipairs(c:rules()) do T.eq(tostring(r), want[i]) end
end

function test_rule_tags_and_lookup()
  local c = host_firewall(true):get_table("inet", "filter"):get_chain("input")
  local r = c:get_rule("svc")
  T.eq(r.tag, "svc")
  T.eq(tostring(r), "tcp dport { 22, 443 } accept")
  T.eq(c:get_rule("nope"), nil)
  T.raises(function() c:rule("drop", { tag = "svc" }) end, "already has a rule tagged")
  r:delete()
  T.eq(#c:rules(), 2)
end

function test_insert_and_flush()
  local c = nft.ruleset():table("ip", "t"):chain("c")
  c:rule("accept"):insert("drop")
  T.eq(tostring(c:rules()[1]), "drop")
  c:flush()
  T.eq(#c:rules(), 0)
end

function test_rule_comment_option()
  local c = nft.ruleset():table("ip", "t"):chain("c")
  c:rule("tcp dport 22 accept", { comment = "ssh" })
  T.eq(c:rules()[1].comment, "ssh")
  T.eq(tostring(c:rules()[1]), 'tcp dport 22 accept comment "ssh"')
end

function test_named_set_and_elements()
  local rs = nft.ruleset()
  local t = rs:table("inet", "filter")
  local s = t:set("blocklist", { type = "ipv4_addr", flags = { "interval" }, elements = { "198.51.100.0/24" } })
  T.eq(s.count, 1)
  T.match(tostring(s), "elements = { 198%.51%.100%.0/24 }")
  local ban = t:set("ban", { type = "ipv4_addr", timeout = "1h" })
  ban:add({ "203.0.113.7", "203.0.113.8" })
  T.eq(ban.count, 2)
  ban:remove("203.0.113.7")
  T.eq(ban.count, 1)
  t:chain("input"):rule("ip saddr @blocklist drop"):rule("ip saddr @ban drop")
  T.eq(#t:chain("input"):rules(), 2)
end

function test_verdict_map()
  local t = nft.ruleset():table("inet", "f")
  t:chain("ssh_in")
  local m = t:map("ports", { type = "inet_service", data = "verdict", elements = { [22] = "jump ssh_in" } })
  T.truthy(m.map)
end

function test_table_fields_and_options()
  local rs = nft.ruleset()
  local t = rs:table("ip6", "keep", { persist = true, comment = "kept" })
  T.eq(t.family, "ip6")
  T.eq(t.name, "keep")
  T.eq(t.persist, true)
  T.eq(t.comment, "kept")
  T.eq(#rs:tables(), 1)
  rs:delete_table("ip6", "keep")
  T.eq(#rs:tables(), 0)
  T.raises(function() return t:chains() end, "deleted")
end

function test_misuse_errors()
  local rs = nft.ruleset()
  T.raises(function() rs:table("inte", "x") end, "unknown family 'inte'")
  T.raises(function() rs:table("inet", "x", { persistent = true }) end, "unknown option persistent")
  T.raises(function() rs:table("inet", "x"):chain("c", { type = "filter" }) end, "needs a hook")
  T.raises(function() rs:table("inet", "x"):chain("c"):rule("tcp dport accept") end, "nft_test%.lua:%d+:")
  T.raises(function() rs:nosuch() end, "no field or method 'nosuch'")
end

function test_copy_is_independent()
  local a = host_firewall()
  local b = a:copy()
  T.truthy(a == b)
  b:table("inet", "filter"):chain("input"):rule("drop")
  T.eq(#a:get_table("inet", "filter"):get_chain("input"):rules(), 3)
end

function test_push_and_pull_round_trip()
  local rs = host_firewall()
  T.eq(nft.push(rs), true)
  local live = nft.pull()
  T.match(tostring(live), "flags owner")
  T.truthy(tostring(live):find(host_text:match("\tchain input.*"), 1, true), "pulled text has the chain")
  T.eq(live:get_table("inet", "filter"):get_chain("input"):rules()[3].text, nil)
  local one = nft.pull("inet", "filter")
  T.eq(#one:tables(), 1)
end

function test_pull_edit_push()
  nft.push(host_firewall())
  local live = nft.pull()
  live:get_table("inet", "filter"):get_chain("input"):rule("udp dport 53 accept")
  T.eq(nft.push(live), true)
  T.match(tostring(nft.pull()), "udp dport 53 accept")
end

function test_push_check_and_failure_returns_error()
  local ok, err = nft.push(host_firewall(), { check = true })
  T.eq(ok, true)
  local bad = nft.ruleset()
  bad:table("inet", "x"):chain("c", { type = "filter", hook = "input", priority = 0 })
    :rule("jump nowhere")
  ok, err = nft.push(bad)
  T.eq(ok, nil)
  T.truthy(type(err) == "string" and #err > 0)
end

function test_supported()
  local f = nft.supported()
  T.eq(f.owner, true)
  T.eq(type(f.destroy), "boolean")
end

-- A tagged rule's log statement without a prefix of its own carries the
-- tag to NFLOG events (prefix "nfsh:TAG: "); an explicit prefix stays.
function test_tag_reaches_log_prefix()
  local rs = nft.ruleset()
  local c = rs:table("inet", "tagtest"):chain("c")
  c:rule("tcp dport 22 log group 5 accept", { tag = "ssh" })
  c:rule("tcp dport 80 log prefix \"web \" group 5 accept", { tag = "web" })
  local text = tostring(rs)
  assert(text:find('log prefix "nfsh:ssh: " group 5 accept', 1, true), text)
  assert(text:find('log prefix "web " group 5 accept', 1, true), text)
  assert(nft.log_tag("nfsh:ssh: ") == "ssh")
end
