//go:build linux

package lineage

import "syscall"

// mapPopulate pre-faults the whole mapping in one call (Linux only).
const mapPopulate = syscall.MAP_POPULATE
