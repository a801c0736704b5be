//go:build !unix

package graph

func processCPU() int64 { return -1 }
