package lineage

import "github.com/lineage-project/lineage/lineage/modelid"

// Problem kinds for values that are reported rather than used.
const (
	KindEmpty        = modelid.Empty
	KindLocalPath    = modelid.LocalPath
	KindHTML         = modelid.HTML
	KindInvalidID    = modelid.InvalidID
	KindURLForm      = "url_or_revision_form"
	KindSelfRef      = "self_reference"
	KindUnknownRel   = "unknown_relation"
	KindDuplicate    = "duplicate_record"
	KindBadRecord    = "bad_record"
	KindLegacyKey    = "legacy_finetuned_from"
	KindCycle        = "cycle"
	KindDangling     = "dangling_parent"
	KindListDup      = "list_duplicate"
	KindSkippedInput = "skipped_input"  // a file that could not be read at all
	KindInputFault   = "input_fault"    // a file readable only up to a line: the records before it are kept
	KindDuplicateKey = "duplicate_key"  // a key given twice in a card's YAML: the last value is used
	KindRenamed      = "renamed_parent" // a parent named by an id the Hub has renamed
	KindRecoveredRow = "recovered_row"  // an exported recovered edge: not read as a declaration

	KindCaseVariant          = "case_variant"
	KindDupConflict          = "duplicate_conflicting_parents"
	KindRelationContradicts  = "relation_contradicts_id"
	KindCardTags             = "card_tags_disagree"
	KindGrandparentShortcut  = "grandparent_shortcut"
	KindConflictingRelations = "conflicting_relations" // one model's parents carry different relations
)
