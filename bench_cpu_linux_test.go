//go:build linux

package langfuse_test

import (
	"syscall"
	"time"
	"unsafe"
)

// clockThreadCPUTime is CLOCK_THREAD_CPUTIME_ID of Linux.
const clockThreadCPUTime = 3

// threadCPU returns the CPU time the calling thread has used, or false
// where it cannot be read. A goroutine locked to its thread
// (runtime.LockOSThread) reads its own CPU time with it: the time it ran,
// not the time it waited for a CPU that other work on the machine held.
func threadCPU() (time.Duration, bool) {
	var ts syscall.Timespec
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
