package hubsim

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"
)

// Catalog is the set of repositories (models, datasets and Spaces) hubsim
// serves, with the model architectures and tokenizers its generated files
// are built from. It is read from JSON (LoadCatalog; "hfgate hubsim
// --catalog FILE"); the built-in catalog is the same format, embedded.
//
// Users and organizations are not part of a catalog: they come from
// Options (by default alice, bob and org acme). Repos refer to them by name,
// as owner (the part of the id before '/') and in Repo.Granted; New checks
// that the names it is given cover those of Repo.Granted.
//
// A Catalog must not be modified after it is loaded. It is then safe for
// concurrent use, and may be shared by several Servers: the file contents it
// generates and the digests it computes are memoised in it.
type Catalog struct {
	// Models are the architectures that GGUF and safetensors files are
	// generated from, by name (GGUFSpec.Model, SafetensorsSpec.Model).
	Models map[string]*ModelSpec `json:"models"`
	// Tokenizers are the vocabularies models use, by name
	// (ModelSpec.Tokenizer).
	Tokenizers map[string]*TokenizerSpec `json:"tokenizers"`
	// Repos are the repositories.
	Repos []*Repo `json:"repos"`

	idx *catalogIndex // built by LoadCatalog
}

// Repo is one repository.
type Repo struct {
	ID string `json:"id"` // "owner/name" (or a legacy bare "name")
	// Type is "model" (the default), "dataset" or "space". Ids are unique
	// per type, as on the Hub.
	Type        string   `json:"type,omitempty"`
	RenamedFrom []string `json:"renamedFrom,omitempty"` // old ids; requests to them answer 307 to ID
	Private     bool     `json:"private,omitempty"`
	Gated       string   `json:"gated,omitempty"`    // "", "auto" or "manual"
	Granted     []string `json:"granted,omitempty"`  // users granted access to a gated repo
	Disabled    bool     `json:"disabled,omitempty"` // taken down: file access answers 403
	// Xet says that the repo's LFS files are stored in Xet, as most of the
	// Hub's are: resolve adds X-Xet-Hash and the xet-auth Link, tree and
	// paths-info entries carry xetHash, and xet-read-token answers. Plain
	// HTTP through the resolve redirect still serves the bytes.
	Xet bool `json:"xet,omitempty"`
	// Unsafe lists files that the Hub's scanners flag, with the level
	// they report ("caution" or "unsafe"): model info's securityRepoStatus
	// and the files' securityFileStatus say so.
	Unsafe map[string]string `json:"unsafe,omitempty"`

	// Description and Citation are a dataset's (dataset_info); SDK is a
	// Space's ("gradio", "streamlit", "docker" or "static").
	Description string `json:"description,omitempty"`
	Citation    string `json:"citation,omitempty"`
	SDK         string `json:"sdk,omitempty"`

	Downloads        int64    `json:"downloads"` // last 30 days
	DownloadsAllTime int64    `json:"downloadsAllTime"`
	Likes            int64    `json:"likes"`
	TrendingScore    int64    `json:"trendingScore"`
	Tags             []string `json:"tags"`
	PipelineTag      string   `json:"pipeline_tag,omitempty"`
	LibraryName      string   `json:"library_name,omitempty"`

	// CreatedAt defaults to the date of the first commit.
	CreatedAt time.Time `json:"createdAt,omitzero"`
	// CardData is the model card's YAML front matter, as a JSON object. It
	// is served as cardData and rendered into files with Card set.
	CardData json.RawMessage `json:"cardData,omitempty"`
	// Readme is the Markdown body of the model card, after the front matter.
	Readme string `json:"readme,omitempty"`

	// Commits is the history, oldest first. The newest commit with PR == 0
	// is the head of main.
	Commits []*Commit `json:"commits,omitempty"`
	// Files and LastModified are a shorthand for a typical upload: when
	// Commits is empty, the history becomes an "initial commit" holding
	// .gitattributes at CreatedAt and an upload commit holding Files at
	// LastModified.
	Files        []*File   `json:"files,omitempty"`
	LastModified time.Time `json:"lastModified,omitzero"`
}

// Commit is one commit of a repo. Its id is a deterministic 40-hex sha
// derived from the repo, its position, title and date.
type Commit struct {
	Title string    `json:"title"`
	Date  time.Time `json:"date"`
	Tags  []string  `json:"tags,omitempty"` // git tags pointing at this commit
	// PR, when > 0, makes this commit the head of refs/pr/<PR>, based on the
	// main commit before it, instead of a commit on main.
	PR    int     `json:"pr,omitempty"`
	Files []*File `json:"files"` // the whole tree at this commit
}

// File is one file of a commit. Its content comes from exactly one source:
// GGUF, Safetensors, Random, Tokenizer, Card, JSON, or else Text.
type File struct {
	Path string `json:"path"`
	// LFS says whether the file is stored with Git LFS (resolve redirects to
	// the CDN). If nil: true for GGUF, Safetensors and Random content, false
	// otherwise.
	LFS *bool `json:"lfs,omitempty"`

	Text        string           `json:"text,omitempty"`        // literal content
	JSON        json.RawMessage  `json:"json,omitempty"`        // content: this JSON, indented
	Card        bool             `json:"card,omitempty"`        // content: the repo's model card (front matter + Readme)
	Tokenizer   *TokenizerFile   `json:"tokenizer,omitempty"`   // content: a generated tokenizer.json or vocab.txt
	GGUF        *GGUFSpec        `json:"gguf,omitempty"`        // content: a generated GGUF file
	Safetensors *SafetensorsSpec `json:"safetensors,omitempty"` // content: a generated safetensors file
	Random      *RandomSpec      `json:"random,omitempty"`      // content: deterministic pseudo-random bytes

	// SHA256, if set, is trusted as the content's digest instead of
	// computing it. Only for custom catalogs that know it already.
	SHA256 string `json:"sha256,omitempty"`
}

// GGUFSpec describes a generated GGUF v3 file: a valid header with the
// model's metadata, full vocabulary and tensor table, followed by
// pseudo-random tensor data.
type GGUFSpec struct {
	Model string `json:"model"` // key of Catalog.Models
	Quant string `json:"quant"` // llama.cpp file type: F32, F16, BF16, Q8_0, Q6_K, Q5_K_M, Q5_K_S, Q4_K_M, Q4_K_S, Q4_0, Q3_K_M, Q2_K
	Name  string `json:"name,omitempty"`
	// Split and Splits make this file shard Split (1-based) of Splits, as
	// llama.cpp's gguf-split writes them: full metadata in the first shard,
	// split.* keys in all, tensors divided by size.
	Split  int    `json:"split,omitempty"`
	Splits int    `json:"splits,omitempty"`
	Seed   string `json:"seed,omitempty"` // default: repo id and path
}

// SafetensorsSpec describes a generated safetensors file: a valid header
// listing the model's tensors with Hugging Face transformers names, followed
// by pseudo-random data.
type SafetensorsSpec struct {
	Model string `json:"model"` // key of Catalog.Models
	DType string `json:"dtype"` // F32, F16 or BF16
	Seed  string `json:"seed,omitempty"`
}

// RandomSpec describes Size bytes of deterministic pseudo-random content.
type RandomSpec struct {
	Size int64  `json:"size"`
	Seed string `json:"seed,omitempty"` // default: repo id and path
}

// TokenizerFile describes a generated tokenizer file for a model.
type TokenizerFile struct {
	Model  string `json:"model"`            // key of Catalog.Models
	Format string `json:"format,omitempty"` // "json" (tokenizer.json, the default) or "vocab.txt"
}

//go:embed builtin_catalog.json
var builtinCatalogJSON []byte

var builtinCatalog = sync.OnceValues(func() (*Catalog, error) {
	table, err := parseDigestTable(builtinDigestsJSON)
	if err != nil {
		return nil, fmt.Errorf("built-in catalog: %w", err)
	}
	cat, err := parseCatalog(builtinCatalogJSON, table)
	if err != nil {
		return nil, fmt.Errorf("built-in catalog: %w", err)
	}
	return cat, nil
})

// BuiltinCatalog returns the built-in catalog: about thirty repos shaped like
// the real Hub's (coder GGUF models in several quantizations, a sharded GGUF,
// transformers repos, a gated, a private, a renamed and a disabled repo, a
// tiny GGUF repo for fast tests, Xet-backed repos, a benchmark repo, a
// dataset and a Space), with a committed table of SHA-256 digests so that
// no file is hashed at start.
//
// The Catalog is shared by every caller and must not be modified.
func BuiltinCatalog() (*Catalog, error) { return builtinCatalog() }

// LoadCatalog reads a catalog in the built-in catalog's JSON format and
// checks it: every repo id valid and unique per type, references to models and
// tokenizers resolvable, exactly one content source per file. Digests of its
// files are computed when first needed (once per file, even under concurrent
// requests) unless File.SHA256 gives them.
func LoadCatalog(r io.Reader) (*Catalog, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	return parseCatalog(data, nil)
}

func parseCatalog(data []byte, table digestTable) (*Catalog, error) {
	var cat Catalog
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // a misspelt field would silently change a file
	if err := dec.Decode(&cat); err != nil {
		return nil, fmt.Errorf("parse catalog: %w", err)
	}
	idx, err := buildIndex(&cat, table)
	if err != nil {
		return nil, err
	}
	cat.idx = idx
	return &cat, nil
}

// Repos of the built-in catalog that tests of other packages rely on.
const (
	// RepoQwenCoder7BGGUF holds qwen2.5-coder-7b-instruct-{q4_k_m,q5_k_m,q8_0}.gguf
	// (4.7 to 8.1 GB) and README.md.
	RepoQwenCoder7BGGUF = "Qwen/Qwen2.5-Coder-7B-Instruct-GGUF"
	// RepoShardedGGUF holds qwen2.5-coder-14b-instruct-{q4_k_m,q5_k_m}-0000N-of-00003.gguf.
	RepoShardedGGUF = "Qwen/Qwen2.5-Coder-14B-Instruct-GGUF"
	// RepoTiny holds tiny-llama-{Q2_K,Q4_K_M,Q8_0}.gguf of 3 to 6 MB. Tag
	// TagTinyV1 is an older commit with only Q4_K_M and another README.md;
	// refs/pr/1 adds tiny-llama-F16.gguf on top of main.
	RepoTiny  = "hubsim/tiny-llama-GGUF"
	TagTinyV1 = "v1.0"
	// RepoBenchmark holds blob-2GiB.bin (exactly 2 GiB) and small/file-00.bin
	// to small/file-49.bin (exactly 1 MiB each), all LFS.
	RepoBenchmark = "hubsim/benchmark"
	// RepoTransformers is a transformers repo: config.json, tokenizer.json,
	// model.safetensors (269 MB).
	RepoTransformers = "HuggingFaceTB/SmolLM2-135M-Instruct"
	// RepoGated is gated ("manual"): UserAlice is granted, UserBob is not.
	RepoGated = "meta-llama/Llama-3.2-1B-Instruct"
	// RepoPrivate is a private repo of OrgAcme with small GGUF files.
	RepoPrivate = "acme/acme-coder-tiny-GGUF"
	// RepoPrivateUser is a private repo of UserAlice.
	RepoPrivateUser = "alice/coder-lora-experiments"
	// RepoRenamedFrom is the old id of RepoRenamedTo: requests to it answer 307.
	RepoRenamedFrom = "bert-base-uncased"
	RepoRenamedTo   = "google-bert/bert-base-uncased"
	// RepoDisabled is disabled: its files answer 403.
	RepoDisabled = "nullbyte/CodeLlama-7B-Instruct-uncensored-GGUF"
	// RepoXet is a small Xet-backed GGUF repo: xet-llama-Q4_K_M.gguf and
	// xet-llama-Q8_0.gguf (3 to 6 MB, the tiny llama's weights). Its pickle,
	// original/xet-llama.pt, is flagged unsafe by the simulated scanners.
	RepoXet = "hubsim/xet-llama-GGUF"
	// DatasetTiny is a small dataset: README.md, data/train.jsonl and
	// data/train-00000-of-00001.parquet (LFS). Address it as
	// "datasets/" + DatasetTiny in Catalog.Stat, Catalog.Open and
	// Server.ResolveURL.
	DatasetTiny = "hubsim/tiny-code-instructions"
	// SpaceDemo is a Gradio Space: README.md, app.py, requirements.txt.
	// Address it as "spaces/" + SpaceDemo.
	SpaceDemo = "hubsim/coder-chat"
)
