package main

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"strings"

	"github.com/lineage-project/lineage/lineage/safefile"
)

// writeOutput writes through write to path, or to stdout when path is ""
// or "-". A file is written by package safefile: atomically, through a
// symbolic link to its target, never over a device or FIFO; a name ending
// in .gz is compressed.
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		if stdout == nil {
			return usagef("this output cannot go to standard output; name a file with -o")
		}
		bw := bufio.NewWriter(stdout)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	err := safefile.Write(path, func(f io.Writer) error {
		bw := bufio.NewWriterSize(f, 1<<16)
		var w io.Writer = bw
		var zw *gzip.Writer
		if strings.HasSuffix(path, ".gz") {
			zw, _ = gzip.NewWriterLevel(bw, gzip.BestCompression)
			w = zw
		}
		if err := write(w); err != nil {
			return err
		}
		if zw != nil {
			if err := zw.Close(); err != nil {
				return err
			}
		}
		return bw.Flush()
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
