package modelid

import (
	"syscall"
	"testing"
	"unsafe"
)

// TestValidIDAtUnmappedPage puts an id at the very end of a mapped page
// whose next page is unreadable: the vector check must not read past the
// id into it (it would crash), and must still agree with validIDBytes.
func TestValidIDAtUnmappedPage(t *testing.T) {
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	defer syscall.Munmap(mem)
	if err := syscall.Mprotect(mem[page:], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	for n := 0; n <= 70; n++ {
		b := mem[page-n : page : page]
		for i := range b {
			b[i] = 'x'
		}
		for at := 0; at < n; at++ {
			for _, c := range []byte("-./_\x80") {
				b[at] = c
				checkValidID(t, unsafe.String(&b[0], n)) // not a copy
			}
			b[at] = 'x'
		}
	}
}
