package hubsim

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
)

// catalogIndex is what LoadCatalog builds from a Catalog: repos by type and
// id, commits, refs and files, and the memoised contents and digests.
type catalogIndex struct {
	repos   map[repoKey]*repoEntry // by current id
	aliases map[repoKey]string     // old id -> current id
	order   []*repoEntry           // catalog order
	gen     *generator
	digests *digestStore
}

// repoKey names a repo: ids are unique per type, as on the Hub.
type repoKey struct {
	typ hfgate.RepoType
	id  string
}

// repoEntry is a repo with its history resolved.
type repoEntry struct {
	*Repo
	typ          hfgate.RepoType
	objectID     string
	owner        string
	commits      []*commitEntry // catalog order, oldest first
	main         *commitEntry
	refs         map[string]*commitEntry // branch, tag, refs/... names and commit ids
	branchRefs   []refName
	tagRefs      []refName
	prRefs       []refName
	createdAt    time.Time
	lastModified time.Time
}

type refName struct {
	name, ref string
	commit    *commitEntry
}

// commitEntry is one commit: its tree as a sorted file list.
type commitEntry struct {
	id     string
	title  string
	date   time.Time
	parent *commitEntry
	files  []*fileEntry // sorted by path
	byPath map[string]*fileEntry
	dirs   map[string]bool // every directory path with files below it
}

// fileEntry is one file of one commit.
type fileEntry struct {
	path       string
	lfs        bool
	key        string // content key: equal keys mean equal content
	lastCommit *commitEntry
	src        *contentSource
}

func buildIndex(cat *Catalog, table digestTable) (*catalogIndex, error) {
	gen, err := newGenerator(cat)
	if err != nil {
		return nil, err
	}
	idx := &catalogIndex{
		repos: map[repoKey]*repoEntry{}, aliases: map[repoKey]string{},
		gen: gen, digests: newDigestStore(table),
	}
	taken := func(k repoKey) bool {
		_, a := idx.repos[k]
		_, b := idx.aliases[k]
		return a || b
	}
	for _, r := range cat.Repos {
		re, err := idx.addRepo(r)
		if err != nil {
			return nil, fmt.Errorf("repo %q: %w", r.ID, err)
		}
		if taken(re.key()) {
			return nil, fmt.Errorf("repo %q: id used twice", r.ID)
		}
		idx.repos[re.key()] = re
		idx.order = append(idx.order, re)
	}
	for _, re := range idx.order {
		for _, old := range re.RenamedFrom {
			if _, err := hfgate.ParseRepoID(old); err != nil {
				return nil, fmt.Errorf("repo %q: renamedFrom: %w", re.ID, err)
			}
			if taken(repoKey{re.typ, old}) {
				return nil, fmt.Errorf("repo %q: renamedFrom %q is already an id", re.ID, old)
			}
			idx.aliases[repoKey{re.typ, old}] = re.ID
		}
	}
	return idx, nil
}

func (re *repoEntry) key() repoKey { return repoKey{re.typ, re.ID} }

// repoTypes are the values of Repo.Type.
var repoTypes = map[string]hfgate.RepoType{
	"": hfgate.RepoTypeModel, "model": hfgate.RepoTypeModel,
	"dataset": hfgate.RepoTypeDataset, "space": hfgate.RepoTypeSpace,
}

func (idx *catalogIndex) addRepo(r *Repo) (*repoEntry, error) {
	id, err := hfgate.ParseRepoID(r.ID)
	if err != nil {
		return nil, err
	}
	typ, ok := repoTypes[r.Type]
	if !ok {
		return nil, fmt.Errorf(`type must be "model", "dataset" or "space", not %q`, r.Type)
	}
	switch r.Gated {
	case "", "auto", "manual":
	default:
		return nil, fmt.Errorf(`gated must be "", "auto" or "manual", not %q`, r.Gated)
	}
	for p, level := range r.Unsafe {
		if level != "caution" && level != "unsafe" {
			return nil, fmt.Errorf(`unsafe: the level of %q must be "caution" or "unsafe", not %q`, p, level)
		}
	}
	commits := r.Commits
	if len(commits) == 0 {
		commits = shorthandCommits(r)
	}
	if len(commits) == 0 {
		return nil, fmt.Errorf("no commits and no files")
	}
	re := &repoEntry{
		Repo: r, typ: typ, objectID: objectID(string(typ), r.ID), owner: id.Owner(),
		refs: map[string]*commitEntry{},
	}
	var mainHead *commitEntry
	for i, c := range commits {
		if c.Date.IsZero() {
			return nil, fmt.Errorf("commit %d (%q): no date", i, c.Title)
		}
		sum := sha1.Sum([]byte("hubsim commit\x00" + r.ID + "\x00" + strconv.Itoa(i) + "\x00" + c.Title + "\x00" + c.Date.UTC().Format(time.RFC3339)))
		ce := &commitEntry{id: hex.EncodeToString(sum[:]), title: c.Title, date: c.Date.UTC(), parent: mainHead}
		if err := idx.addFiles(re, ce, c.Files); err != nil {
			return nil, fmt.Errorf("commit %d (%q): %w", i, c.Title, err)
		}
		re.commits = append(re.commits, ce)
		re.refs[ce.id] = ce
		for _, t := range c.Tags {
			if err := re.addRef(&re.tagRefs, t, "refs/tags/"+t, ce); err != nil {
				return nil, err
			}
		}
		if c.PR > 0 {
			name := "refs/pr/" + strconv.Itoa(c.PR)
			if err := re.addRef(&re.prRefs, name, name, ce); err != nil {
				return nil, err
			}
		} else {
			mainHead = ce
		}
	}
	if mainHead == nil {
		return nil, fmt.Errorf("every commit is a pull request: main has no commit")
	}
	re.main = mainHead
	if err := re.addRef(&re.branchRefs, hfgate.DefaultRevision, "refs/heads/main", mainHead); err != nil {
		return nil, err
	}
	re.createdAt = r.CreatedAt.UTC()
	if re.createdAt.IsZero() {
		re.createdAt = re.commits[0].date
	}
	re.lastModified = mainHead.date
	for p := range r.Unsafe {
		if !re.hasPath(p) {
			return nil, fmt.Errorf("unsafe: no file %q in any commit", p)
		}
	}
	return re, nil
}

// hasPath reports whether any commit of re holds the file p.
func (re *repoEntry) hasPath(p string) bool {
	for _, c := range re.commits {
		if c.byPath[p] != nil {
			return true
		}
	}
	return false
}

// addRef registers a branch, tag or PR under its short and full names.
func (re *repoEntry) addRef(list *[]refName, name, full string, c *commitEntry) error {
	if _, dup := re.refs[name]; dup {
		return fmt.Errorf("ref %q defined twice", name)
	}
	re.refs[name] = c
	re.refs[full] = c
	*list = append(*list, refName{name: name, ref: full, commit: c})
	return nil
}

// shorthandCommits expands Repo.Files: an initial commit with
// .gitattributes, then one upload commit with every file.
func shorthandCommits(r *Repo) []*Commit {
	if len(r.Files) == 0 {
		return nil
	}
	created, modified := r.CreatedAt, r.LastModified
	if modified.IsZero() {
		modified = created
	}
	var initial []*File
	for _, f := range r.Files {
		if f.Path == ".gitattributes" {
			initial = append(initial, f)
		}
	}
	return []*Commit{
		{Title: "initial commit", Date: created, Files: initial},
		{Title: "Upload folder using huggingface_hub", Date: modified, Files: r.Files},
	}
}

func (idx *catalogIndex) addFiles(re *repoEntry, ce *commitEntry, files []*File) error {
	ce.byPath = map[string]*fileEntry{}
	ce.dirs = map[string]bool{}
	for _, f := range files {
		if err := hfgate.ValidateRepoPath(f.Path); err != nil {
			return err
		}
		if _, dup := ce.byPath[f.Path]; dup {
			return fmt.Errorf("file %q listed twice", f.Path)
		}
		src, err := idx.gen.source(re.Repo, f)
		if err != nil {
			return fmt.Errorf("file %q: %w", f.Path, err)
		}
		fe := &fileEntry{path: f.Path, lfs: src.lfs, key: src.key, src: src, lastCommit: ce}
		if f.LFS != nil {
			fe.lfs = *f.LFS
		}
		if f.SHA256 != "" {
			idx.digests.trust(src.key, f.SHA256)
		}
		if ce.parent != nil {
			if prev := ce.parent.byPath[f.Path]; prev != nil && prev.key == fe.key {
				fe.lastCommit = prev.lastCommit
			}
		}
		ce.byPath[f.Path] = fe
		ce.files = append(ce.files, fe)
		for d := f.Path; strings.Contains(d, "/"); {
			d = d[:strings.LastIndex(d, "/")]
			ce.dirs[d] = true
		}
	}
	for d := range ce.dirs {
		if ce.byPath[d] != nil {
			return fmt.Errorf("%q is both a file and a directory", d)
		}
	}
	slices.SortFunc(ce.files, func(a, b *fileEntry) int { return strings.Compare(a.path, b.path) })
	return nil
}

// lookup finds a repo by type and id; renamed is the current id when id is
// an old one.
func (idx *catalogIndex) lookup(typ hfgate.RepoType, id string) (re *repoEntry, renamed string) {
	if re := idx.repos[repoKey{typ, id}]; re != nil {
		return re, ""
	}
	if cur, ok := idx.aliases[repoKey{typ, id}]; ok {
		return idx.repos[repoKey{typ, cur}], cur
	}
	return nil, ""
}

// lookupTyped finds a repo named as Catalog.Stat takes it: "owner/name"
// for a model, "datasets/owner/name" or "spaces/owner/name" for the others.
func (idx *catalogIndex) lookupTyped(name string) (re *repoEntry, renamed string) {
	typ := hfgate.RepoTypeModel
	if prefix, rest, ok := strings.Cut(name, "/"); ok {
		switch prefix {
		case "datasets":
			typ, name = hfgate.RepoTypeDataset, rest
		case "spaces":
			typ, name = hfgate.RepoTypeSpace, rest
		}
	}
	return idx.lookup(typ, name)
}

// resolve finds the commit a revision names: a branch, tag or PR (short or
// full name) or a full commit id. "HEAD" is the default branch, as in git:
// huggingface.js's modelInfo asks for /revision/HEAD when given no revision.
func (re *repoEntry) resolve(rev string) *commitEntry {
	if rev == "HEAD" {
		return re.main
	}
	return re.refs[rev]
}
