-- nft.run: nft commands committed to the kernel (in this file's fresh
-- netns), compiled against what the kernel holds, with typed $vars.
local T = require "testing"

local function listing(family, name)
  local rs = assert(nft.pull(family, name))
  return tostring(rs)
end

function test_commands_build_on_the_kernel()
  assert(nft.run([[
    add table inet r
    add chain inet r input { type filter hook input priority 0; policy accept; }
    add set inet r ban { type ipv4_addr; flags timeout; }
    add rule inet r input ip saddr @ban drop
  ]], nil, { persist = true }))
  -- a later call compiles against the kernel: the set's type is known,
  -- the rule goes before the existing one
  assert(nft.run("add element inet r ban { $ip timeout 1h }", { ip = "192.0.2.7" }))
  assert(nft.run("insert rule inet r input tcp dport $ports accept", { ports = { 22, 443 } }))
  local text = listing("inet", "r")
  T.match(text, "192%.0%.2%.7 timeout 1h")
  T.match(text, "tcp dport { 22, 443 } accept\n%s*ip saddr @ban drop")
  -- delete by handle, flush
  assert(nft.run("flush set inet r ban"))
  T.truthy(not listing("inet", "r"):find("192.0.2.7", 1, true), "flushed")
  assert(nft.run("delete table inet r"))
  T.eq(select(2, nft.pull("inet", "r")) ~= nil, true)
end

function test_vars_are_values_not_text()
  assert(nft.run("add table ip v; add chain ip v c", nil, { persist = true }))
  -- a var holding nft syntax is a value, never more commands
  T.raises(function() nft.run("add rule ip v c ip saddr $a drop", { a = "1.2.3.4; delete table ip v" }) end, "Could not resolve hostname")
  T.match(listing("ip", "v"), "chain c")
  assert(nft.run("delete table ip v"))
end

function test_check_only_validates()
  assert(nft.run("add table ip chk", nil, { check = true }))
  T.eq(select(2, nft.pull("ip", "chk")) ~= nil, true, "check commits nothing")
end

function test_kernel_refusal_is_an_error_value_naming_the_line()
  assert(nft.run("add table ip k; add chain ip k c", nil, { persist = true }))
  local here = debug.getinfo(1, "l").currentline
  local ok, err = nft.run([[
add rule ip k c accept
delete chain ip k nosuch
]])
  T.eq(ok, nil)
  -- the refused command stands three lines below `here`
  T.match(err, "run_test%.lua:" .. (here + 3) .. ":%d+: error: delete chain: .*No such file or directory")
  T.match(listing("ip", "k"), "chain c {\n\t}")  -- nothing of the batch landed
  assert(nft.run("delete table ip k"))
end

function test_bad_text_raises_with_the_script_line()
  T.raises(function() nft.run("add rule ip nosuch c tcp dport foo accept") end, "run_test%.lua:%d+")
  T.raises(function() nft.run("add rule ip t c", 5) end, "bad argument #2 to run")
  T.raises(function() nft.run({}) end, "bad argument #1 to run")
  T.raises(function() nft.run("add table ip x", nil, { bogus = true }) end, "bogus")
end

function test_tables_are_owned_unless_persist()
  assert(nft.run("add table ip owned1"))
  assert(nft.run("add table ip kept1", nil, { persist = true }))
  T.match(listing("ip", "owned1"), "flags owner")
  T.truthy(not listing("ip", "kept1"):find("owner", 1, true), "persist: no owner flag")
  assert(nft.run("delete table ip owned1; delete table ip kept1"))
end

function test_ruleset_json_is_nfts()
  local NS = require("testrunner").netns()
  assert(nft.run([[
    add table ip js
    add set ip js s { type ipv4_addr; elements = { 10.0.0.1 } }
    add chain ip js c { type filter hook input priority 0; policy drop; }
    add rule ip js c tcp dport { 22, 80 } ct state new counter accept comment "svc"
  ]], nil, { persist = true }))
  local p = assert(io.popen("nsenter --net=" .. NS .. " nft -j list ruleset"))
  local want = p:read("*a"):gsub("\n$", "")
  p:close()
  T.eq(assert(nft.pull()):json(), want)
  T.match(nft.ruleset():json(), '^{"nftables": %[{"metainfo": ')
  assert(nft.run("delete table ip js"))
end

function test_parse_json_reads_what_json_prints()
  assert(nft.run([[
    add table inet pj
    add set inet pj s { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 192.0.2.1 } }
    add chain inet pj c { type filter hook input priority 0; policy drop; }
    add rule inet pj c ip saddr @s counter accept
    add rule inet pj c tcp dport { 22, 443 } ct state new accept comment "svc"
  ]], nil, { persist = true }))
  local pulled = assert(nft.pull("inet", "pj"))
  local back = nft.parse_json(pulled:json())
  -- the same ruleset, as nft text (handles aside)
  T.eq(tostring(back), tostring(pulled))
  T.raises(function() nft.parse_json('{"nftables": [{"add": {"rule": {"family": "inet"}}}]}') end, "run_test%.lua:%d+:%d+: error: parse: object has no property \"table\"")
  T.raises(function() nft.parse_json("not json") end, "invalid JSON")
  assert(nft.run("delete table inet pj"))
end
