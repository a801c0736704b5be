package synth

import (
	"fmt"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/lineage-project/lineage/lineage/hubapi"
)

// DefaultRowGroup is the number of rows per row group of a parquet
// listing (Options.RowGroup). The row groups of the real hub-stats file are
// not known; 100,000 rows (about 40 MB of column data here) keeps a
// reader's and the writer's memory bounded and gives a reader 20 groups
// to spread over its cores at two million rows.
const DefaultRowGroup = 100_000

// parquetBatch is the number of rows handed to the parquet writer at once.
const parquetBatch = 1024

// GenerateParquet writes the listing of opt to w as a hub-stats
// models.parquet (hubapi.ParquetModel rows, Snappy-compressed, as pyarrow
// writes by default): the same models, in the same order, as Generate
// writes for the same Options. The lineage a JSON record states in tags
// and cardData is here in tags, cardData (JSON text) and baseModels, the
// Hub's reading of the card: the parents as tagged (a model naming itself
// included, as in its tags) and the relation. Rows are streamed; memory is
// bounded by one row group.
func GenerateParquet(w io.Writer, opt Options) (Stats, error) {
	if err := opt.check(); err != nil {
		return Stats{}, err
	}
	rowGroup := opt.RowGroup
	if rowGroup == 0 {
		rowGroup = DefaultRowGroup
	}
	pw := parquet.NewGenericWriter[hubapi.ParquetModel](w,
		parquet.MaxRowsPerRowGroup(int64(rowGroup)),
		parquet.Compression(&parquet.Snappy),
		parquet.CreatedBy("lineage hubsynth", "", ""))
	var b pqBatch
	st, err := run(opt, func(g *gen, m *model) error {
		b.add(m)
		if len(b.rows) == parquetBatch {
			return b.flush(pw)
		}
		return nil
	})
	if err == nil {
		err = b.flush(pw)
	}
	if cerr := pw.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return st, fmt.Errorf("synth: parquet: %w", err)
	}
	return st, nil
}

// pqBatch holds rows until they are written; the rows point into its
// arrays, which are reused once the writer has copied them.
type pqBatch struct {
	rows []hubapi.ParquetModel
	nums []int64 // downloads, all time, likes, trending, safetensors total per row
	strs []string
	ptrs []*string
	refs []hubapi.ParquetModelRef
	rptr []*hubapi.ParquetModelRef
	bms  []hubapi.ParquetBaseModels
	sts  []hubapi.ParquetSafetensors
	card []byte
}

func (b *pqBatch) flush(pw *parquet.GenericWriter[hubapi.ParquetModel]) error {
	if len(b.rows) == 0 {
		return nil
	}
	_, err := pw.Write(b.rows)
	b.rows, b.nums, b.strs, b.ptrs = b.rows[:0], b.nums[:0], b.strs[:0], b.ptrs[:0]
	b.refs, b.rptr, b.bms, b.sts = b.refs[:0], b.rptr[:0], b.bms[:0], b.sts[:0]
	return err
}

// add appends m's row.
func (b *pqBatch) add(m *model) {
	if b.rows == nil {
		b.rows = make([]hubapi.ParquetModel, 0, parquetBatch)
		b.nums = make([]int64, 0, 5*parquetBatch) // never regrown: rows point into it
		b.bms = make([]hubapi.ParquetBaseModels, 0, parquetBatch)
		b.sts = make([]hubapi.ParquetSafetensors, 0, parquetBatch)
	}
	num := func(v int) *int64 {
		b.nums = append(b.nums, int64(v))
		return &b.nums[len(b.nums)-1]
	}
	r := hubapi.ParquetModel{
		ID: m.id, Author: m.author,
		CreatedAt:    time.Unix(m.created, 0).UTC(),
		LastModified: time.Unix(m.modified, 0).UTC(),
		Downloads:    num(m.downloads), DownloadsAllTime: num(m.downloadsAll), Likes: num(m.likes),
		TrendingScore: num(m.trending),
		Library:       m.lib, Pipeline: m.pipe, Gated: m.gated,
	}
	if r.Gated == "" {
		r.Gated = hubapi.GatedFalse
	}
	// Tags: strings are immutable, so the batch keeps the tag strings and
	// pointers to its own copies (the record's tag slice is reused).
	start := len(b.strs)
	b.strs = append(b.strs, m.tags...)
	for i := start; i < len(b.strs); i++ {
		b.ptrs = append(b.ptrs, nil)
	}
	r.Tags = b.ptrs[len(b.ptrs)-len(m.tags):]
	for i := range r.Tags {
		r.Tags[i] = &b.strs[start+i]
	}
	if m.card {
		b.card = append(b.card[:0], '{')
		b.card = appendCard(b.card, m)
		r.CardData = string(append(b.card, '}'))
	}
	if len(m.parents) > 0 || m.self {
		bm := hubapi.ParquetBaseModels{Relation: RelationNames[m.rel]}
		start := len(b.refs)
		for _, p := range m.parents {
			b.refs = append(b.refs, hubapi.ParquetModelRef{ID: p.id})
		}
		if m.self {
			b.refs = append(b.refs, hubapi.ParquetModelRef{ID: m.id})
		}
		n := len(b.refs) - start
		for range n {
			b.rptr = append(b.rptr, nil)
		}
		bm.Models = b.rptr[len(b.rptr)-n:]
		for i := range bm.Models {
			bm.Models[i] = &b.refs[start+i]
		}
		b.bms = append(b.bms, bm)
		r.BaseModels = &b.bms[len(b.bms)-1]
	}
	if m.params > 0 {
		b.nums = append(b.nums, m.params)
		b.sts = append(b.sts, hubapi.ParquetSafetensors{Total: &b.nums[len(b.nums)-1]})
		r.Safetensors = &b.sts[len(b.sts)-1]
	}
	b.rows = append(b.rows, r)
}
