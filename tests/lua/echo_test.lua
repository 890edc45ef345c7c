-- nft.run(text, vars, { echo = true }): what the commit changed, as
-- `nft -e` prints it, so a script learns the handles the kernel gave.
local T = require "testing"

local function listing(family, name)
  return tostring(assert(nft.pull(family, name)))
end

function test_echo_lists_what_was_created()
  local got = assert(nft.run([[
    add table inet e
    add chain inet e c
    add rule inet e c tcp dport $port accept
  ]], { port = 22 }, { echo = true, persist = true }))
  T.eq(#got, 3)
  T.eq(got[1].op, "add")
  T.eq(got[1].kind, "table")
  T.eq(got[1].family, "inet")
  T.eq(got[1].table, "e")
  T.eq(got[1].line, "add table inet e")
  T.truthy(got[1].handle > 0, "table handle")
  T.eq(got[2].kind, "chain")
  T.eq(got[2].chain, "c")
  T.eq(got[2].name, "c")
  T.truthy(got[2].handle > 0, "chain handle")
  local r = got[3]
  T.eq(r.kind, "rule")
  T.eq(r.chain, "c")
  T.eq(r.text, "tcp dport 22 accept")
  T.eq(r.line, "add rule inet e c tcp dport 22 accept")
  -- the handle is the kernel's: the rule can be deleted by it
  T.match(listing("inet", "e"), "tcp dport 22 accept")
  assert(nft.run("delete rule inet e c handle " .. r.handle))
  T.truthy(not listing("inet", "e"):find("dport 22", 1, true), "deleted by its echoed handle")
end

function test_echo_of_rules_with_anonymous_sets_and_positions()
  local got = assert(nft.run("add rule inet e c tcp dport { 22, 80 } counter accept", nil, { echo = true }))
  -- the anonymous set and its elements belong to the rule: one entry
  T.eq(#got, 1)
  T.eq(got[1].text, "tcp dport { 22, 80 } counter packets 0 bytes 0 accept")
  local first = got[1].handle
  got = assert(nft.run("add rule inet e c position " .. first .. " udp dport 53 accept", nil, { echo = true }))
  T.eq(got[1].op, "add")
  T.eq(got[1].text, "udp dport 53 accept")
  T.eq(got[1].line, "add rule inet e c udp dport 53 accept")
  got = assert(nft.run("insert rule inet e c position " .. first .. " ip saddr 10.0.0.1 drop", nil, { echo = true }))
  T.eq(got[1].op, "insert")
  T.eq(got[1].text, "ip saddr 10.0.0.1 drop")
  -- replace: the old rule goes, the new one keeps its handle
  got = assert(nft.run("replace rule inet e c handle " .. first .. " drop", nil, { echo = true }))
  -- the old rule's anonymous set goes too, as nft -e shows it
  T.eq(#got, 3)
  T.eq(got[1].op, "delete")
  T.eq(got[1].handle, first)
  T.eq(got[2].line, "delete set inet e __set0")
  T.eq(got[3].op, "add")
  T.eq(got[3].handle, first)
  T.eq(got[3].text, "drop")
end

function test_echo_of_sets_elements_and_objects()
  local got = assert(nft.run([[
    add set inet e s { type ipv4_addr; }
    add element inet e s { 10.0.0.1, 10.0.0.2 }
    create counter inet e cnt
  ]], nil, { echo = true }))
  T.eq(#got, 4)
  T.eq(got[1].kind, "set")
  T.eq(got[1].name, "s")
  T.eq(got[1].line, "add set inet e s { type ipv4_addr; } ")
  T.truthy(got[1].handle > 0, "set handle")
  T.eq(got[2].kind, "element")
  T.eq(got[2].name, "s")
  T.eq(got[2].handle, nil)
  T.eq(got[2].line, "add element inet e s { 10.0.0.1 }")
  T.eq(got[3].line, "add element inet e s { 10.0.0.2 }")
  T.eq(got[4].op, "create")
  T.eq(got[4].kind, "object")
  T.eq(got[4].name, "cnt")
  T.eq(got[4].line, "create counter inet e cnt { packets 0 bytes 0 } ")
end

function test_echo_of_nothing()
  -- deletes are not echoed (as with nft -e), a check commits nothing
  local got = assert(nft.run("flush chain inet e c", nil, { echo = true }))
  T.eq(#got, 0)
  got = assert(nft.run("add chain inet e c2", nil, { echo = true, check = true }))
  T.eq(#got, 0)
  T.truthy(not listing("inet", "e"):find("c2", 1, true), "checked only")
end

function test_echo_refusal_is_an_error_value()
  local ok, err = nft.run("add chain inet e c3\ndelete chain inet e nosuch", nil, { echo = true })
  T.eq(ok, nil)
  T.match(err, "echo_test%.lua:%d+:%d+: error: delete chain")
  T.truthy(not listing("inet", "e"):find("c3", 1, true), "nothing landed")
  assert(nft.run("delete table inet e"))
end
