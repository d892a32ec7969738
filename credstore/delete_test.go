package credstore

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/hfgate/hfgate"
)

func TestDeleteReport(t *testing.T) {
	mem := newMemKeyring(t)
	s, _ := newStore(t, mem, map[string]string{"HF_TOKEN": "hf_env"})
	ctx := context.Background()
	mem.put(t, oauthCred(HuggingFaceEndpoint, "kr", "r"))
	mem.put(t, oauthCred(hubsim, "kr-sim", "r"))
	writeFallback(t, s, 0o600, map[string]*hfgate.Credential{
		HuggingFaceEndpoint: oauthCred(HuggingFaceEndpoint, "file", "r"),
		hubsim:              oauthCred(hubsim, "file-sim", "r"),
	})
	writeHFToken(t, s, "hf_official")

	r, err := s.Delete(ctx, "https://huggingface.co/", local)
	if err != nil {
		t.Fatal(err)
	}
	wantRemoved := []string{
		"OS keyring entry for https://huggingface.co",
		s.filePath() + " entry for https://huggingface.co",
	}
	wantRemaining := []string{"HF_TOKEN is still set in your environment"}
	if !slices.Equal(r.Removed, wantRemoved) {
		t.Errorf("Removed = %q\nwant %q", r.Removed, wantRemoved)
	}
	if !slices.Equal(r.Remaining, wantRemaining) {
		t.Errorf("Remaining = %q\nwant %q", r.Remaining, wantRemaining)
	}
	if r.OfficialTokenFile != s.HFTokenPath() {
		t.Errorf("OfficialTokenFile = %q, want %q", r.OfficialTokenFile, s.HFTokenPath())
	}

	// What Delete does not own is untouched, and other endpoints survive.
	if data, err := os.ReadFile(s.HFTokenPath()); err != nil || string(data) != "hf_official" {
		t.Errorf("official token file = %q, %v; want it untouched", data, err)
	}
	if _, ok := mem.entries[KeyringService+"/"+hubsim]; !ok {
		t.Errorf("keyring entry of another endpoint was deleted")
	}
	entries, err := readFile(s.filePath(), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[hubsim] == nil {
		t.Errorf("file entries = %v, want only %s", keys(entries), hubsim)
	}
	assertMode(t, s.filePath(), 0o600)

	// Deleting again removes nothing and is no error.
	r, err = s.Delete(ctx, HuggingFaceEndpoint, local)
	if err != nil || len(r.Removed) != 0 {
		t.Errorf("second Delete = %+v, %v; want nothing removed", r, err)
	}
}

func TestDeleteOtherEndpointIgnoresOfficialTokenFile(t *testing.T) {
	s, _ := newStore(t, newMemKeyring(t), nil)
	writeHFToken(t, s, "hf_official")
	r, err := s.Delete(context.Background(), hubsim, local)
	if err != nil || len(r.Removed) != 0 || len(r.Remaining) != 0 || r.OfficialTokenFile != "" {
		t.Fatalf("Delete = %+v, %v; want an empty report", r, err)
	}
}

func TestDeleteLastFileEntryRemovesFile(t *testing.T) {
	s, _ := newStore(t, unavailableKeyring(t), nil)
	writeFallback(t, s, 0o644, map[string]*hfgate.Credential{hubsim: oauthCred(hubsim, "a", "r")})
	r, err := s.Delete(context.Background(), hubsim, local)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{s.filePath() + " entry for " + hubsim}; !slices.Equal(r.Removed, want) {
		t.Errorf("Removed = %q, want %q", r.Removed, want)
	}
	wantRemaining := "the OS keyring could not be checked (cannot connect to the D-Bus session bus): an entry for " + hubsim + " there, if any, is still stored"
	if len(r.Remaining) != 1 || r.Remaining[0] != wantRemaining {
		t.Errorf("Remaining = %q, want [%q]", r.Remaining, wantRemaining)
	}
	if _, err := os.Stat(s.filePath()); !os.IsNotExist(err) {
		t.Errorf("empty fallback file left behind (stat err %v)", err)
	}
	assertNoTempFiles(t, s.ConfigDir)
}
