package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/ipfs"
	"github.com/hfgate/hfgate/kubo"
)

// noNodeAdvice is what printError adds to an error that found no IPFS node.
const noNodeAdvice = `start one with "ipfs daemon" (Kubo, https://docs.ipfs.tech/install/command-line/), ` +
	`or give its RPC API address with --ipfs-api or IPFS_API`

func (a *app) ipfsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ipfs",
		Short: "Pin downloaded model files on a local IPFS node and list what is pinned",
		Long: `Hand model files from the Hugging Face cache to an IPFS node (Kubo), so that
they can be shared and fetched peer to peer by their CID. Each file is checked
against its SHA-256 while it is sent, added with CIDv1 and raw leaves, and
pinned; its CID is recorded beside the cache entry (hfgate cache ls --json shows
it), so a file is never added twice.

The node is found as Kubo's own tools find it: --ipfs-api, else IPFS_API, else
the address a running "ipfs daemon" writes to $IPFS_PATH/api (default
~/.ipfs/api). An address that is not on this machine's loopback is used only
when given with --ipfs-api or IPFS_API. With no node running, commands that
need one exit with status 9.`,
		Example: `  ipfs daemon &
  hfgate download hubsim/tiny-llama-GGUF tiny-llama-Q4_K_M.gguf --ipfs
  hfgate ipfs add Qwen/Qwen2.5-Coder-7B-Instruct-GGUF qwen2.5-coder-7b-instruct-q4_k_m.gguf
  hfgate ipfs ls
  hfgate ipfs rm Qwen/Qwen2.5-Coder-7B-Instruct-GGUF qwen2.5-coder-7b-instruct-q4_k_m.gguf`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var api string
	cmd.PersistentFlags().StringVar(&api, "ipfs-api", "", "the IPFS node's RPC API, e.g. /ip4/127.0.0.1/tcp/5001 (env IPFS_API; default from $IPFS_PATH/api)")
	cmd.AddCommand(a.ipfsAddCmd(&api), a.ipfsLsCmd(&api), a.ipfsRmCmd(&api), a.ipfsStatusCmd(&api))
	return cmd
}

// ipfsNode finds the IPFS node (--ipfs-api, IPFS_API, $IPFS_PATH/api) and
// returns a Pinner on it and the cache, and the node's address.
func (a *app) ipfsNode(apiFlag string) (*ipfs.Pinner, kubo.API, error) {
	c, _ := a.cache()
	p := &ipfs.Pinner{Cache: c}
	api, err := kubo.FindAPI(apiFlag, a.getenv)
	if err != nil {
		if api.From == kubo.FromArgument {
			err = hfgate.WrapError(hfgate.EINVALID, err, "--ipfs-api: %s", hfgate.ErrorMessage(err))
		}
		return p, api, err
	}
	p.Node = &kubo.Client{API: api.URL}
	return p, api, nil
}

// ipfsReady finds the node and checks that it answers, within 10 seconds,
// before any long work starts.
func (a *app) ipfsReady(ctx context.Context, apiFlag string) (*ipfs.Pinner, kubo.API, string, error) {
	p, api, err := a.ipfsNode(apiFlag)
	if err != nil {
		return nil, api, "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	version, err := p.Node.Version(ctx)
	return p, api, version, err
}

// apiSource says where the node's address came from, for messages.
func apiSource(api kubo.API) string {
	switch api.From {
	case kubo.FromArgument:
		return "--ipfs-api"
	case kubo.FromEnv:
		return kubo.EnvAPI
	}
	return api.File
}
