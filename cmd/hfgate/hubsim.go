package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubsim"
)

// defaultHubsimAddr is a fixed, memorable port so that HF_ENDPOINT can be
// set once; --addr 127.0.0.1:0 picks a free one.
const defaultHubsimAddr = "127.0.0.1:7860"

// hubsimFlags are the flags of "hfgate hubsim".
type hubsimFlags struct {
	addr, cdnAddr, catalog, autoApprove string
	asJSON                              bool
}

func (a *app) hubsimCmd() *cobra.Command {
	var f hubsimFlags
	cmd := &cobra.Command{
		Use:   "hubsim",
		Short: "Run the simulated Hugging Face Hub on this machine",
		Long: `Run hubsim, a simulated Hugging Face Hub, until interrupted: the OAuth 2.0 /
OpenID Connect provider (consent page, PKCE, refresh, device flow), the Hub's
read API for models, datasets and Spaces (search, repo info, trees, paths-info,
refs, commits, auth-check, Xet metadata), file downloads through a separate
"CDN" host, a simulated GitHub Actions ID token service at /_hubsim/ci, and a
built-in catalog of coder GGUF models, a gated repo, a private repo, a
Xet-backed repo, a dataset and a Space. Point any Hugging Face client at it
with HF_ENDPOINT. It listens on loopback only.

Built-in users: alice (granted the gated repo, writer in org acme) and bob (no
grants, no org). OAuth apps: hubsim-public (public, PKCE) and
hubsim-confidential (secret hubsim-secret), with the redirect URIs
http://127.0.0.1/callback and http://127.0.0.1/auth/oauth/callback/huggingface
on any port. Mint a classic token with POST /_hubsim/tokens; change
memberships, grants and disabled users with PUT /_hubsim/memberships,
/_hubsim/grants and /_hubsim/users/disabled (see the README).

With --json it prints one line {"hub":URL,"cdn":URL} once it is listening.`,
		Example: `  hfgate hubsim
  hfgate hubsim --addr 127.0.0.1:0 --json
  hfgate hubsim --auto-approve alice        # OAuth sign-ins approve at once as alice
  hfgate hubsim --catalog my-catalog.json

  # in another terminal:
  export HF_ENDPOINT=http://127.0.0.1:7860
  curl -s -X POST $HF_ENDPOINT/_hubsim/tokens -d '{"user":"alice"}'
  curl -s -X PUT $HF_ENDPOINT/_hubsim/memberships -d '{"user":"bob","org":"acme","role":"read"}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runHubsim(cmd.Context(), f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", defaultHubsimAddr, "loopback host:port of the Hub (port 0 picks a free port)")
	fl.StringVar(&f.cdnAddr, "cdn-addr", "127.0.0.1:0", "loopback host:port of the CDN host that serves large files")
	fl.StringVar(&f.catalog, "catalog", "", "catalog JSON file to serve instead of the built-in catalog")
	fl.StringVar(&f.autoApprove, "auto-approve", "", "approve every OAuth sign-in at once as this user (alice or bob)")
	fl.BoolVar(&f.asJSON, "json", false, `print {"hub":URL,"cdn":URL} on one line once listening`)
	return cmd
}

func (a *app) runHubsim(ctx context.Context, f hubsimFlags) error {
	for _, addr := range []string{f.addr, f.cdnAddr} {
		if err := checkLoopbackAddr(addr); err != nil {
			return err
		}
	}
	opts := hubsim.Options{AutoApprove: f.autoApprove}
	if f.catalog != "" {
		cat, err := loadCatalog(f.catalog)
		if err != nil {
			return err
		}
		opts.Catalog = cat
	}
	s, err := hubsim.New(opts)
	if err != nil {
		return hfgate.WrapError(hfgate.EINVALID, err, "cannot start hubsim: %v", err)
	}
	if err := s.Start(f.addr, f.cdnAddr); err != nil {
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err,
			"cannot listen (%v): is the port in use? Choose another with --addr or --cdn-addr, or port 0 for a free one", err)
	}
	if f.asJSON {
		err = json.NewEncoder(a.io.Out).Encode(map[string]string{"hub": s.URL(), "cdn": s.CDNURL()})
	} else {
		err = a.printHubsimHowTo(s, f.autoApprove)
	}
	if err != nil {
		s.Close()
		return err
	}
	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(shutdownCtx); err != nil {
		s.Close()
	}
	return nil
}

// checkLoopbackAddr refuses an address that is not on a loopback interface:
// hubsim hands out tokens and has admin routes with no authentication.
func checkLoopbackAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err == nil && port != "" {
		if hfgate.IsLoopbackHost(host) {
			return nil
		}
	}
	return hfgate.Errorf(hfgate.EINVALID,
		"address %q is not a loopback host:port: hubsim only listens on loopback, e.g. --addr 127.0.0.1:7860", addr)
}

func loadCatalog(path string) (*hubsim.Catalog, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "cannot open the catalog file %s", path)
	}
	defer fh.Close()
	cat, err := hubsim.LoadCatalog(fh)
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "catalog file %s is not valid: %s", path, catalogProblem(err))
	}
	return cat, nil
}

// catalogProblem words a catalog error without the decoder's jargon.
func catalogProblem(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "the JSON ends too early (a missing } or ]?)"
	}
	msg := strings.TrimPrefix(err.Error(), "parse catalog: ")
	return strings.TrimPrefix(msg, "json: ")
}

func (a *app) printHubsimHowTo(s *hubsim.Server, autoApprove string) error {
	approve := "OAuth sign-ins show a consent page where you pick alice or bob."
	if autoApprove != "" {
		approve = "OAuth sign-ins are approved at once as " + autoApprove + "."
	}
	_, err := fmt.Fprintf(a.io.Out, `hubsim, a simulated Hugging Face Hub, is running (Ctrl-C stops it).
  Hub: %[1]s
  CDN: %[2]s

Use it:
  export HF_ENDPOINT=%[1]s
  curl -s -X POST %[1]s/_hubsim/tokens -d '{"user":"alice"}'   # a classic hf_ token
  curl -s %[1]s/api/models?search=coder

Users: alice (granted the gated repo, writer in org acme), bob (no grants).
CI identity provider (GitHub Actions' contract): %[1]s/_hubsim/ci
OAuth apps: %[3]s (public, PKCE), %[4]s (secret %[5]s);
redirect URIs http://127.0.0.1/callback and http://127.0.0.1/auth/oauth/callback/huggingface, any port.
%[6]s
`, s.URL(), s.CDNURL(), hubsim.ClientPublic, hubsim.ClientConfidential, hubsim.ClientSecret, approve)
	return err
}
