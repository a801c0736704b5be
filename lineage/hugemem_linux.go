//go:build linux

package lineage

import (
	"syscall"
	"unsafe"
)

// mapSlots maps n zeroed slots outside the Go heap, marked for transparent
// huge pages, or returns nil when the mapping fails.
func mapSlots(n int) (slots []uint64, mapping []byte) {
	b, err := syscall.Mmap(-1, 0, n*8, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS)
	if err != nil {
		return nil, nil
	}
	syscall.Madvise(b, 14) // MADV_HUGEPAGE; a kernel without THP ignores it
	return unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), n), b
}

func unmapSlots(mapping []byte) { syscall.Munmap(mapping) }

// adviseHuge asks the kernel to back the 2 MiB-aligned part of the memory
// of s (its whole capacity) with transparent huge pages. It is only advice:
// nothing changes for the program but the page size (fewer page faults
// while the memory is first written, fewer TLB misses when it is probed at
// random). The Go runtime does not do this for its heap itself.
func adviseHuge[T any](s []T) {
	c := cap(s)
	if c == 0 {
		return
	}
	var zero T
	size := uintptr(c) * unsafe.Sizeof(zero)
	const huge = 2 << 20
	start := uintptr(unsafe.Pointer(unsafe.SliceData(s[:1])))
	lo := (start + huge - 1) &^ (huge - 1)
	hi := (start + size) &^ (huge - 1)
	if hi <= lo {
		return
	}
	syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, 14) // MADV_HUGEPAGE
}
