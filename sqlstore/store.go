package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
)

// DefaultPollInterval is how often a Store whose Dialect has no Notify
// reads the revocation log for revocations made by other processes.
const DefaultPollInterval = 100 * time.Millisecond

// Options are the tunables of a Store; the zero value is usable.
type Options struct {
	// Sealer seals and opens upstream credentials. If nil, the
	// CredentialStore methods and RotateKeys fail with EINVALID (no keys
	// are configured); everything else works.
	Sealer hfgate.Sealer

	// Now is the clock that decides what is live. If nil, time.Now.
	Now func() time.Time

	// Logger receives what goes wrong in the background (the revocation
	// listener). If nil, nothing is logged.
	Logger *slog.Logger

	// PollInterval: see DefaultPollInterval. Unused with Dialect.Notify.
	PollInterval time.Duration
}

// Store is the gateway's state in one SQL database. Create it with New;
// it is safe for concurrent use.
type Store struct {
	db     *sql.DB
	d      *Dialect
	sealer hfgate.Sealer
	now    func() time.Time
	log    *slog.Logger

	queries sync.Map // query with "?" -> query in the dialect
	stmts   sync.Map // query with "?" -> *sql.Stmt, for the audit log's hot path
	locks   keyedLocks
	fan     fanout

	// pending are the revocations a transaction announced, delivered to
	// this process's subscribers once it commits.
	pendingMu sync.Mutex
	pending   map[*sql.Tx][]hfgate.Revocation

	stop context.CancelFunc
	done sync.WaitGroup
}

var (
	_ hfgate.AccountStore       = (*Store)(nil)
	_ hfgate.SessionStore       = (*Store)(nil)
	_ hfgate.TokenStore         = (*Store)(nil)
	_ hfgate.DeviceStore        = (*Store)(nil)
	_ hfgate.CredentialStore    = (*Store)(nil)
	_ hfgate.RevocationNotifier = (*Store)(nil)
)

// New returns a Store over db, which speaks d, after bringing the schema
// up to date (see the package doc). The Store owns db: Close closes it.
func New(ctx context.Context, db *sql.DB, d *Dialect, o Options) (*Store, error) {
	s := &Store{db: db, d: d, sealer: o.Sealer, now: o.Now, log: o.Logger}
	s.fan.origin = rand.Text()
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	bg, stop := context.WithCancel(context.Background())
	s.stop = stop
	if d.Notify != nil {
		s.done.Go(func() { d.Listen(bg, s.fan.deliverPayload, s.fan.lost) })
	} else {
		last, err := s.lastRevocation(ctx)
		if err != nil {
			stop()
			return nil, err
		}
		interval := o.PollInterval
		if interval <= 0 {
			interval = DefaultPollInterval
		}
		s.done.Go(func() { s.pollRevocations(bg, last, interval) })
	}
	return s, nil
}

// Close stops the Store's background work and closes its database.
func (s *Store) Close() error {
	s.stop()
	s.done.Wait()
	return s.db.Close()
}

// DB returns the database, for the adapter packages and tests.
func (s *Store) DB() *sql.DB { return s.db }

// Sealer returns the keys that seal upstream credentials (Options.Sealer),
// or nil.
func (s *Store) Sealer() hfgate.Sealer { return s.sealer }

// Ping checks that the database answers and that its schema is the one
// this Store knows, for readiness checks.
func (s *Store) Ping(ctx context.Context) error {
	have, want, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if have != want {
		return hfgate.Errorf(hfgate.EUNAVAILABLE, "database schema is at version %d, want %d", have, want)
	}
	return nil
}

// q returns query, written with "?" placeholders, in the dialect.
func (s *Store) q(query string) string {
	if v, ok := s.queries.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString(s.d.Placeholder(n))
			continue
		}
		b.WriteRune(r)
	}
	s.queries.Store(query, b.String())
	return b.String()
}

// tx runs fn in a transaction and commits it, or rolls it back when fn
// fails. Revocations fn announces reach this process's subscribers after
// the commit and before tx returns; other processes', as the dialect
// carries them.
func (s *Store) tx(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(ctx, err, what)
	}
	err = fn(tx)
	if err == nil {
		err = tx.Commit()
	} else {
		tx.Rollback()
	}
	s.pendingMu.Lock()
	revs := s.pending[tx]
	delete(s.pending, tx)
	s.pendingMu.Unlock()
	if err != nil {
		return s.fail(ctx, err, what)
	}
	for _, r := range revs {
		s.fan.deliver(r)
	}
	s.fan.kick()
	return nil
}

// exec runs one statement outside a transaction and returns the number
// of rows it changed.
func (s *Store) exec(ctx context.Context, what, query string, args ...any) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.q(query), args...)
	if err != nil {
		return 0, s.fail(ctx, err, what)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.fail(ctx, err, what)
	}
	return n, nil
}
