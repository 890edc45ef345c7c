-- nft.subscribe and nft.follow: ruleset change events through the event
-- loop, from changes made by `nft` (run in this file's netns with
-- nsenter) and by the script itself (nft.push).
--
-- Synchronisation: each asynchronous case ends its changes with a
-- sentinel change (a table named done_*) and closes its subscription when
-- the sentinel's event arrives; the runner's event loop then returns.
local T = require "testing"
local runner = require "testrunner"
local NS = runner.netns()

-- nft_f runs nft -f with text inside the test's netns; it raises on failure.
local function nft_f(text)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
  local rc = os.execute(string.format("nsenter --net=%s nft -f %s", NS, path))
  os.remove(path)
  assert(rc == 0 or rc == true, "nft -f failed (" .. tostring(rc) .. "):\n" .. text)
end

-- nft_ok runs nft -f and reports whether it succeeded (feature probes).
local function nft_ok(text)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
  local rc = os.execute(string.format("nsenter --net=%s nft -f %s 2>/dev/null", NS, path))
  os.remove(path)
  return rc == 0 or rc == true
end

-- until_table returns a callback that records events in list and closes
-- the subscription (in holder.sub) when table `sentinel` is added.
local function until_table(list, holder, sentinel)
  return function(ev)
    list[#list + 1] = ev
    if ev.kind == "table" and ev.op == "add" and ev.table == sentinel then holder.sub:close() end
  end
end

local function find(list, pred)
  for _, ev in ipairs(list) do
    if pred(ev) then return ev end
  end
end

local function kinds(list)
  local out = {}
  for _, ev in ipairs(list) do out[#out + 1] = ev.op .. " " .. ev.kind end
  return out
end

function test_events_of_each_kind_from_nft()
  local got, holder = {}, {}
  holder.sub = assert(nft.subscribe(until_table(got, holder, "done_kinds"), { netns = NS }))
  nft_f [[
table ip k1 {
  counter cnt { }
  set s { type ipv4_addr; }
  chain c { type filter hook input priority filter; policy accept; }
}
add rule ip k1 c tcp dport 22 accept
add element ip k1 s { 192.0.2.1, 192.0.2.2 }
]]
  nft_f "delete element ip k1 s { 192.0.2.2 }"
  nft_f "add table ip done_kinds"
  return function()
    -- the kernel's order within a commit; one element event per element
    T.eq(kinds(got), {
      "add table", "add chain", "add object", "add set", "add rule", "add element", "add element",
      "delete element", "add table",
    })
    local t = got[1]
    T.eq({ t.family, t.table, t.name }, { "ip", "k1", "k1" })
    T.eq(t.proc, "nft")
    T.truthy(type(t.pid) == "number" and t.pid > 0, "pid")
    T.truthy(type(t.gen) == "number" and t.gen > 0, "gen")
    T.truthy(type(t.handle) == "number", "table handle")
    T.eq(got[2].chain, "c")
    T.eq(got[2].line, "add chain ip k1 c { type filter hook input priority filter; policy accept; }")
    T.eq(got[3].type, "counter")
    T.eq(got[3].name, "cnt")
    T.eq({ got[4].set, got[4].name }, { "s", "s" })
    T.eq(got[5].text, "tcp dport 22 accept")
    T.eq({ got[6].elements, got[7].elements }, { { "192.0.2.1" }, { "192.0.2.2" } })
    T.eq(got[6].set, "s")
    T.eq(got[8].elements, { "192.0.2.2" })
    T.eq(got[8].line, "delete element ip k1 s { 192.0.2.2 }")
    T.eq(got[6].gen, got[1].gen, "one commit")
    T.truthy(got[7].gen < got[8].gen and got[8].gen < got[9].gen, "generations grow per commit")
    T.eq(holder.sub:active(), false)
  end
end

function test_rule_event_text_and_handle()
  local got, holder = {}, {}
  holder.sub = assert(nft.subscribe(until_table(got, holder, "done_rule"), { netns = NS }))
  nft_f [[
table inet r1 {
  set allowed { type ipv4_addr; flags interval; }
  chain c {
    ip saddr @allowed tcp dport { 22, 443 } accept comment "ssh and https"
    iifname "lo" counter accept
  }
}
insert rule inet r1 c meta l4proto udp drop
add table ip done_rule
]]
  return function()
    local rules = {}
    for _, ev in ipairs(got) do
      if ev.kind == "rule" then rules[#rules + 1] = ev end
    end
    T.eq(#rules, 3)
    T.eq(rules[1].text, 'ip saddr @allowed tcp dport { 22, 443 } accept comment "ssh and https"')
    T.eq(rules[1].comment, "ssh and https")
    T.eq(rules[2].text, 'iifname "lo" counter packets 0 bytes 0 accept')
    T.eq(rules[3].text, "meta l4proto udp drop")
    T.eq(rules[3].insert, true)
    T.eq(rules[1].insert, false)
    -- handles are the kernel's: the same as a pull shows
    local c = assert(nft.pull("inet", "r1")):get_table("inet", "r1"):get_chain("c")
    local pulled = {}
    for _, r in ipairs(c:rules()) do pulled[tostring(r)] = r.handle end
    for _, ev in ipairs(rules) do
      T.eq(ev.handle, pulled[ev.text], "handle of " .. ev.text)
      T.eq(ev.chain, "c")
      T.eq(ev.family, "inet")
    end
  end
end

function test_events_from_the_script_itself()
  local got, holder = {}, {}
  holder.sub = assert(nft.subscribe(until_table(got, holder, "done_push"), { netns = NS }))
  local rs = nft.ruleset()
  rs:table("inet", "own"):chain("input", { type = "filter", hook = "input", priority = 0 })
    :rule("tcp dport 8080 accept", { tag = "web" })
  assert(nft.push(rs))
  assert(nft.push(nft.parse "table ip done_push { }"))
  return function()
    local r = find(got, function(ev) return ev.kind == "rule" end)
    T.truthy(r, "rule event")
    T.eq(r.text, "tcp dport 8080 accept")
    T.eq(r.tag, "web")
    T.eq(r.table, "own")
    T.truthy(r.proc ~= nil and r.proc ~= "nft", "committed by this process, not nft: " .. tostring(r.proc))
  end
end

function test_per_commit_grouping()
  local commits, holder = {}, {}
  holder.sub = assert(nft.subscribe(function(c)
    commits[#commits + 1] = c
    if c.events[1].table == "done_commit" then holder.sub:close() end
  end, { netns = NS, per_commit = true }))
  nft_f "table ip pc { chain a { }; chain b { }; }"
  nft_f "add rule ip pc a accept; add rule ip pc b drop"
  nft_f "add table ip done_commit"
  return function()
    T.eq(#commits, 3)
    T.eq(commits[1].kind, "commit")
    T.eq(kinds(commits[1].events), { "add table", "add chain", "add chain" })
    T.eq(kinds(commits[2].events), { "add rule", "add rule" })
    T.eq({ commits[2].events[1].text, commits[2].events[2].text }, { "accept", "drop" })
    T.eq(commits[2].proc, "nft")
    T.eq(commits[2].events[1].gen, commits[2].gen)
    T.truthy(commits[1].gen + 1 == commits[2].gen and commits[2].gen + 1 == commits[3].gen, "consecutive generations")
  end
end

function test_close_stops_delivery()
  local got = {}
  local sub
  sub = assert(nft.subscribe(function(ev)
    got[#got + 1] = ev
    sub:close()
  end, { netns = NS }))
  T.eq(sub:active(), true)
  nft_f "table ip cl1 { chain a { }; }"
  nft_f "table ip cl2 { }"
  return function()
    T.eq(#got, 1, "one event, then closed")
    T.eq(got[1].table, "cl1")
    T.eq(sub:active(), false)
    T.match(tostring(sub), "closed")
    sub:close() -- twice is harmless
  end
end

function test_callback_error_is_reported_and_delivery_goes_on()
  local seen, holder = {}, {}
  holder.sub = assert(nft.subscribe(function(ev)
    seen[#seen + 1] = ev.table
    if ev.table == "err1" then error("boom in callback") end
    if ev.table == "done_err" then holder.sub:close() end
  end, { netns = NS }))
  nft_f "add table ip err1"
  nft_f "add table ip err2"
  nft_f "add table ip done_err"
  return function()
    T.eq(seen, { "err1", "err2", "done_err" })
    local rep = runner.reported()
    T.eq(#rep, 1)
    T.match(rep[1], "subscribe_test%.lua:%d+: .*boom in callback")
    T.eq(holder.sub:stats().errors, 1)
  end
end

function test_snapshot_is_returned_and_not_repeated()
  nft_f "table ip snap { chain c { tcp dport 1 accept; }; }"
  local got, holder = {}, {}
  local sub, rs = nft.subscribe(until_table(got, holder, "done_snap"), { netns = NS, snapshot = true })
  holder.sub = assert(sub)
  T.truthy(rs == nft.pull(), "snapshot equals a pull")
  T.truthy(rs:get_table("ip", "snap"), "snapshot holds the table made before")
  local gen0 = sub.gen
  T.eq(gen0 > 0, true)
  nft_f "add rule ip snap c tcp dport 2 accept"
  nft_f "add table ip done_snap"
  return function()
    T.eq(kinds(got), { "add rule", "add table" })
    T.eq(got[1].text, "tcp dport 2 accept")
    T.eq(got[1].gen, gen0 + 1)
    T.eq(sub.gen, gen0 + 2)
  end
end

function test_follow_keeps_value_equal_to_pull()
  nft_f "table inet fol { set s { type inet_service; }; chain c { tcp dport @s accept; }; }"
  local calls, holder = 0, {}
  local last
  local sub, rs = nft.follow(function(value, commit)
    calls = calls + 1
    last = value
    for _, ev in ipairs(commit.events or {}) do
      if ev.kind == "table" and ev.table == "done_follow" then holder.sub:close() end
    end
  end, { netns = NS })
  holder.sub = assert(sub)
  T.truthy(rs == nft.pull(), "starts equal")
  nft_f [[
add element inet fol s { 22, 80 }
insert rule inet fol c udp dport 53 accept
add chain inet fol d
add rule inet fol d ip saddr { 10.0.0.0/8, 192.168.0.0/16 } drop
delete element inet fol s { 80 }
]]
  local own = nft.ruleset()
  own:table("ip", "fol_own"):chain("x"):rule("meta mark 1 accept")
  assert(nft.push(own))
  nft_f "add rule inet fol c counter; add table ip done_follow"
  return function()
    T.eq(calls, 3)
    T.truthy(rawequal(last, rs), "fn gets the followed value")
    local now = nft.pull()
    -- Same content: no patch between them, and the same text. (rs == now
    -- also compares the order of set elements, which a pull reports in
    -- the kernel's dump order and events in commit order.)
    local patch = nft.diff(rs, now)
    T.truthy(patch.empty, "followed value equals nft.pull(); patch:\n" .. tostring(patch))
    T.eq(tostring(rs), tostring(now))
    T.eq(sub:stats().apply_errors, 0)
  end
end

-- burst commits a table of 200 chains after a few small commits: with a
-- 4 KiB receive buffer and a one-commit queue it overflows the socket.
local function burst(name)
  local lines = { "table ip " .. name .. " {" }
  for i = 1, 200 do lines[#lines + 1] = ("chain c%d { tcp dport %d accept; }"):format(i, i) end
  lines[#lines + 1] = "}"
  for i = 1, 5 do nft_f(("add table ip %s%d"):format(name, i)) end
  nft_f(table.concat(lines, "\n"))
end

-- A resync taken while the burst still overflows the socket can be
-- followed by another, whose fresh pull may already hold a sentinel made
-- after the first: each resync therefore adds a sentinel of its own, and
-- the first sentinel event to arrive ends the case.
local function is_sentinel(ev, prefix)
  return ev.kind == "table" and ev.op == "add" and ev.table:sub(1, #prefix) == prefix
end

function test_overrun_gives_resync_needed_then_stream_goes_on()
  local got, holder, n = {}, {}, 0
  holder.sub = assert(nft.subscribe(function(ev)
    got[#got + 1] = ev
    if is_sentinel(ev, "done_overrun") then holder.sub:close() end
    -- the stream is live again after the resync: the sentinel arrives
    if ev.kind == "resync_needed" then
      n = n + 1
      nft_f(("add table ip done_overrun%d"):format(n))
    end
  end, { netns = NS, rcvbuf = 4096, buffer = 1 }))
  -- The loop does not run while this function does: the stream fills its
  -- one-commit queue and stops reading, so the socket overflows.
  burst("burst")
  return function()
    -- the last resync's pull holds the burst's table, unless its event
    -- was delivered after that resync
    local last, added
    for _, ev in ipairs(got) do
      if ev.kind == "resync_needed" then
        T.truthy(ev.ruleset ~= nil and ev.gen > 0, "resync with a fresh pull")
        last, added = ev, false
      elseif ev.kind == "table" and ev.op == "add" and ev.table == "burst" then
        added = true
      end
    end
    T.truthy(last, "a resync_needed event")
    T.truthy(added or last.ruleset:get_table("ip", "burst") ~= nil, "the pull holds the lost changes")
    T.truthy(is_sentinel(got[#got], "done_overrun"), "the stream goes on after the resync")
    local st = holder.sub:stats()
    T.truthy(st.overruns >= 1 and st.resyncs >= 1, "overruns counted")
  end
end

function test_follow_survives_overrun()
  local holder = {}
  local resyncs = 0
  local sub, rs = nft.follow(function(value, c)
    if c.kind == "resync_needed" then
      resyncs = resyncs + 1
      nft_f(("add rule ip fo c1 udp dport 7 drop; add table ip done_fo%d"):format(resyncs))
    end
    for _, ev in ipairs(c.events or {}) do
      if is_sentinel(ev, "done_fo") then holder.sub:close() end
    end
  end, { netns = NS, rcvbuf = 4096, buffer = 1 })
  holder.sub = assert(sub)
  burst("fo")
  return function()
    T.truthy(resyncs >= 1, "resynced")
    local now = nft.pull()
    T.truthy(rs == now, "equal to a pull after the resync")
    T.truthy(rs:get_table("ip", "fo"):get_chain("c1"), "the value holds the lost changes")
  end
end

function test_interval_elements_are_one_event()
  local got, holder = {}, {}
  nft_f "table ip iv { set nets { type ipv4_addr; flags interval; }; }"
  holder.sub = assert(nft.subscribe(until_table(got, holder, "done_iv"), { netns = NS }))
  nft_f "add element ip iv nets { 10.0.0.0/8, 192.0.2.1 }"
  nft_f "add table ip done_iv"
  return function()
    local els = {}
    for _, ev in ipairs(got) do
      if ev.kind == "element" then
        for _, e in ipairs(ev.elements) do els[#els + 1] = e end
      end
    end
    table.sort(els)
    T.eq(els, { "10.0.0.0/8", "192.0.2.1" })
  end
end

function test_flowtable_event_when_supported()
  if not nft_ok "table ip ftprobe { flowtable f { hook ingress priority 0; devices = { lo }; }; }" then
    return -- CONFIG_NF_FLOW_TABLE off on this kernel: nothing to observe
  end
  local got, holder = {}, {}
  holder.sub = assert(nft.subscribe(until_table(got, holder, "done_ft"), { netns = NS }))
  nft_f "table ip ft { flowtable f { hook ingress priority 0; devices = { lo }; }; }"
  nft_f "add table ip done_ft"
  return function()
    local f = find(got, function(ev) return ev.kind == "flowtable" end)
    T.truthy(f, "flowtable event")
    T.eq(f.name, "f")
  end
end

function test_bad_arguments()
  T.raises(function() nft.subscribe(42) end, "function expected")
  T.raises(function() nft.subscribe(function() end, { per_comit = true }) end, "unknown option per_comit")
  T.raises(function() nft.subscribe(function() end, { rcvbuf = -1 }) end, "rcvbuf")
  local sub, err = nft.subscribe(function() end, { netns = "/nonexistent/netns" })
  T.eq(sub, nil)
  T.truthy(type(err) == "string" and #err > 0, "error message")
  -- (opts, fn) works too
  local s2 = assert(nft.subscribe({ netns = NS }, function() end))
  T.match(tostring(s2), "^nft%.subscription%(gen %d+, active")
  s2:close()
end

function test_default_namespace_is_the_sessions()
  local got, holder = {}, {}
  holder.sub = assert(nft.subscribe(until_table(got, holder, "done_default")))
  if holder.sub.netns == nil then
    -- The session's kernel connection does not name its namespace
    -- (bindings.NetNSer): the default is the process's, which is not this
    -- file's. Nothing to check until it does.
    holder.sub:close()
    return
  end
  assert(nft.push(nft.parse "table ip done_default { }"))
  return function()
    T.eq(kinds(got), { "add table" })
  end
end
