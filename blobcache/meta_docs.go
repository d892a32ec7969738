package blobcache

import (
	"bytes"
	"cmp"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/hfgate/hfgate"
)

// DocKey names a JSON document of a commit: a tree listing, a paths-info
// answer, model info. Kind says which document, and may carry what else
// shapes it ("tree/recursive/dir", "paths-info:<hash of the request>"):
// two requests with the same answer share a kind. Documents are kept by
// commit only, never by branch name, since what a commit holds never
// changes.
type DocKey struct {
	Type   hfgate.RepoType
	Repo   hfgate.RepoID
	Commit string // 40 hex digits
	Kind   string
}

const maxKind = 1024

func (k DocKey) validate() error {
	r := revRecord{Type: k.Type, Repo: k.Repo, Rev: k.Commit, Commit: k.Commit}
	if err := r.validate(); err != nil {
		return err
	}
	if k.Kind == "" || len(k.Kind) > maxKind {
		return hfgate.Errorf(hfgate.EINVALID, "a document kind must have 1 to %d bytes", maxKind)
	}
	return nil
}

// docHeader is the first line of a document file.
type docHeader struct {
	Type   hfgate.RepoType `json:"type"`
	Repo   hfgate.RepoID   `json:"repo"`
	Commit string          `json:"commit"`
	Kind   string          `json:"kind"`
}

// name is the document's file name: the SHA-256 of its key.
func (k DocKey) name() string {
	h := sha256.New()
	for _, s := range []string{string(k.Type), string(k.Repo), k.Commit, k.Kind} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// docRecord is one document in the LRU.
type docRecord struct {
	name string
	size int64 // of the file
}

// loadDocs lists meta/docs, oldest modification last, and trims it to the
// bounds.
func (m *Meta) loadDocs() error {
	dir := filepath.Join(m.dir, docsDir)
	ds, err := readDir(dir)
	if err != nil {
		return err
	}
	type found struct {
		docRecord
		mod int64
	}
	var all []found
	for _, d := range ds {
		fi, err := d.Info()
		if err != nil || !fi.Mode().IsRegular() || Key(d.Name()).Algo() != AlgoSHA256 {
			os.Remove(filepath.Join(dir, d.Name())) // temp files, links, strays
			continue
		}
		all = append(all, found{docRecord{d.Name(), fi.Size()}, fi.ModTime().UnixNano()})
	}
	slices.SortFunc(all, func(a, b found) int { return cmp.Compare(b.mod, a.mod) })
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, f := range all {
		m.docs[f.name] = m.docLRU.PushBack(&docRecord{f.name, f.size})
		m.docSize += f.size
	}
	m.trimDocsLocked()
	return nil
}

// trimDocsLocked drops the least recently used documents beyond the bound.
func (m *Meta) trimDocsLocked() {
	for m.docSize > m.cfg.MaxDocBytes {
		m.dropDocLocked(m.docLRU.Back())
	}
}

func (m *Meta) dropDocLocked(el *list.Element) {
	d := el.Value.(*docRecord)
	os.Remove(filepath.Join(m.dir, docsDir, d.name))
	delete(m.docs, d.name)
	m.docLRU.Remove(el)
	m.docSize -= d.size
}

// PutDoc stores a document. It fails with EINVALID for a bad key or a body
// larger than MaxDoc, which the caller may ignore: the document is then
// simply not cached.
func (m *Meta) PutDoc(k DocKey, body []byte) error {
	if err := k.validate(); err != nil {
		return err
	}
	if int64(len(body)) > m.cfg.MaxDoc {
		return hfgate.Errorf(hfgate.EINVALID, "a document of %d bytes is over the cache's bound of %d", len(body), m.cfg.MaxDoc)
	}
	head, err := json.Marshal(docHeader(k))
	if err != nil {
		return err
	}
	m.mu.Lock()
	closed := m.log == nil
	m.mu.Unlock()
	if closed {
		return errClosed
	}
	data := append(append(head, '\n'), body...)
	name := k.name()
	if err := writeAtomic(filepath.Join(m.dir, docsDir, name), data, false); err != nil {
		return hfgate.WrapError(hfgate.EINTERNAL, err, "cannot save a metadata document")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.docs[name]; ok {
		d := el.Value.(*docRecord)
		m.docSize += int64(len(data)) - d.size
		d.size = int64(len(data))
		m.docLRU.MoveToFront(el)
	} else {
		m.docs[name] = m.docLRU.PushFront(&docRecord{name, int64(len(data))})
		m.docSize += int64(len(data))
	}
	m.trimDocsLocked()
	return nil
}

// Doc returns the document of k, if stored.
func (m *Meta) Doc(k DocKey) ([]byte, bool) {
	if k.validate() != nil {
		return nil, false
	}
	name := k.name()
	m.mu.Lock()
	el, ok := m.docs[name]
	if ok {
		m.docLRU.MoveToFront(el)
	}
	m.mu.Unlock()
	if !ok {
		return nil, false
	}
	body, err := m.readDoc(name, k)
	if err != nil {
		m.mu.Lock()
		if el, ok := m.docs[name]; ok {
			m.dropDocLocked(el)
		}
		m.mu.Unlock()
		return nil, false
	}
	return body, true
}

// readDoc reads a document file and checks that its header names k.
func (m *Meta) readDoc(name string, k DocKey) ([]byte, error) {
	f, err := openFile(filepath.Join(m.dir, docsDir, name), os.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, m.cfg.MaxDoc+maxKind+4096))
	if err != nil {
		return nil, err
	}
	head, body, ok := bytes.Cut(data, []byte{'\n'})
	var h docHeader
	if !ok || json.Unmarshal(head, &h) != nil || DocKey(h) != k {
		return nil, hfgate.Errorf(hfgate.EINTERNAL, "damaged metadata document")
	}
	return body, nil
}

// MetaStats is a snapshot of the metadata cache.
type MetaStats struct {
	Revisions int   // revisions whose commit is known
	Docs      int   // documents kept
	DocBytes  int64 // their bytes on disk
}

// Stats returns the metadata cache's figures.
func (m *Meta) Stats() MetaStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return MetaStats{Revisions: m.revLRU.Len(), Docs: m.docLRU.Len(), DocBytes: m.docSize}
}
