package ingest

import (
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/lineage-project/lineage/lineage"
)

// faultLog collects memory faults recovered while a mapped input is read.
// Reading a mapped file that another process truncates faults (SIGBUS) at
// the first page past the new end; with debug.SetPanicOnFault the runtime
// turns that into a panic, which is recovered here and reported as an
// error instead of crashing the process.
type faultLog struct {
	mu    sync.Mutex
	first any
	flag  atomic.Bool
}

// failed reports whether a fault was recovered.
func (f *faultLog) failed() bool { return f.flag.Load() }

// guard runs fn with faults turned into panics, recovering a fault. Any
// other panic propagates unchanged.
func (f *faultLog) guard(fn func()) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer f.catch()
	fn()
}

// catch, deferred, recovers a memory fault and re-raises anything else.
func (f *faultLog) catch() {
	r := recover()
	if r == nil {
		return
	}
	if _, ok := r.(interface{ Addr() uintptr }); !ok {
		panic(r)
	}
	f.mu.Lock()
	if f.first == nil {
		f.first = r
	}
	f.mu.Unlock()
	f.flag.Store(true)
}

// err returns the error for a recovered fault, or nil.
func (f *faultLog) err() error {
	if !f.failed() {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return fmt.Errorf("%w (truncated or rewritten while lineage read it; %v); read it again", lineage.ErrInputChanged, f.first)
}
