package blobcache

import (
	"os"
	"path/filepath"

	"github.com/hfgate/hfgate"
)

// touchLocked records a use of e.
func (c *Cache) touchLocked(e *entry) {
	e.used = c.cfg.Now()
	c.lru.MoveToFront(e.elem)
	c.dirty = true
}

// addLocked adds a new entry, most recently used.
func (c *Cache) addLocked(e *entry) {
	e.used = c.cfg.Now()
	e.elem = c.lru.PushFront(e)
	c.entries[e.key] = e
	c.size += e.size
	c.dirty = true
}

// makeRoomLocked evicts the least recently used entries that no reader or
// fill holds until need more bytes fit under MaxSize. It fails with
// ENOSPACE, evicting nothing, when they cannot fit even then.
func (c *Cache) makeRoomLocked(need int64) error {
	limit := c.cfg.MaxSize
	if limit <= 0 || c.size+need <= limit {
		return nil
	}
	free := limit - c.size
	var victims []*entry
	for el := c.lru.Back(); el != nil && free < need; el = el.Prev() {
		if e := el.Value.(*entry); !e.pinned() {
			victims = append(victims, e)
			free += e.size
		}
	}
	if free < need {
		return hfgate.Errorf(hfgate.ENOSPACE, "the blob cache has no room for %d more bytes: its limit is %d bytes and %d are held by open readers and running fills", need, limit, c.pinnedBytesLocked()).WithAction(hfgate.ActionRetry)
	}
	for _, e := range victims {
		c.dropLocked(e)
		c.st.evictions.Add(1)
		c.st.evictedBytes.Add(e.size)
	}
	return nil
}

func (c *Cache) pinnedBytesLocked() int64 {
	var n int64
	for _, e := range c.entries {
		if e.pinned() {
			n += e.size
		}
	}
	return n
}

// dropLocked forgets e and removes its files. It runs under c.mu so that
// a fill publishing the same key cannot interleave with the removal.
// Readers that have the file open keep reading it.
func (c *Cache) dropLocked(e *entry) {
	if c.entries[e.key] != e {
		return
	}
	if e.complete {
		os.Remove(blobPath(c.dir, e.key))
	} else {
		data := fillPath(c.dir, e.key)
		os.Remove(data)
		os.Remove(journalPath(data))
	}
	delete(c.entries, e.key)
	c.lru.Remove(e.elem)
	c.size -= e.size
	c.dirty = true
}

// Remove deletes the blob of k, complete or partial. A running fill of it
// is stopped and its readers get an error; readers of the complete blob
// keep reading what they have open. Removing a blob the cache does not hold
// is not an error.
func (c *Cache) Remove(k Key) error {
	if _, err := ParseKey(string(k)); err != nil {
		return err
	}
	for {
		c.mu.Lock()
		e := c.entries[k]
		if e == nil {
			c.mu.Unlock()
			return nil
		}
		if f := e.fill; f != nil {
			c.mu.Unlock()
			f.stop(hfgate.Errorf(hfgate.EUNAVAILABLE, "the blob was removed from the cache while it was being filled").WithAction(hfgate.ActionRetry))
			<-f.done
			continue
		}
		c.dropLocked(e)
		c.mu.Unlock()
		return nil
	}
}

// fanDirLocked makes the blobs/<algo>/<xx> folder of k once.
func (c *Cache) fanDirLocked(k Key) error {
	dir := filepath.Dir(blobPath(c.dir, k))
	if c.dirs[dir] {
		return nil
	}
	if err := makeDir(dir); err != nil {
		return err
	}
	c.dirs[dir] = true
	return nil
}
