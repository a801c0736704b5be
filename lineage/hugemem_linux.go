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
