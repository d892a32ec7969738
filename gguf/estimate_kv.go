package gguf

// kvCache returns the KV cache bytes for nCtx tokens (see Estimate).
func kvCache(f *File, nCtx int64, opts EstimateOptions, e *MemoryEstimate) (int64, error) {
	tk, err := cacheType(opts.CacheTypeK)
	if err != nil {
		return 0, err
	}
	tv, err := cacheType(opts.CacheTypeV)
	if err != nil {
		return 0, err
	}
	layers, heads := f.BlockCount(), f.HeadCount()
	if layers == 0 || heads == 0 {
		e.note("KV cache: not estimated, %s or %s absent (no attention layers described)",
			f.ArchKey(keyBlockCount), f.ArchKey(keyHeadCount))
		return 0, nil
	}
	dk, dv := f.KeyLength(), f.ValueLength()
	switch {
	case layers > maxLayers:
		return 0, implausible(f.ArchKey(keyBlockCount), layers)
	case heads > maxHeads:
		return 0, implausible(f.ArchKey(keyHeadCount), heads)
	case dk > maxHeadDim || dv > maxHeadDim:
		return 0, implausible("the attention head size", max(dk, dv))
	}
	e.note("layers: %s = %d", f.ArchKey(keyBlockCount), layers)
	e.note("head size: K %d (%s), V %d (%s)", dk, headDimSource(f, keyKeyLength), dv, headDimSource(f, keyValueLength))

	perLayer, err := kvHeads(f, layers, e)
	if err != nil {
		return 0, err
	}
	var c checked
	var perToken int64 // bytes of K and V for one token in all layers
	for _, h := range perLayer {
		perToken = c.add(perToken, c.add(tk.RowSize(c.mul(h, dk)), tv.RowSize(c.mul(h, dv))))
	}
	total := c.mul(perToken, nCtx)
	e.note("KV cache: K %s, V %s, %d bytes per token × n_ctx %d", tk, tv, perToken, nCtx)
	return total, c.err
}

func headDimSource(f *File, field string) string {
	if f.archInt(field) > 0 {
		return f.ArchKey(field)
	}
	return "embedding_length / head_count"
}

// kvHeads returns the KV head count of every layer.
func kvHeads(f *File, layers int64, e *MemoryEstimate) ([]int64, error) {
	key := f.ArchKey(keyHeadCountKV)
	v, ok := f.Lookup(key)
	out := make([]int64, layers)
	if us, isArray := v.Uints(); ok && isArray && int64(len(us)) == layers {
		for i, u := range us {
			if u > maxHeads {
				return nil, implausible(key, int64(u))
			}
			out[i] = int64(u)
		}
		e.note("KV heads: %s, per layer", key)
		return out, nil
	}
	n := f.HeadCountKV()
	if n > maxHeads {
		return nil, implausible(key, n)
	}
	if ok {
		e.note("KV heads: %s = %d", key, n)
	} else {
		e.note("KV heads: %s absent, used %s = %d", key, f.ArchKey(keyHeadCount), n)
	}
	for i := range out {
		out[i] = n
	}
	return out, nil
}

// compute returns the compute buffer allowance plus the fixed overhead.
func compute(f *File, nCtx int64, opts EstimateOptions, e *MemoryEstimate) (int64, error) {
	batch := opts.BatchSize
	if batch <= 0 {
		batch = DefaultBatchSize
	}
	fixed := opts.FixedOverhead
	switch {
	case fixed == 0:
		fixed = DefaultFixedOverhead
	case fixed < 0:
		fixed = 0
	}
	if batch > maxContext {
		return 0, implausible("the batch size", batch)
	}
	var c checked
	vocab, kq := f.VocabSize(), int64(0)
	if !opts.FlashAttention {
		kq = c.mul(f.HeadCount(), nCtx)
	}
	n := c.add(c.mul(c.mul(4, batch), max(vocab, kq)), fixed)
	if opts.FlashAttention {
		e.note("compute: 4 B × n_ubatch %d × n_vocab %d (flash attention) + fixed %d", batch, vocab, fixed)
	} else {
		e.note("compute: 4 B × n_ubatch %d × max(n_vocab %d, n_head × n_ctx %d) + fixed %d", batch, vocab, kq, fixed)
	}
	return n, c.err
}
