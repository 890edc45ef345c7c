package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// envNetnsDone marks a process that already entered the namespace asked
// for with --netns, so the re-exec below happens once.
const envNetnsDone = "NFSH_NETNS_ENTERED"

// enterNetns makes the whole process live in the network namespace named by
// spec ("new", "pid:N", or a path such as /run/netns/NAME or
// /proc/N/ns/net): it switches the current OS thread and re-executes the
// binary from it, so that every socket, interface lookup and child process
// of the session is in that namespace. It returns only on error.
func enterNetns(spec string, args []string) error {
	runtime.LockOSThread()
	switch {
	case spec == "new":
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			return fmt.Errorf("--netns new: unshare: %w", err)
		}
	default:
		path := spec
		if pid, ok := strings.CutPrefix(spec, "pid:"); ok {
			path = "/proc/" + pid + "/ns/net"
		}
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("--netns %s: %w", spec, err)
		}
		err = unix.Setns(fd, unix.CLONE_NEWNET)
		unix.Close(fd)
		if err != nil {
			return fmt.Errorf("--netns %s: setns: %w", spec, err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	env := append(os.Environ(), envNetnsDone+"=1")
	return syscall.Exec(exe, append([]string{os.Args[0]}, args...), env)
}
