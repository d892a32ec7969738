package hfhub_test

import (
	"context"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfhub"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

// TestHubsimAccess checks gated, private and disabled repos as each kind of
// caller sees them.
func TestHubsimAccess(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{})
	ctx := context.Background()
	const gatedFile = "model.safetensors"
	for _, tt := range []struct {
		name, user string
		gatedCode  string // FileMetadata of the gated repo's file
		private    string // ModelInfo of acme's private repo
	}{
		{"anonymous", "", hfgate.EUNAUTHORIZED, hfgate.ENOTFOUND},
		{"bob, not granted", hubsim.UserBob, hfgate.EGATED, hfgate.ENOTFOUND},
		{"alice, granted and in acme", hubsim.UserAlice, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := simClient(t, s, tt.user)
			// A gated repo's info stays visible; its files do not.
			m, err := c.ModelInfo(ctx, hubsim.RepoGated, "")
			if err != nil || m.Gated != "manual" {
				t.Fatalf("ModelInfo(gated) = %+v, %v", m, err)
			}
			_, err = c.FileMetadata(ctx, hubsim.RepoGated, "", gatedFile)
			switch tt.gatedCode {
			case "":
				if err != nil {
					t.Errorf("FileMetadata(gated): %v", err)
				}
			case hfgate.EUNAUTHORIZED:
				wantCode(t, err, tt.gatedCode, "is gated: only signed-in users may ask for access, at "+s.URL()+"/"+hubsim.RepoGated)
			default:
				wantCode(t, err, tt.gatedCode, "not been granted access", s.URL()+"/"+hubsim.RepoGated, "gated-repos")
			}

			_, err = c.ModelInfo(ctx, hubsim.RepoPrivate, "")
			switch {
			case tt.private == "":
				if err != nil {
					t.Errorf("ModelInfo(private): %v", err)
				}
			case tt.user == "":
				wantCode(t, err, tt.private, "private and needs a signed-in user")
			default:
				wantCode(t, err, tt.private, "was not found", "private")
			}

			_, err = c.FileMetadata(ctx, hubsim.RepoDisabled, "", "README.md")
			wantCode(t, err, hfgate.EFORBIDDEN, "disabled")
		})
	}
}

func TestHubsimNotFound(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{})
	c := simClient(t, s, hubsim.UserBob)
	ctx := context.Background()

	_, err := c.ModelInfo(ctx, "nobody/nothing", "")
	wantCode(t, err, hfgate.ENOTFOUND, "repository nobody/nothing was not found")
	_, err = c.ModelInfo(ctx, hubsim.RepoTiny, "no-such-branch")
	wantCode(t, err, hfgate.ENOTFOUND, `revision "no-such-branch"`)
	_, err = c.FileMetadata(ctx, hubsim.RepoTiny, "no-such-branch", "README.md")
	wantCode(t, err, hfgate.ENOTFOUND, `revision "no-such-branch"`)
	_, err = c.Tree(ctx, hubsim.RepoTiny, "", "no-such-dir", false)
	wantCode(t, err, hfgate.ENOTFOUND, "no-such-dir was not found")

	m, err := c.ModelInfo(ctx, hubsim.RepoTiny, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.FileMetadata(ctx, hubsim.RepoTiny, "", "missing/model.gguf")
	wantCode(t, err, hfgate.ENOTFOUND, "missing/model.gguf was not found in "+hubsim.RepoTiny)
	if commit, ok := hfhub.EntryNotFoundCommit(err); !ok || commit != m.SHA {
		t.Errorf("EntryNotFoundCommit = %q, %v; want %s", commit, ok, m.SHA)
	}

	anon := simClient(t, s, "")
	_, err = anon.ModelInfo(ctx, "nobody/nothing", "")
	wantCode(t, err, hfgate.ENOTFOUND, "private and needs a signed-in user")

	bad := &hfhub.Client{Endpoint: s.URL(), Token: func(context.Context) (string, error) { return "hf_revokedOrInvented", nil }}
	_, err = bad.ModelInfo(ctx, hubsim.RepoTiny, "")
	wantCode(t, err, hfgate.EUNAUTHORIZED, "token was rejected")
}

// TestHubsimRenamed follows the 307 of a renamed repo for info, files and
// downloads.
func TestHubsimRenamed(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{})
	c := simClient(t, s, hubsim.UserAlice)
	ctx := context.Background()
	m, err := c.ModelInfo(ctx, hubsim.RepoRenamedFrom, "", hfgate.WithBlobs())
	if err != nil {
		t.Fatalf("ModelInfo: %v", err)
	}
	if m.ID != hubsim.RepoRenamedTo || len(m.Files) == 0 || m.Files[0].BlobID == "" {
		t.Errorf("model %+v", m)
	}
	meta, err := c.FileMetadata(ctx, hubsim.RepoRenamedFrom, "", "config.json")
	if err != nil {
		t.Fatalf("FileMetadata: %v", err)
	}
	if meta.Location != c.ResolveURL(hubsim.RepoRenamedTo, "main", "config.json") || meta.Commit != m.SHA {
		t.Errorf("metadata %+v", meta)
	}
	tree, err := c.Tree(ctx, hubsim.RepoRenamedFrom, "", "", true)
	if err != nil || len(tree) != len(m.Files) {
		t.Errorf("Tree = %d entries, %v; want %d", len(tree), err, len(m.Files))
	}
}
