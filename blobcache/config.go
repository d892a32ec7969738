package blobcache

import (
	"log/slog"
	"time"

	"github.com/hfgate/hfgate/internal/retry"
)

// Defaults of a Config.
const (
	// DefaultConns is how many upstream connections all fills of a Cache
	// open at once; DefaultFillConns is how many one fill opens.
	DefaultConns     = 32
	DefaultFillConns = 8
	// DefaultMinPartSize and DefaultMaxPartSize bound one parallel part: a
	// blob is cut into about four parts per fill connection, clamped to
	// these sizes. Blobs under DefaultParallelMin are one part.
	DefaultMinPartSize = 8 << 20
	DefaultMaxPartSize = 64 << 20
	DefaultParallelMin = 2 * DefaultMinPartSize
	// DefaultIdleFill is how long a fill keeps running once its last
	// reader has gone: long enough to finish most files for the cache when
	// a client gives up near the end, short enough that a client reading
	// only a header of a huge file does not fetch all of it.
	DefaultIdleFill = time.Minute
	// DefaultStallTimeout is how long an upstream stream may send nothing
	// before it is dropped and asked again.
	DefaultStallTimeout = time.Minute
	// DefaultFillAttempts is how many times a fill starts over after the
	// whole blob failed verification, before it gives up.
	DefaultFillAttempts = 3
	// DefaultIndexInterval is how often the index snapshot is rewritten
	// while it has changed.
	DefaultIndexInterval = time.Minute
)

// Config configures a Cache. Only Dir is required; every zero value means
// the documented default.
type Config struct {
	// Dir is the cache directory, created (0700) if missing. One process
	// at a time may use it: Open takes a lock on it. Replicas each keep
	// their own directory.
	Dir string

	// MaxSize bounds the bytes of blobs and partial fills on disk; the
	// least recently used blobs that no reader holds are removed to make
	// room. 0 means no bound other than the disk.
	MaxSize int64

	// Conns bounds the upstream connections of all fills together
	// (DefaultConns); FillConns those of one fill (DefaultFillConns), plus
	// one for readers waiting far ahead of the others (see the package
	// documentation).
	Conns, FillConns int
	// MinPartSize, MaxPartSize and ParallelMin shape parallel parts (see
	// DefaultMinPartSize).
	MinPartSize, MaxPartSize, ParallelMin int64

	// IdleFill is how long a fill with no reader left keeps running
	// (DefaultIdleFill); a negative value stops it at once. A stopped fill
	// keeps what it fetched, and the next Open of the blob resumes it.
	IdleFill time.Duration
	// StallTimeout drops an upstream stream that sends nothing for this
	// long (DefaultStallTimeout).
	StallTimeout time.Duration
	// FillAttempts is how many times a fill fetches the whole blob when
	// verification fails (DefaultFillAttempts).
	FillAttempts int
	// Retry paces retries of failed upstream streams; the zero value uses
	// the retry package's defaults. Attempts count per part and start over
	// whenever bytes arrive.
	Retry retry.Policy

	// IndexInterval is how often the index snapshot is saved while it has
	// changed (DefaultIndexInterval); it is also saved by Close.
	IndexInterval time.Duration

	// Meta bounds the metadata cache.
	Meta MetaConfig

	// Now is the clock for last-use times and metadata freshness. If nil,
	// time.Now is used.
	Now func() time.Time
	// Logger receives fill retries and failures (codes and user-safe
	// messages only, never URLs). If nil, nothing is logged.
	Logger *slog.Logger
}

func (c *Config) setDefaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def64 := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Conns, DefaultConns)
	def(&c.FillConns, DefaultFillConns)
	def(&c.FillAttempts, DefaultFillAttempts)
	def64(&c.MinPartSize, DefaultMinPartSize)
	def64(&c.MaxPartSize, DefaultMaxPartSize)
	c.MaxPartSize = max(c.MaxPartSize, c.MinPartSize)
	def64(&c.ParallelMin, DefaultParallelMin)
	defDur(&c.IdleFill, DefaultIdleFill)
	if c.StallTimeout <= 0 {
		c.StallTimeout = DefaultStallTimeout
	}
	if c.IndexInterval <= 0 {
		c.IndexInterval = DefaultIndexInterval
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.Meta.setDefaults()
}

// maxParts bounds the parts of one blob, which keeps its journal small.
const maxParts = 4096

// partSize is the size of one parallel part of a blob of size bytes.
func (c *Config) partSize(size int64) int64 {
	if size < c.ParallelMin {
		return max(size, 1)
	}
	p := min(max(size/int64(4*c.FillConns), c.MinPartSize), c.MaxPartSize)
	return max(p, (size+maxParts-1)/maxParts)
}
