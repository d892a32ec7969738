package blobcache

import (
	"bufio"
	"bytes"
	"context"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
)

// The index of complete blobs is the blobs/ folder itself: a blob is there
// only once verified, under its own key. The index snapshot adds what the
// folder does not say cheaply: each blob's size and last use, so that a
// restart over 100k blobs lists folder names and reads one file instead of
// calling stat 100k times. It is a text file, "hfgate-blobcache-index 2"
// then one "<key> <size> <last use, unix ns>[ <name>]" line per blob (the
// name path-escaped), rewritten atomically; a blob missing from it
// (published after the last save) is stat'ed, and a line whose blob is gone
// is ignored. Version 1, the same without names, is read too.
const (
	indexHeader   = "hfgate-blobcache-index 2"
	indexHeaderV1 = "hfgate-blobcache-index 1"
)

// maxIndexLine bounds one line of the snapshot: a key, two numbers and a
// name of MaxName bytes, escaped.
const maxIndexLine = 256 + 3*MaxName

type indexRecord struct {
	size int64
	used time.Time
	name string
}

// load rebuilds the entries from the snapshot, blobs/ and fill/.
func (c *Cache) load(ctx context.Context) error {
	for _, d := range []string{blobsDir, filepath.Join(blobsDir, AlgoSHA256), filepath.Join(blobsDir, AlgoSHA1), fillDir, metaDir} {
		if err := makeDir(filepath.Join(c.dir, d)); err != nil {
			return err
		}
	}
	removeTemps(filepath.Join(c.dir, indexName))
	removeTemps(filepath.Join(c.dir, metaDir, revLogName))
	snap := readIndex(filepath.Join(c.dir, indexName))
	var all []*entry
	for _, algo := range []string{AlgoSHA256, AlgoSHA1} {
		es, err := c.scanBlobs(ctx, algo, snap)
		if err != nil {
			return err
		}
		all = append(all, es...)
	}
	have := make(map[Key]bool, len(all))
	for _, e := range all {
		have[e.key] = true
	}
	partial, err := c.scanFills(have)
	if err != nil {
		return err
	}
	all = append(all, partial...)
	slices.SortFunc(all, func(a, b *entry) int { return b.used.Compare(a.used) })
	c.entries = make(map[Key]*entry, len(all))
	for _, e := range all {
		c.entries[e.key] = e
		e.elem = c.lru.PushBack(e)
		c.size += e.size
	}
	c.dirty = len(all) != len(snap)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.makeRoomLocked(0) // the limit may have been lowered
}

// scanBlobs lists blobs/<algo>/<xx>/<key>. Only regular files with a valid
// key in the right folder count; anything else is left alone.
func (c *Cache) scanBlobs(ctx context.Context, algo string, snap map[Key]indexRecord) ([]*entry, error) {
	root := filepath.Join(c.dir, blobsDir, algo)
	fans, err := readDir(root)
	if err != nil {
		return nil, err
	}
	var out []*entry
	for _, fan := range fans {
		if !fan.IsDir() || len(fan.Name()) != 2 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		dir := filepath.Join(root, fan.Name())
		c.dirs[dir] = true
		names, err := readDir(dir)
		if err != nil {
			return nil, err
		}
		for _, d := range names {
			k := Key(d.Name())
			if !d.Type().IsRegular() || k.Algo() != algo || string(k[:2]) != fan.Name() {
				continue
			}
			e := &entry{key: k, complete: true}
			if r, ok := snap[k]; ok {
				e.size, e.used, e.name = r.size, r.used, r.name
			} else if fi, err := d.Info(); err == nil {
				e.size, e.used = fi.Size(), fi.ModTime()
			} else {
				continue // removed while we looked
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// scanFills keeps partial fills with a valid journal and removes the rest:
// temporary files, data without a journal, leftovers of blobs that were
// published (have) and anything that is not a regular file.
func (c *Cache) scanFills(have map[Key]bool) ([]*entry, error) {
	dir := filepath.Join(c.dir, fillDir)
	ds, err := readDir(dir)
	if err != nil {
		return nil, err
	}
	keep := map[string]bool{}
	var out []*entry
	for _, d := range ds {
		name, ok := strings.CutSuffix(d.Name(), journalExt)
		k := Key(name)
		if !ok || k.Algo() == "" || have[k] || !d.Type().IsRegular() {
			continue
		}
		data := filepath.Join(dir, name)
		fi, err := os.Lstat(data)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		j, _ := loadJournal(filepath.Join(dir, d.Name()), Blob{Key: k, Size: fi.Size()})
		if j == nil {
			continue
		}
		keep[name], keep[d.Name()] = true, true
		out = append(out, &entry{key: k, size: j.Size, name: Blob{Name: j.Name}.name(), filled: j.done(), used: fi.ModTime()})
	}
	for _, d := range ds {
		if !keep[d.Name()] {
			os.Remove(filepath.Join(dir, d.Name())) // a link is removed, never followed
		}
	}
	return out, nil
}

// readDir lists a folder in directory order (no sorting: 100k names).
func readDir(dir string) ([]fs.DirEntry, error) {
	f, err := openDir(dir)
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EINTERNAL, err, "cannot read the blob cache folder %s", dir)
	}
	defer f.Close()
	ds, err := f.ReadDir(-1)
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EINTERNAL, err, "cannot read the blob cache folder %s", dir)
	}
	return ds, nil
}

// readIndex parses the snapshot; a missing or damaged one gives what it
// could read (a restart then stats the blobs it lacks).
func readIndex(path string) map[Key]indexRecord {
	f, err := openFile(path, os.O_RDONLY)
	if err != nil {
		return map[Key]indexRecord{}
	}
	defer f.Close()
	hint := 0
	if fi, err := f.Stat(); err == nil {
		hint = int(min(fi.Size()/90, 1<<22))
	}
	out := make(map[Key]indexRecord, hint)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 256<<10), maxIndexLine)
	if !sc.Scan() || (sc.Text() != indexHeader && sc.Text() != indexHeaderV1) {
		return out
	}
	for sc.Scan() {
		key, rest, _ := bytes.Cut(sc.Bytes(), []byte{' '})
		size, rest, _ := bytes.Cut(rest, []byte{' '})
		used, escaped, _ := bytes.Cut(rest, []byte{' '})
		n, ok1 := parseDecimal(size)
		t, ok2 := parseDecimal(used)
		name, err := url.PathUnescape(string(escaped))
		if k := Key(key); ok1 && ok2 && err == nil && k.Algo() != "" {
			out[k] = indexRecord{size: n, used: time.Unix(0, t), name: Blob{Name: name}.name()}
		}
	}
	return out
}

// parseDecimal parses a non-negative decimal int64.
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		d := int64(c - '0')
		if c < '0' || c > '9' || n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// saveIndex writes the snapshot if it changed since the last save.
func (c *Cache) saveIndex() error {
	c.mu.Lock()
	if !c.dirty {
		c.mu.Unlock()
		return nil
	}
	var b bytes.Buffer
	b.Grow(len(c.entries)*100 + len(indexHeader) + 1)
	b.WriteString(indexHeader + "\n")
	for el := c.lru.Front(); el != nil; el = el.Next() {
		e := el.Value.(*entry)
		if !e.complete {
			continue
		}
		b.WriteString(string(e.key))
		b.WriteByte(' ')
		b.WriteString(strconv.FormatInt(e.size, 10))
		b.WriteByte(' ')
		b.WriteString(strconv.FormatInt(e.used.UnixNano(), 10))
		if e.name != "" {
			b.WriteByte(' ')
			b.WriteString(url.PathEscape(e.name))
		}
		b.WriteByte('\n')
	}
	c.dirty = false
	c.mu.Unlock()
	err := writeAtomic(filepath.Join(c.dir, indexName), b.Bytes(), false)
	if err != nil {
		c.mu.Lock()
		c.dirty = true
		c.mu.Unlock()
		return hfgate.WrapError(hfgate.EINTERNAL, err, "cannot save the blob cache index")
	}
	return nil
}
