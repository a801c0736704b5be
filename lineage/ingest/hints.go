package ingest

import (
	"bytes"

	"go.yaml.in/yaml/v3"

	"github.com/lineage-project/lineage/lineage"
)

// Limits of the hint search in a card's body.
const (
	maxHintsPerCard = 32
	maxBlockBytes   = 64 << 10 // a code block larger than this is not parsed
)

// linkPhrases are the phrases of prose that name a model's parent just
// before a link to it, lower case, and what they say. The Trainer's own
// card text ("This model is a fine-tuned version of [X](...)") and the
// quantizers' ("Original model: ...") are the common ones.
var linkPhrases = []struct {
	phrase string
	key    string
}{
	{"fine-tuned version of", lineage.HintLinkFrom},
	{"finetuned version of", lineage.HintLinkFrom},
	{"fine-tuned from", lineage.HintLinkFrom},
	{"finetuned from", lineage.HintLinkFrom},
	{"fine tuned from", lineage.HintLinkFrom},
	{"quantized version of", lineage.HintLinkQuant},
	{"quantised version of", lineage.HintLinkQuant},
	{"quantizations of", lineage.HintLinkQuant},
	{"quants of", lineage.HintLinkQuant},
	{"gguf version of", lineage.HintLinkQuant},
	{"original model:", lineage.HintLinkQuant},
	{"original model is", lineage.HintLinkQuant},
	{"merge of", lineage.HintLinkMerge},
}

// cardHints finds lineage hints in a card's body: mergekit configurations
// and training configurations in fenced code blocks, and links to a model
// that a phrase of linkPhrases introduces on the same line. Values are kept
// as written (URLs, names); at most maxHintsPerCard are kept, each value
// once per key.
func cardHints(body []byte, source string) []lineage.Hint {
	var out []lineage.Hint
	add := func(key, value string) {
		if len(out) >= maxHintsPerCard || value == "" {
			return
		}
		for _, h := range out {
			if h.Key == key && h.Value == value {
				return
			}
		}
		out = append(out, lineage.Hint{Kind: lineage.HintCard, Source: source, Key: key, Value: value})
	}
	var block []byte
	inBlock := false
	for len(body) > 0 && len(out) < maxHintsPerCard {
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		t := bytes.TrimSpace(line)
		if bytes.HasPrefix(t, []byte("```")) || bytes.HasPrefix(t, []byte("~~~")) {
			if inBlock {
				configHints(block, add)
				block = block[:0]
			}
			inBlock = !inBlock
			continue
		}
		if inBlock {
			if len(block)+len(line) < maxBlockBytes {
				block = append(append(block, line...), '\n')
			}
			continue
		}
		linkHints(line, add)
	}
	return out
}

// linkHints adds the model links that a phrase of linkPhrases introduces in
// line: the first link to the Hub within 300 bytes after the phrase.
func linkHints(line []byte, add func(key, value string)) {
	if len(line) < 8 {
		return
	}
	low := bytes.ToLower(line)
	for _, p := range linkPhrases {
		from := 0
		for {
			i := bytes.Index(low[from:], []byte(p.phrase))
			if i < 0 {
				break
			}
			start := from + i + len(p.phrase)
			win := low[start:min(len(low), start+300)]
			if j := bytes.Index(win, []byte("huggingface.co/")); j >= 0 {
				add(p.key, "https://"+string(urlPath(line[start+j:])))
			} else if j := bytes.Index(win, []byte("hf.co/")); j >= 0 {
				add(p.key, "https://"+string(urlPath(line[start+j:])))
			}
			from = start
		}
	}
}

// urlPath returns the URL at the start of b (host and path), up to the
// first byte that cannot be in a Markdown link target.
func urlPath(b []byte) []byte {
	for i, c := range b {
		switch c {
		case ')', ']', '>', '<', '"', '\'', ' ', '\t', '\r', '`', '*', ',', '|':
			return b[:i]
		}
	}
	return b
}

// configHints reads a fenced code block as YAML and, when it is a mergekit
// configuration (merge_method, models or slices), adds its base_model and
// the models it merges; when it is another configuration with a
// base_model (axolotl and other trainers), adds that.
func configHints(block []byte, add func(key, value string)) {
	if !bytes.Contains(block, []byte("base_model:")) && !bytes.Contains(block, []byte("model:")) {
		return
	}
	var node yaml.Node
	if yaml.Unmarshal(block, &node) != nil || len(node.Content) == 0 || yamlDepth(&node, 0, DefaultMaxDepth) > DefaultMaxDepth {
		return
	}
	root := node.Content[0]
	if root.Kind != yaml.MappingNode {
		return
	}
	get := func(m *yaml.Node, key string) *yaml.Node {
		if m == nil || m.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				return m.Content[i+1]
			}
		}
		return nil
	}
	scalar := func(n *yaml.Node) string {
		if n != nil && n.Kind == yaml.ScalarNode {
			return n.Value
		}
		return ""
	}
	merge := get(root, "merge_method") != nil || get(root, "models") != nil || get(root, "slices") != nil
	if base := scalar(get(root, "base_model")); base != "" {
		if merge {
			add(lineage.HintMergeBase, base)
		} else {
			add(lineage.HintTrainBase, base)
		}
	}
	if !merge {
		return
	}
	model := func(n *yaml.Node) {
		if s := scalar(n); s != "" {
			add(lineage.HintMergeModel, s)
			return
		}
		add(lineage.HintMergeModel, scalar(get(n, "model")))
	}
	if ms := get(root, "models"); ms != nil && ms.Kind == yaml.SequenceNode {
		for _, it := range ms.Content {
			model(it)
		}
	}
	if sl := get(root, "slices"); sl != nil && sl.Kind == yaml.SequenceNode {
		for _, s := range sl.Content {
			if src := get(s, "sources"); src != nil && src.Kind == yaml.SequenceNode {
				for _, it := range src.Content {
					model(it)
				}
			}
		}
	}
}
