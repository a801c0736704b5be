//go:build !unix

package recovery

func processCPU() int64 { return -1 }
