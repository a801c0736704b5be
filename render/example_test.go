package render_test

import (
	"fmt"
	"os"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/render"
)

func Example() {
	// The caller owns names and the meaning of labels; here label 0 is a
	// finetune and label 1 a quantization.
	names := []string{"mistralai/Mistral-7B-v0.1", "HuggingFaceH4/zephyr-7b-beta", "TheBloke/zephyr-7b-beta-GGUF", "TheBloke/zephyr-7b-beta-AWQ"}
	b := graph.NewBuilder(len(names))
	b.AddEdge(0, 1, 0)
	b.AddEdge(1, 2, 1)
	b.AddEdge(1, 3, 1)
	g := b.Build()

	info := render.Info{
		Name:      func(v graph.NodeID) string { return names[v] },
		Downloads: func(v graph.NodeID) int64 { return []int64{5_123_456, 812_345, -1, -1}[v] },
		Relation:  func(l graph.Label) string { return []string{render.Finetune, render.Quantized}[l] },
	}
	f, err := render.Select(g, info, render.Options{Root: 1, Fold: true, RankDir: "LR"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Caption())
	fmt.Println(f.FoldedLine())
	if err := f.WriteMermaid(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// showing 2 of 4 models; 2 folded
	// folded: 2 quantized
	// ---
	// title: "showing 2 of 4 models; 2 folded; folded: 2 quantized"
	// ---
	// flowchart LR
	//   n0["mistralai/Mistral-7B-v0.1<br/>5.1M downloads"]
	//   n1["HuggingFaceH4/zephyr-7b-beta<br/>812K downloads"]
	//   n2(["+2 quantized"])
	//   n0 --> n1
	//   n1 --> n2
	//   subgraph legend["Legend"]
	//     legend0a["finetune"] --> legend0b[" "]
	//   end
	//   linkStyle 0 stroke:#1f4e79
	//   linkStyle 1 stroke:#9e9e9e,stroke-dasharray:3 3
	//   linkStyle 2 stroke:#1f4e79
	//   classDef foundation fill:#e3f2fd,stroke:#546e7a,stroke-width:3px
	//   classDef root fill:#fff3b0,stroke:#e65100,stroke-width:3px,font-weight:bold
	//   classDef summary fill:#ffffff,stroke:#9e9e9e,stroke-dasharray:4 3,color:#424242
	//   classDef badge fill:#f5f5f5,stroke:#9e9e9e,color:#424242
	//   class n0 foundation
	//   class n1 root
	//   class n2 badge
	//   click n0 href "https://huggingface.co/mistralai/Mistral-7B-v0.1" _blank
	//   click n1 href "https://huggingface.co/HuggingFaceH4/zephyr-7b-beta" _blank
}
