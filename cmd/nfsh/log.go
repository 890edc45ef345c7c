package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/nfsh/nfsh/core/nflog"
)

const logUsage = `usage: nfsh log --group N [--copy none|meta|packet] [--snaplen BYTES] [--json] [--count K]
                [--qthreshold N] [--timeout MS] [--seq] [--conntrack] [--rcvbuf BYTES]
prints one line (or one JSON object) per packet logged to NFLOG group N,
until K packets were printed or the process is interrupted`

// cmdLog runs `nfsh log`: it listens to an NFLOG group in the current
// network namespace (see --netns) and prints each logged packet as a line
// of text or a JSON object. Loss (socket overruns, sequence gaps) is
// reported on stderr.
func cmdLog(args []string, stdout, stderr io.Writer) error {
	opts := nflog.Options{QThreshold: 1}
	asJSON := false
	count := -1
	haveGroup := false
	for i := 0; i < len(args); i++ {
		name, val, hasVal := strings.Cut(args[i], "=")
		value := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("nfsh log: %s needs a value\n%s", name, logUsage)
			}
			i++
			return args[i], nil
		}
		number := func(bits int) (uint64, error) {
			s, err := value()
			if err != nil {
				return 0, err
			}
			n, err := strconv.ParseUint(s, 10, bits)
			if err != nil {
				return 0, fmt.Errorf("nfsh log: %s: %q is not a number below 2^%d\n%s", name, s, bits, logUsage)
			}
			return n, nil
		}
		var err error
		var n uint64
		switch name {
		case "--group", "-g":
			n, err = number(16)
			opts.Group, haveGroup = uint16(n), true
		case "--copy":
			var s string
			if s, err = value(); err == nil {
				var ok bool
				if opts.Copy, ok = nflog.ParseCopyMode(s); !ok {
					err = fmt.Errorf("nfsh log: --copy %q: want none, meta or packet\n%s", s, logUsage)
				}
			}
		case "--snaplen":
			n, err = number(32)
			opts.Snaplen = uint32(n)
		case "--json":
			asJSON = true
		case "--count", "-c":
			n, err = number(31)
			count = int(n)
		case "--qthreshold":
			n, err = number(32)
			opts.QThreshold = uint32(n)
		case "--timeout":
			n, err = number(31)
			opts.FlushTimeout = time.Duration(n) * time.Millisecond
		case "--seq":
			opts.Seq = true
		case "--conntrack":
			opts.Conntrack = true
		case "--rcvbuf":
			n, err = number(31)
			opts.RcvBuf = int(n)
		case "-h", "--help":
			fmt.Fprintln(stdout, logUsage)
			return nil
		default:
			err = fmt.Errorf("nfsh log: unknown argument %q\n%s", args[i], logUsage)
		}
		if err != nil {
			return err
		}
	}
	if !haveGroup {
		return fmt.Errorf("nfsh log: --group is required\n%s", logUsage)
	}
	if count == 0 {
		return nil
	}
	l, err := nflog.Listen(opts)
	if err != nil {
		return err
	}
	defer l.Close()
	w := bufio.NewWriterSize(stdout, 64<<10)
	defer w.Flush()
	loop := newEventLoop(l.Events(), w)
	defer loop.stop()
	printed := 0
	for {
		ev, ok, stopped, err := loop.next()
		switch {
		case err != nil:
			return err
		case stopped:
			return logDone(l, stderr)
		}
		if !ok {
			if err := l.Err(); err != nil {
				return err
			}
			return logDone(l, stderr)
		}
		switch ev.Kind {
		case nflog.EventLoss:
			fmt.Fprintf(stderr, "nfsh log: lost packets: %v\n", ev.Loss)
			continue
		case nflog.EventPacket:
		default:
			continue
		}
		if asJSON {
			b, err := json.Marshal(ev.Packet.Map())
			if err != nil {
				return err
			}
			w.Write(b)
			w.WriteByte('\n')
		} else {
			w.WriteString(ev.Packet.String())
			w.WriteByte('\n')
		}
		printed++
		if printed == count {
			if err := w.Flush(); err != nil {
				return err
			}
			return logDone(l, stderr)
		}
	}
}

// logDone reports the listener's losses, if any, on stderr.
func logDone(l *nflog.Listener, stderr io.Writer) error {
	st := l.Stats()
	if st.Overruns != 0 || st.Dropped != 0 || st.SeqLost != 0 || st.KernelDrops != 0 {
		fmt.Fprintf(stderr, "nfsh log: %d packets, %d dropped, %d overruns, %d kernel drops, %d missing by sequence\n",
			st.Packets, st.Dropped, st.Overruns, st.KernelDrops, st.SeqLost)
	}
	return nil
}
