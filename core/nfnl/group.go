package nfnl

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// The receive side of multicast subscriptions (ruleset changes, traces):
// their streams read the socket themselves, one datagram at a time.

// SetRcvBuf sets the socket receive buffer to n bytes (SO_RCVBUF, with
// SO_RCVBUFFORCE where permitted). What does not fit is dropped by the
// kernel and reported as ENOBUFS by RecvDatagram.
func (c *Conn) SetRcvBuf(n int) error {
	var serr error
	err := c.rc.Control(func(fd uintptr) {
		v := max(n/2, 1) // the kernel doubles what it is given
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, v)
		if serr != nil {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, v)
		}
	})
	if err != nil {
		return err
	}
	return serr
}

// RecvDatagram reads one datagram into buf, waiting for it (a raw
// recvfrom: no source address is parsed). An overrun comes back as
// unix.ENOBUFS; a datagram larger than buf is an error.
func (c *Conn) RecvDatagram(buf []byte) (int, error) {
	var n int
	var rerr error
	err := c.rc.Read(func(fd uintptr) bool {
		for {
			n, _, rerr = unix.Recvfrom(int(fd), buf, unix.MSG_DONTWAIT|unix.MSG_TRUNC)
			if rerr != unix.EINTR {
				return rerr != unix.EAGAIN
			}
		}
	})
	if err != nil {
		return 0, err
	}
	if rerr != nil {
		return 0, rerr
	}
	if n > len(buf) {
		return 0, fmt.Errorf("netlink datagram of %d bytes truncated to %d", n, len(buf))
	}
	return n, nil
}

// DiscardQueued reads and drops every datagram queued on the socket,
// without waiting. After an overrun the kernel reports ENOBUFS once and
// then drops silently until the receive queue has been read empty
// (NETLINK_S_CONGESTED is cleared only then): a stream that resyncs must
// discard the queue first, so that a later drop is reported again.
// Further ENOBUFS met while discarding are covered by that resync.
func (c *Conn) DiscardQueued(buf []byte) error {
	for {
		var rerr error
		err := c.rc.Read(func(fd uintptr) bool {
			_, _, rerr = unix.Recvfrom(int(fd), buf, unix.MSG_DONTWAIT|unix.MSG_TRUNC)
			return true // never wait: an empty queue ends the loop
		})
		switch {
		case err != nil:
			return err
		case rerr == nil, rerr == unix.EINTR, rerr == unix.ENOBUFS:
		case rerr == unix.EAGAIN:
			return nil
		default:
			return rerr
		}
	}
}
