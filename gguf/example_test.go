package gguf_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/hfgate/hfgate/gguf"
)

// Reading a local file; a remote one works the same through an io.ReaderAt
// whose ReadAt makes one HTTP Range request.
func ExampleRead() {
	f, err := os.Open("Qwen2.5-7B-Instruct-Q4_K_M.gguf")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		log.Fatal(err)
	}
	h, err := gguf.Read(context.Background(), f, st.Size())
	if err != nil {
		log.Fatal(err)
	}
	e, err := gguf.Estimate([]*gguf.File{h}, gguf.EstimateOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s %s, %.2fB parameters, needs about %.1f GiB at %d tokens\n",
		h.Architecture(), h.Quantization(), float64(h.ParameterCount())/1e9,
		float64(e.Total)/(1<<30), e.ContextLength)
}

func ExampleQuantizationFromFilename() {
	for _, name := range []string{
		"qwen2.5-coder-7b-instruct-q4_k_m.gguf",
		"Meta-Llama-3-8B-Instruct.Q5_K_S.gguf",
		"llama-3-70b-bf16-00001-of-00003.gguf",
	} {
		fmt.Println(gguf.QuantizationFromFilename(name))
	}
	// Output:
	// Q4_K_M
	// Q5_K_S
	// BF16
}

func ExampleShardInfo() {
	i, n, ok := gguf.ShardInfo("llama-3-70b-bf16-00002-of-00003.gguf")
	fmt.Println(i, n, ok)
	// Output: 2 3 true
}
