package ingest

import (
	"syscall"
	"testing"
)

// TestSpecialAtUnmappedPage puts b at the very end of a mapped page whose
// next page is unreadable: the vector scans must not read past len(b) into
// it (it would crash), and must still agree with specialSWAR.
func TestSpecialAtUnmappedPage(t *testing.T) {
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	defer syscall.Munmap(mem)
	if err := syscall.Mprotect(mem[page:], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	for n := 0; n <= 40; n++ {
		b := mem[page-n : page : page]
		for i := range b {
			b[i] = 'x'
		}
		checkSpecial(t, b)
		for at := 0; at < n; at++ {
			b[at] = '"'
			checkSpecial(t, b)
			b[at] = 'x'
		}
	}
	// And a b that starts just before a page boundary and ends within the
	// next, readable, page.
	if err := syscall.Mprotect(mem[page:], syscall.PROT_READ|syscall.PROT_WRITE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	for off := 1; off < 20; off++ {
		b := mem[page-off : page+10]
		for i := range b {
			b[i] = 'y'
		}
		b[len(b)-1] = '"'
		checkSpecial(t, b)
	}
}
