package postgres

import (
	"context"
	"database/sql"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"

	"github.com/hfgate/hfgate/sqlstore"
)

// reconnectDelay is how long the listener waits before connecting again
// after its connection dropped.
const reconnectDelay = 500 * time.Millisecond

// dialect returns PostgreSQL's sqlstore.Dialect for the database cfg
// connects to, in schema. ready is closed once the first LISTEN is done.
func dialect(cfg *pgx.ConnConfig, schema string, o sqlstore.Options, ready chan struct{}) *sqlstore.Dialect {
	channel := Channel(schema)
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Advisory locks are per database: name them by schema too.
	lockKey := func(name string) string { return "hfgate\x1f" + schema + "\x1f" + name }
	return &sqlstore.Dialect{
		Name:        "postgres",
		Placeholder: func(n int) string { return "$" + strconv.Itoa(n) },
		ForUpdate:   " FOR UPDATE",
		Unavailable: unavailable,
		Duplicate:   duplicate,

		LockMigrations: func(ctx context.Context, conn *sql.Conn) (func(), error) {
			key := lockKey("migrations")
			if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtextextended($1, 0))`, key); err != nil {
				return nil, err
			}
			return func() {
				conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, key)
			}, nil
		},

		// A transaction-scoped advisory lock on a connection of its own:
		// the holder's reads and writes go through other connections,
		// which it does not block; ending the transaction releases it,
		// also when the process dies.
		LockKey: func(ctx context.Context, db *sql.DB, key string) (func(), error) {
			conn, err := db.Conn(ctx)
			if err != nil {
				return nil, err
			}
			// The transaction outlives ctx (database/sql would roll it back,
			// releasing the lock, when ctx ends); only the wait obeys ctx.
			tx, err := conn.BeginTx(context.WithoutCancel(ctx), nil)
			if err != nil {
				conn.Close()
				return nil, err
			}
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, lockKey(key)); err != nil {
				tx.Rollback()
				conn.Close()
				return nil, err
			}
			var once sync.Once
			return func() { once.Do(func() { tx.Rollback(); conn.Close() }) }, nil
		},

		Notify: func(ctx context.Context, tx *sql.Tx, payload string) error {
			_, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, channel, payload)
			return err
		},

		Listen: func(ctx context.Context, deliver func(string), lost func()) {
			var once sync.Once
			l := &pgxlisten.Listener{
				Connect: func(ctx context.Context) (*pgx.Conn, error) { return pgx.ConnectConfig(ctx, cfg.Copy()) },
				LogError: func(ctx context.Context, err error) {
					if ctx.Err() != nil {
						return
					}
					log.Warn("listening for revocations: connection lost; dropping cached tokens and sessions", "err", err)
					lost()
				},
				ReconnectDelay: reconnectDelay,
			}
			l.Handle(channel, &handler{deliver: deliver, listening: func() {
				lost() // anything may have happened before this LISTEN
				once.Do(func() { close(ready) })
			}})
			l.Listen(ctx)
		},
	}
}

// handler delivers notifications, and reports each new LISTEN (pgxlisten
// calls HandleBacklog right after it).
type handler struct {
	deliver   func(string)
	listening func()
}

func (h *handler) HandleNotification(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	h.deliver(n.Payload)
	return nil
}

func (h *handler) HandleBacklog(context.Context, string, *pgx.Conn) error {
	h.listening()
	return nil
}
