package lineage

import "sync"

// slotMem holds the memory of the Builder's name table. The table is
// probed at random, once or twice per record; at Hub scale it is 32 MiB,
// far past the caches, and with 4 KiB pages nearly every probe is a TLB
// miss as well as a cache miss, and the first touch of every page a fault.
// On Linux a large table is therefore mapped outside the Go heap and marked
// for transparent huge pages (measured at 2M models: about 10% off the
// whole build). The mapping is released when the table is replaced, when
// the Builder finishes, or, for a Builder dropped unfinished, by a cleanup.
type slotMem struct {
	mu      sync.Mutex
	mapping []byte // nil: the slots live on the Go heap
}

// hugeSlots is the table size from which slots are mapped (2 MiB).
const hugeSlots = 1 << 18

// alloc releases the current table and returns n empty slots.
func (m *slotMem) alloc(n int) []uint64 {
	m.release()
	if n >= hugeSlots {
		if s, mapping := mapSlots(n); s != nil {
			m.mu.Lock()
			m.mapping = mapping
			m.mu.Unlock()
			return s
		}
	}
	return make([]uint64, n)
}

// release unmaps the table, if mapped; the slots must not be used after.
func (m *slotMem) release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mapping != nil {
		unmapSlots(m.mapping)
		m.mapping = nil
	}
}
