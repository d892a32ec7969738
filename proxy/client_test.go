package proxy_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfhub"
	"github.com/hfgate/hfgate/hubsim"
)

// TestHfgateClient: hfgate's own Hub client, pointed at the gateway, reads
// what it reads from the Hub, and words a policy's refusal as the
// gateway's, not as a gated repo to ask access to.
func TestHfgateClient(t *testing.T) {
	e := newEnv(t)
	client := func(as string) *hfhub.Client {
		return &hfhub.Client{Endpoint: e.url, Token: func(context.Context) (string, error) { return e.users[as].gw, nil }}
	}
	ctx := t.Context()
	f := files[2]
	fi := stat(t, e, f)
	meta, err := client("bob").FileMetadata(ctx, hubsim.RepoXet, "main", f.path)
	if err != nil {
		t.Fatalf("FileMetadata through the gateway: %v", err)
	}
	if meta.ETag != fi.ETag || meta.Size != fi.Size || meta.Commit != fi.Commit {
		t.Errorf("FileMetadata = %+v, want ETag %s size %d commit %s", meta, fi.ETag, fi.Size, fi.Commit)
	}
	if entries, err := client("bob").Tree(ctx, hubsim.RepoXet, "main", "", true); err != nil || len(entries) < 4 {
		t.Errorf("Tree = %d entries, %v", len(entries), err)
	}
	if m, err := client("alice").ModelInfo(ctx, hubsim.RepoQwenCoder7BGGUF, ""); err != nil || m.ID != hubsim.RepoQwenCoder7BGGUF {
		t.Errorf("ModelInfo = %v, %v", m, err)
	}

	_, err = client("bob").FileMetadata(ctx, hubsim.RepoQwenCoder7BGGUF, "main", "README.md")
	if hfgate.ErrorCode(err) != hfgate.EFORBIDDEN || hfgate.ErrorAction(err) != "" ||
		!strings.Contains(hfgate.ErrorMessage(err), "refused") || !strings.Contains(hfgate.ErrorMessage(err), "default-deny") {
		t.Errorf("bob's FileMetadata of a repo the policy keeps for acme: %v (code %s, action %q)", err, hfgate.ErrorCode(err), hfgate.ErrorAction(err))
	}
	var he *hfhub.HTTPError
	if !asHTTPError(err, &he) || he.GatewayRule != "default-deny" {
		t.Errorf("the HTTPError does not name the gateway's rule: %+v", he)
	}
}
