package blobcache

import (
	"bufio"
	"container/list"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
)

// Defaults of a MetaConfig.
const (
	// DefaultRevisionTTL is how long a branch or tag name's commit counts
	// as fresh: a push upstream is seen within this time.
	DefaultRevisionTTL  = time.Minute
	DefaultMaxRevisions = 10000
	DefaultMaxDocBytes  = 64 << 20
	DefaultMaxDoc       = 8 << 20
)

// MetaConfig bounds the metadata cache. Zero values mean the defaults.
type MetaConfig struct {
	// RevisionTTL is how long a branch or tag's commit is fresh. A commit
	// id is always fresh: it names itself.
	RevisionTTL time.Duration
	// MaxRevisions bounds the revisions kept; the least recently stored
	// go first.
	MaxRevisions int
	// MaxDocBytes bounds the bytes of all documents, MaxDoc one of them;
	// the least recently used documents go first.
	MaxDocBytes, MaxDoc int64
}

func (m *MetaConfig) setDefaults() {
	if m.RevisionTTL <= 0 {
		m.RevisionTTL = DefaultRevisionTTL
	}
	if m.MaxRevisions <= 0 {
		m.MaxRevisions = DefaultMaxRevisions
	}
	if m.MaxDocBytes <= 0 {
		m.MaxDocBytes = DefaultMaxDocBytes
	}
	if m.MaxDoc <= 0 {
		m.MaxDoc = DefaultMaxDoc
	}
	m.MaxDoc = min(m.MaxDoc, m.MaxDocBytes)
}

// Meta caches what serving files offline needs besides their bytes: which
// commit a revision names, and JSON documents of a commit (tree listings,
// paths-info, model info). It is bounded, kept under the cache directory
// and survives restarts. Entries whose time is up are still returned, as
// not fresh: the caller uses them when upstream cannot be reached, as
// huggingface_hub does offline. Safe for concurrent use.
//
// Revisions are a log of JSON lines (meta/revisions), appended on every
// store and compacted when it holds twice what it needs and at every open,
// which also drops a line torn by a kill before anything is appended to it. Documents are one file each (meta/docs/<sha256 of the
// key>), starting with a line that names the key.
type Meta struct {
	cfg MetaConfig
	dir string
	now func() time.Time

	mu      sync.Mutex
	revs    map[revKey]*list.Element // of *revRecord
	revLRU  *list.List
	log     *os.File                 // the revision log, appended to; nil once closed
	logRecs int                      // lines in the log
	docs    map[string]*list.Element // of *docRecord
	docLRU  *list.List
	docSize int64
}

type revKey struct {
	typ  hfgate.RepoType
	repo hfgate.RepoID
	rev  string
}

// revRecord is one line of the revision log.
type revRecord struct {
	Type   hfgate.RepoType `json:"type"`
	Repo   hfgate.RepoID   `json:"repo"`
	Rev    string          `json:"rev"`
	Commit string          `json:"commit"`
	At     time.Time       `json:"at"`
}

func (r *revRecord) key() revKey { return revKey{r.Type, r.Repo, r.Rev} }

const (
	revLogName = "revisions"
	docsDir    = "docs"
	maxRevLine = 1024
)

func openMeta(dir string, cfg MetaConfig, now func() time.Time) (*Meta, error) {
	if err := makeDir(filepath.Join(dir, docsDir)); err != nil {
		return nil, err
	}
	m := &Meta{cfg: cfg, dir: dir, now: now,
		revs: map[revKey]*list.Element{}, revLRU: list.New(),
		docs: map[string]*list.Element{}, docLRU: list.New()}
	m.loadRevisions()
	if err := m.compact(); err != nil {
		return nil, err
	}
	if err := m.loadDocs(); err != nil {
		m.log.Close()
		return nil, err
	}
	return m, nil
}

func (m *Meta) close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.log == nil {
		return nil
	}
	err := m.log.Close()
	m.log = nil
	return err
}

// loadRevisions replays the log; the last line for a revision wins.
func (m *Meta) loadRevisions() {
	f, err := openFile(filepath.Join(m.dir, revLogName), os.O_RDONLY)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 4096), maxRevLine)
	for sc.Scan() {
		var r revRecord
		if json.Unmarshal(sc.Bytes(), &r) != nil || r.validate() != nil {
			continue
		}
		m.storeLocked(&r)
	}
}

func (r *revRecord) validate() error {
	if _, err := hfgate.ParseRepoID(string(r.Repo)); err != nil {
		return err
	}
	if err := hfgate.ValidateRevision(r.Rev); err != nil || len(r.Rev) > 255 {
		return hfgate.Errorf(hfgate.EINVALID, "bad revision %q", truncate(r.Rev, 80))
	}
	if !hfgate.IsCommitHash(r.Commit) {
		return hfgate.Errorf(hfgate.EINVALID, "%q is not a commit id", truncate(r.Commit, 80))
	}
	switch r.Type {
	case hfgate.RepoTypeModel, hfgate.RepoTypeDataset, hfgate.RepoTypeSpace:
		return nil
	}
	return hfgate.Errorf(hfgate.EINVALID, "bad repo type %q", truncate(string(r.Type), 20))
}

// storeLocked keeps r as the newest record, dropping the oldest beyond
// MaxRevisions.
func (m *Meta) storeLocked(r *revRecord) {
	if el, ok := m.revs[r.key()]; ok {
		el.Value = r
		m.revLRU.MoveToFront(el)
	} else {
		m.revs[r.key()] = m.revLRU.PushFront(r)
	}
	for m.revLRU.Len() > m.cfg.MaxRevisions {
		old := m.revLRU.Back()
		delete(m.revs, old.Value.(*revRecord).key())
		m.revLRU.Remove(old)
	}
}

// compact rewrites the log with one line per revision and reopens it for
// appending.
func (m *Meta) compact() error {
	var b []byte
	for el := m.revLRU.Back(); el != nil; el = el.Prev() {
		line, _ := json.Marshal(el.Value)
		b = append(append(b, line...), '\n')
	}
	path := filepath.Join(m.dir, revLogName)
	if err := writeAtomic(path, b, false); err != nil {
		return hfgate.WrapError(hfgate.EINTERNAL, err, "cannot save the revision cache")
	}
	if m.log != nil {
		m.log.Close()
	}
	f, err := openFile(path, os.O_WRONLY|os.O_APPEND)
	if err != nil {
		return hfgate.WrapError(hfgate.EINTERNAL, err, "cannot open the revision cache")
	}
	m.log, m.logRecs = f, m.revLRU.Len()
	return nil
}

// PutRevision records that rev of the repo names commit now. It fails with
// EINVALID for a bad repo id, revision, or a commit that is not 40 hex
// digits.
func (m *Meta) PutRevision(t hfgate.RepoType, repo hfgate.RepoID, rev, commit string) error {
	r := &revRecord{Type: t, Repo: repo, Rev: rev, Commit: commit, At: m.now()}
	if err := r.validate(); err != nil {
		return err
	}
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.log == nil {
		return errClosed
	}
	m.storeLocked(r)
	if _, err := m.log.Write(append(line, '\n')); err != nil {
		return hfgate.WrapError(hfgate.EINTERNAL, err, "cannot save the revision cache")
	}
	if m.logRecs++; m.logRecs > 2*m.revLRU.Len()+64 {
		return m.compact()
	}
	return nil
}

// Revision returns the commit rev of the repo named when last stored, and
// whether that is fresh: a commit id always is, a branch or tag for
// RevisionTTL. ok is false when nothing is stored.
func (m *Meta) Revision(t hfgate.RepoType, repo hfgate.RepoID, rev string) (commit string, fresh, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.revs[revKey{t, repo, rev}]
	if !ok {
		return "", false, false
	}
	r := el.Value.(*revRecord)
	fresh = rev == r.Commit || m.now().Sub(r.At) < m.cfg.RevisionTTL
	return r.Commit, fresh, true
}
