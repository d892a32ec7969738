package hfhub_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfhub"
	"github.com/hfgate/hfgate/hubsim"
)

// startHubsim runs a simulated Hub for the examples.
func startHubsim() *hubsim.Server {
	s, err := hubsim.New(hubsim.Options{})
	if err != nil {
		panic(err)
	}
	if err := s.Start("127.0.0.1:0", "127.0.0.1:0"); err != nil {
		panic(err)
	}
	return s
}

func ExampleClient_Search() {
	s := startHubsim()
	defer s.Close()
	c := &hfhub.Client{Endpoint: s.URL()} // anonymous; set Token to sign in

	q := hfgate.SearchQuery{Search: "coder", Library: "gguf", Sort: hfgate.SortDownloads, Limit: 3}
	for m, err := range c.Search(context.Background(), q) {
		if err != nil {
			fmt.Println(hfgate.ErrorMessage(err))
			return
		}
		fmt.Println(m.ID, m.Downloads)
	}
	// Output:
	// Qwen/Qwen2.5-Coder-7B-Instruct-GGUF 98234
	// lmstudio-community/Qwen2.5-Coder-7B-Instruct-GGUF 87455
	// bartowski/Qwen2.5-Coder-7B-Instruct-GGUF 61520
}

func ExampleClient_FileMetadata() {
	s := startHubsim()
	defer s.Close()
	c := &hfhub.Client{Endpoint: s.URL()}
	ctx := context.Background()

	meta, err := c.FileMetadata(ctx, hubsim.RepoTiny, "main", "tiny-llama-Q4_K_M.gguf")
	if err != nil {
		fmt.Println(hfgate.ErrorMessage(err))
		return
	}
	fmt.Println("LFS:", meta.IsLFS(), "size:", meta.Size)

	_, err = c.FileMetadata(ctx, hubsim.RepoGated, "main", "config.json")
	var he *hfhub.HTTPError
	if errors.As(err, &he) {
		fmt.Println(hfgate.ErrorCode(err), he.StatusCode, he.ErrorCode)
	}
	// Output:
	// LFS: true size: 3822016
	// unauthorized 401 GatedRepo
}
