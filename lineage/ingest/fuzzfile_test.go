package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"
)

// The file-level fuzzers: whole files in each framing (JSON Lines, JSON
// arrays and streams, CSV, gzip of each), not single records.

var seedFiles = []string{
	"{\"id\":\"a/b\"}\n{\"id\":\"a/c\",\"cardData\":{\"base_model\":\"a/b\"}}\n",
	"[{\"id\":\"a/b\"},\n {\"id\":\"a/c\",\"tags\":[\"base_model:a/b\"]}]",
	"[{\"id\":\"a/b\"}]\n[{\"id\":\"a/c\"}] junk\n{\"id\":\"a/d\"}",
	"{\n \"id\": \"a/b\"\n}\n{\"id\":\"a/c\"}",
	"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	"[{\"id\":\"a/b\"},{\"id\":\"a/",
	"{\"id\":\"a/b\"}\r{\"id\":\"a/c\"}\r",
	"\n\n\n\ufeff{\"id\":\"a/b\"}",
	"parent,child,relation\na/b,a/c,finetune\n\"a/b,a/x\",a/d,merge\n",
	"",
}

// FuzzReadFile reads data as a file of each name: it must never panic,
// every record must have a normalised id and a line inside the file, and
// the gzipped file must give the same records and problems as the plain
// one (compression is framing, not content).
func FuzzReadFile(f *testing.F) {
	for _, s := range seedFiles {
		for k := range 4 {
			f.Add([]byte(s), uint8(k))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		if len(data) > 1<<16 {
			return
		}
		name := []string{"f.jsonl", "f.json", "f.csv", "f.tsv"}[kind%4]
		lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
		plain := collect(t, memSrc{name, data}, Options{})
		for _, r := range plain.recs {
			if r.Line < 1 || r.Line > lines {
				t.Fatalf("%s: record %s at line %d of a %d-line file", name, r.ID, r.Line, lines)
			}
			checkRecord(t, name, r)
		}
		for _, d := range plain.diags {
			if d.Kind == "" || d.Source != name || d.Line > lines {
				t.Fatalf("%s: diagnostic %+v", name, d)
			}
		}
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(data)
		zw.Close()
		zipped := collect(t, memSrc{name + ".gz", z.Bytes()}, Options{})
		for i := range zipped.recs {
			zipped.recs[i].Source = name
		}
		for i := range zipped.diags {
			zipped.diags[i].Source = name
		}
		if !reflect.DeepEqual(plain.recs, zipped.recs) || !reflect.DeepEqual(plain.diags, zipped.diags) {
			t.Fatalf("%s: gzipped, %d records %v; plain, %d records %v", name, len(zipped.recs), zipped.diags, len(plain.recs), plain.diags)
		}
	})
}

// FuzzJSONArrayFraming holds the array splitter to encoding/json: for a
// text that encoding/json reads as an array, the splitter yields exactly
// its elements, in order, each starting on the line encoding/json's offset
// says, and reports nothing about the framing.
func FuzzJSONArrayFraming(f *testing.F) {
	f.Add([]byte(`[{"id":"a/b"}, {"x":"]"}, {"y":[1,{"z":"\"}"}]}]`))
	f.Add([]byte("[\n{\"id\":\"a\\\"b\"},\n\n {}\n]"))
	f.Add([]byte(`[1, "s", null, {"id":"x/y"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var want []json.RawMessage
		if t := bytes.TrimSpace(data); len(t) == 0 || t[0] != '[' || json.Unmarshal(data, &want) != nil || len(data) > 1<<16 {
			return // not an array (null unmarshals into a slice too)
		}
		sp := &splitter{r: bufio.NewReader(bytes.NewReader(data)), line: 1, col: 1, lim: Limits{}.withDefaults()}
		var got []string
		for {
			e, err := sp.next()
			if err != nil {
				if err != io.EOF {
					t.Fatalf("splitter on a valid array: %v", err)
				}
				break
			}
			if e.problem != "" && !strings.Contains(e.problem, "not an object") && !strings.Contains(e.problem, "nests") {
				t.Fatalf("splitter reports %q on a valid array", e.problem)
			}
			if e.data != nil {
				got = append(got, string(e.data))
			} else {
				got = append(got, "")
			}
		}
		if len(got) != len(want) {
			t.Fatalf("splitter found %d elements, encoding/json %d", len(got), len(want))
		}
		for i := range want {
			if got[i] != "" && got[i] != string(want[i]) {
				t.Fatalf("element %d = %q, encoding/json says %q", i, got[i], want[i])
			}
		}
	})
}
