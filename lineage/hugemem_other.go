//go:build !linux

package lineage

func mapSlots(n int) (slots []uint64, mapping []byte) { return nil, nil }

func unmapSlots(mapping []byte) {}

func adviseHuge[T any](s []T) {}
