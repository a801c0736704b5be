package hubapi

import "time"

// ParquetModel is one row of a hub-stats models.parquet, the daily snapshot
// of every public model that the dataset cfahlgren1/hub-stats publishes on
// the Hub (about 2.2M rows): the columns that scripts reading it use, with
// the parquet types as far as they could be established. Struct tags are
// those of github.com/parquet-go/parquet-go; this package does not import
// it. The generator (package lineage/synth) writes its parquet listings
// with this struct.
//
// Sources, and what is not established:
//
//   - Columns: scripts that read the file name id, author, pipeline_tag,
//     library_name, createdAt, lastModified, trendingScore, baseModels,
//     safetensors, tags, gated (only in newer snapshots: one script reads
//     it only "if 'gated' in pf.schema_arrow.names"), downloads,
//     downloadsAllTime (all-time counts start on 2025-02-27) and likes
//     (pyarrow and polars readers of cfahlgren1/hub-stats, and DuckDB
//     queries on it, in public repositories); baseModels is read as
//     baseModels.relation and baseModels.models[].id, safetensors as
//     safetensors.total. cardData is a JSON string in the dataset's
//     spaces.parquet (read there with json_extract); models.parquet is made
//     by the same job, so the same form is assumed here, not seen.
//   - Types: createdAt is a timestamp (DuckDB queries on the file apply
//     DATE_TRUNC to it without a cast). Its unit is not established: the
//     Hub API gives milliseconds, pandas would give nanoseconds; MILLIS,
//     adjusted to UTC, is used here, and lineage's reader accepts every
//     unit, INT96 and text. Counts are INT64. trendingScore is an integer
//     in the API and INT64 here (a float column is as likely if the job
//     went through pandas with nulls). gated is false, "auto" or "manual"
//     in the API; a column of both booleans and strings cannot be written
//     by pyarrow, so a string column is assumed, with Python's "False" for
//     false (not seen).
//   - Nullability: every column, list and list item is optional, as
//     pyarrow writes a pandas frame; lists use the standard three-level
//     LIST encoding (list/element, what pyarrow writes by default since
//     version 13; older files name the item "item").
//   - Left out: _id, modelId, sha, private, disabled, config, siblings,
//     spaces, safetensors.parameters (a struct of dtype counts) and the
//     other columns lineage does not read; baseModels.models items carry
//     only id (the API may also give _id).
//
// Row groups in the real file are not known; the generator writes 100,000
// rows per group.
type ParquetModel struct {
	ID               string              `parquet:"id,optional"`
	Author           string              `parquet:"author,optional"`
	CreatedAt        time.Time           `parquet:"createdAt,optional,timestamp(millisecond)"`
	LastModified     time.Time           `parquet:"lastModified,optional,timestamp(millisecond)"`
	Downloads        *int64              `parquet:"downloads,optional"`
	DownloadsAllTime *int64              `parquet:"downloadsAllTime,optional"`
	Likes            *int64              `parquet:"likes,optional"`
	TrendingScore    *int64              `parquet:"trendingScore,optional"`
	Library          string              `parquet:"library_name,optional"`
	Pipeline         string              `parquet:"pipeline_tag,optional"`
	Gated            string              `parquet:"gated,optional"`
	Tags             []*string           `parquet:"tags,optional,list"` // elements are pointers: pyarrow's list items are nullable
	CardData         string              `parquet:"cardData,optional"`  // the card's metadata as JSON text
	BaseModels       *ParquetBaseModels  `parquet:"baseModels,optional"`
	Safetensors      *ParquetSafetensors `parquet:"safetensors,optional"`
}

// ParquetBaseModels is the baseModels column: the Hub's reading of the
// card's base_model and base_model_relation. Null for a model that states
// no parent.
type ParquetBaseModels struct {
	Relation string             `parquet:"relation,optional"`
	Models   []*ParquetModelRef `parquet:"models,optional,list"`
}

// ParquetModelRef is one item of baseModels.models.
type ParquetModelRef struct {
	ID string `parquet:"id,optional"`
}

// ParquetSafetensors is the safetensors column: the parameter count of the
// weights in safetensors files. Null for a model without them.
type ParquetSafetensors struct {
	Total *int64 `parquet:"total,optional"`
}

// GatedFalse is the gated value of a model that is not gated, as a string
// column holds it (see ParquetModel).
const GatedFalse = "False"
