package download

import "context"

// head appends the file to the .incomplete file in order: bytes a helper
// already put in the parts file are copied over, the rest is streamed.
func (t *transfer) head(ctx context.Context) error {
	for {
		t.mu.Lock()
		if t.prefix >= t.f.size {
			t.mu.Unlock()
			return nil
		}
		s := t.segAt(t.prefix)
		switch {
		case s.Done > t.prefix:
			from, n := t.prefix, min(s.Done-t.prefix, promoteChunk)
			t.mu.Unlock()
			if err := t.promote(from, n); err != nil {
				return err
			}
		case s.owner == none:
			s.owner = head
			t.mu.Unlock()
			err := t.stream(ctx, s, head)
			t.release(s)
			if err != nil {
				return err
			}
		default: // a helper fetches it and has not got further: wait for it
			t.mu.Unlock()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.headWake:
			}
		}
	}
}

// helper fetches ranges ahead of the head into the parts file until none
// is worth taking.
func (t *transfer) helper(ctx context.Context) error {
	for {
		t.mu.Lock()
		s := t.claim()
		var err error
		if s != nil && t.parts == nil {
			if t.parts, err = t.f.files.open(t.f.files.parts, true); err != nil {
				s.owner = none
			}
		}
		t.mu.Unlock()
		if s == nil || err != nil {
			return err
		}
		err = t.stream(ctx, s, helper)
		t.release(s)
		if err != nil {
			return err
		}
	}
}

func (t *transfer) release(s *segment) {
	t.mu.Lock()
	s.owner = none
	t.mu.Unlock()
	wake(t.headWake)
}

// stream fetches the rest of s over one connection, as worker who.
func (t *transfer) stream(ctx context.Context, s *segment, who worker) error {
	if err := t.f.acquire(ctx); err != nil {
		return err
	}
	defer t.f.release()
	t.mu.Lock()
	start := s.Done
	t.mu.Unlock()
	end := func() int64 {
		t.mu.Lock()
		defer t.mu.Unlock()
		return s.End
	}
	return t.f.fetchRange(ctx, start, end, func(p []byte, off int64) (int, error) { return t.write(s, who, p, off) })
}

// write puts bytes that arrived for s at off on disk, as far as s still
// reaches (a helper may have taken over its end), and returns how many.
func (t *transfer) write(s *segment, who worker, p []byte, off int64) (int, error) {
	t.mu.Lock()
	n := int(min(int64(len(p)), s.End-off))
	if n <= 0 || off != s.Done {
		t.mu.Unlock()
		return 0, nil
	}
	s.writing = off + int64(n) // a split never cuts below this
	file, path := t.parts, t.f.files.parts
	t.mu.Unlock()
	if who == head {
		file, path = t.inc, t.f.files.incomplete
	}
	if _, err := file.WriteAt(p[:n], off); err != nil {
		return 0, writeError(err, path, t.f.size)
	}
	t.mu.Lock()
	s.Done = off + int64(n)
	if who == head {
		t.prefix = s.Done
	} else {
		t.unsaved += int64(n)
	}
	t.mu.Unlock()
	t.f.onProg(t.f.done.Add(int64(n)))
	if who == head {
		t.wb.upTo(off + int64(n))
		t.probe(n)
		if err := t.hash.copied(t.gctx, p[:n]); err != nil {
			return n, err
		}
	} else {
		wake(t.headWake)
		wake(t.saveWake)
	}
	return n, nil
}

// promote copies n bytes at off from the parts file to the end of the
// .incomplete file (the head only).
func (t *transfer) promote(off, n int64) error {
	if err := copyRange(t.inc, t.parts, off, n); err != nil {
		return writeError(err, t.f.files.incomplete, t.f.size)
	}
	t.mu.Lock()
	t.prefix = off + n
	t.mu.Unlock()
	t.wb.upTo(off + n)
	return t.hash.ranged(t.gctx, off, n)
}
