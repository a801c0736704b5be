//go:build unix && !linux

package lineage

const mapPopulate = 0
