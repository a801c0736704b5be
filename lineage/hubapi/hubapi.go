// Package hubapi names the fields of a Hugging Face Hub model record as the
// Hub API (/api/models), huggingface_hub and the hub-stats dataset spell
// them: the one list that lineage's listing readers (JSON, the fast JSON
// scanner, parquet), its Hub client and its data generator share, so that
// a field added or respelled in one place is seen by all of them.
//
// It holds names and shapes only: no parsing rules (what a value means,
// which statement of lineage wins, how ids normalise live in package
// lineage and its ingest packages), no I/O, and it imports nothing of ours.
package hubapi

// Field is one field of a model record that lineage reads or writes.
type Field uint8

// The fields, in the order lineage writes them.
const (
	FieldID                 Field = iota // "id"
	FieldModelID                         // "modelId", the older API's id
	FieldAuthor                          // "author"
	FieldCreatedAt                       // "createdAt" (huggingface_hub: "created_at")
	FieldLastModified                    // "lastModified" (huggingface_hub: "last_modified")
	FieldDownloads                       // "downloads": the last 30 days
	FieldDownloadsAllTime                // "downloadsAllTime"
	FieldLikes                           // "likes"
	FieldTrendingScore                   // "trendingScore"
	FieldLibrary                         // "library_name"
	FieldPipeline                        // "pipeline_tag"
	FieldGated                           // "gated": false, "auto" or "manual"
	FieldTags                            // "tags"
	FieldCardData                        // "cardData" (huggingface_hub: "card_data"): an object, or YAML text
	FieldBaseModels                      // "baseModels": {"relation": ..., "models": [{"id": ...}]}
	FieldSafetensors                     // "safetensors": {"total": N, ...}
	FieldChildrenModelCount              // "childrenModelCount" (model route only)
	FieldEvidence                        // "lineageEvidence": what lineage fetch --evidence read from repo files
	FieldAliases                         // "lineageAliases": earlier ids of a renamed model, as lineage fetch met them
	NumFields
)

var spellings = [NumFields][]string{
	FieldID: {"id"}, FieldModelID: {"modelId"}, FieldAuthor: {"author"},
	FieldCreatedAt: {"createdAt", "created_at"}, FieldLastModified: {"lastModified", "last_modified"},
	FieldDownloads: {"downloads"}, FieldDownloadsAllTime: {"downloadsAllTime"}, FieldLikes: {"likes"},
	FieldTrendingScore: {"trendingScore"}, FieldLibrary: {"library_name"}, FieldPipeline: {"pipeline_tag"},
	FieldGated: {"gated"}, FieldTags: {"tags"}, FieldCardData: {"cardData", "card_data"}, FieldBaseModels: {"baseModels"},
	FieldSafetensors: {"safetensors"}, FieldChildrenModelCount: {"childrenModelCount"}, FieldEvidence: {"lineageEvidence"},
	FieldAliases: {"lineageAliases"},
}

// Name returns the field's canonical (Hub API) spelling.
func (f Field) Name() string { return spellings[f][0] }

// Spellings returns every spelling of the field lineage accepts, the
// canonical one first. The caller must not modify the result.
func (f Field) Spellings() []string { return spellings[f] }

func (f Field) String() string { return f.Name() }

var byName = func() map[string]Field {
	m := map[string]Field{}
	for f := Field(0); f < NumFields; f++ {
		for _, s := range spellings[f] {
			m[s] = f
		}
	}
	return m
}()

// Lookup returns the field a JSON key or parquet column names, matched
// exactly (the Hub's keys are case-sensitive).
func Lookup(key string) (Field, bool) {
	f, ok := byName[key]
	return f, ok
}

// Keys returns every accepted spelling of every field, in field order.
func Keys() []string {
	var out []string
	for f := Field(0); f < NumFields; f++ {
		out = append(out, spellings[f]...)
	}
	return out
}

// CardKeys are the model-card (front matter or cardData) keys lineage reads.
var CardKeys = []string{"base_model", "base_model_relation", "finetuned_from", "language", "library_name", "license", "pipeline_tag", "tags"}

// Model is a model record in the Hub API's JSON shape: what lineage fetch
// writes and what the generator produces, one per line of a listing.
// Numbers are pointers so that an absent figure stays absent.
type Model struct {
	ID               string      `json:"id"`
	Author           string      `json:"author,omitempty"`
	CreatedAt        string      `json:"createdAt,omitempty"`
	LastModified     string      `json:"lastModified,omitempty"`
	Downloads        *int64      `json:"downloads,omitempty"`
	DownloadsAllTime *int64      `json:"downloadsAllTime,omitempty"`
	Likes            *int64      `json:"likes,omitempty"`
	TrendingScore    *float64    `json:"trendingScore,omitempty"`
	Library          string      `json:"library_name,omitempty"`
	Pipeline         string      `json:"pipeline_tag,omitempty"`
	Gated            any         `json:"gated,omitempty"`
	Tags             []string    `json:"tags,omitempty"`
	CardData         any         `json:"cardData,omitempty"`
	BaseModels       *BaseModels `json:"baseModels,omitempty"`
	Evidence         []FileFact  `json:"lineageEvidence,omitempty"`
	// Aliases are ids the model was asked for by that the Hub redirected
	// to this one (a renamed or moved repository): an edge naming an alias
	// names this model.
	Aliases []string `json:"lineageAliases,omitempty"`
}

// BaseModels is the API's baseModels field: the relation of the model to
// its parents and the parents.
type BaseModels struct {
	Relation string     `json:"relation,omitempty"`
	Models   []ModelRef `json:"models"`
}

// ModelRef names one model.
type ModelRef struct {
	ID string `json:"id"`
}

// FileFact is one value read from a file of a model's repository by
// lineage fetch --evidence: the file, the key and the value as found.
type FileFact struct {
	File  string `json:"file"`
	Key   string `json:"key"`
	Value string `json:"value"`
}

// The keys of FileFact values lineage fetch --evidence reads.
const (
	KeyAdapterBase   = "base_model_name_or_path"     // adapter_config.json
	KeyConfigName    = "_name_or_path"               // config.json
	KeyMergeModel    = "mergekit.models"             // mergekit_config.yml: a model merged (models:, slices: sources)
	KeyMergeBase     = "mergekit.base_model"         // mergekit_config.yml: base_model
	KeyGGUFBaseRepo  = "general.base_model.repo_url" // GGUF header, any index N of general.base_model.N.repo_url
	KeyGGUFBaseName  = "general.base_model.name"     // GGUF header: "organization/name" of general.base_model.N
	KeyGGUFBasename  = "general.basename"            // GGUF header
	KeyGGUFQuantBy   = "general.quantized_by"        // GGUF header
	KeyGGUFModelName = "general.name"                // GGUF header
)
