package hfcache_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
)

// A download places a verified file in the cache the way huggingface_hub
// does; later, offline, Lookup finds it with no network call.
func Example() {
	dir, _ := os.MkdirTemp("", "hub")
	defer os.RemoveAll(dir)
	cache := hfcache.Cache{Dir: dir} // normally hfcache.DirFromEnv(os.Getenv)
	repo, err := cache.Repo(hfgate.RepoTypeModel, "org/model")
	if err != nil {
		panic(err)
	}

	// What the Hub said when the file was resolved at "main".
	const commit = "0123456789abcdef0123456789abcdef01234567"
	const etag = "a16a55fda99d2f2e7b69cce5cf93ff4ad3049930" // git blob id of the content

	// The download package writes and verifies the bytes here...
	partial, _ := repo.IncompletePath(etag)
	os.WriteFile(partial, []byte("hello\n"), 0o600)
	// ...then publishes them and records what "main" is.
	if err := repo.Publish(commit, "greeting.txt", etag, partial); err != nil {
		panic(err)
	}
	if err := repo.WriteRef("main", commit); err != nil {
		panic(err)
	}

	// Offline (HF_HUB_OFFLINE=1):
	p, err := repo.Lookup("main", "greeting.txt")
	if err != nil {
		panic(err)
	}
	rel, _ := filepath.Rel(dir, p)
	b, _ := os.ReadFile(p)
	fmt.Println(filepath.ToSlash(rel))
	fmt.Printf("%q\n", b)
	_, err = repo.Lookup("v2", "greeting.txt")
	fmt.Println(hfgate.ErrorMessage(err))
	// Output:
	// models--org--model/snapshots/0123456789abcdef0123456789abcdef01234567/greeting.txt
	// "hello\n"
	// model org/model is not in the cache at revision v2 (offline mode): run without HF_HUB_OFFLINE=1 to download it
}
