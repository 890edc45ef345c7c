-- nft.trace: packet trace events through the event loop, from traffic
-- sent on lo inside this file's netns (nsenter + bash's /dev/udp).
--
-- Synchronisation: the tracer joins the trace group before nft.trace
-- returns, so every packet sent afterwards is traced; the callback closes
-- the tracer when the datagram's last event (its drop) arrives.
local T = require "testing"
local runner = require "testrunner"
local NS = runner.netns()

local function sh(cmd)
  local rc = os.execute(string.format("nsenter --net=%s %s", NS, cmd))
  assert(rc == 0 or rc == true, cmd .. " failed (" .. tostring(rc) .. ")")
end

local function nft_f(text)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
  sh("nft -f " .. path)
  os.remove(path)
end

function test_trace_events_of_a_dropped_datagram()
  sh("ip link set lo up")
  nft_f [[
table ip tr {
  chain c {
    type filter hook input priority filter; policy accept;
    meta nftrace set 1
    udp dport 9 counter drop comment "nine"
  }
}
]]
  local got, tracer = {}, nil
  tracer = assert(nft.trace({ netns = NS }, function(ev)
    got[#got + 1] = ev
    if ev.kind == "trace" and ev.type == "rule" and ev.verdict == "drop" then tracer:close() end
  end))
  sh([[bash -c 'echo hi > /dev/udp/127.0.0.1/9']])
  return function()
  T.eq(#got, 2)
  local first, last = got[1], got[2]
  T.eq(first.kind, "trace")
  T.eq(first.family, "ip")
  T.eq(first.table, "tr")
  T.eq(first.chain, "c")
  T.eq(first.type, "rule")
  T.eq(first.verdict, "continue")
  T.eq(first.iif, 1)
  T.eq(#first.lines, 2)
  T.truthy(first.lines[1]:find(' ip tr c packet: iif "lo" ', 1, true), first.lines[1])
  T.truthy(first.lines[1]:find("udp dport 9 udp length 11 @th,64,24 0x68690a ", 1, true), first.lines[1])
  T.truthy(first.lines[2]:find(" ip tr c rule meta nftrace set 1 (verdict continue)", 1, true), first.lines[2])
  T.eq(last.id, first.id)
  T.eq(#last.lines, 1)
  T.truthy(last.lines[1]:find(' rule udp dport 9 counter packets 0 bytes 0 drop comment "nine" (verdict drop)', 1, true), last.lines[1])
  T.truthy(last.handle > 0)
  local st = tracer:stats()
  T.eq(st.traces, 2)
  T.eq(st.overruns, 0)
  T.eq(tracer:active(), false)
  end
end
