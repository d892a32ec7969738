package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	"github.com/hfgate/hfgate"
)

// fail returns err as an *hfgate.Error of the right code for what the
// Store was doing. An *hfgate.Error made by the Store itself (or by a
// callback) passes unchanged.
func (s *Store) fail(ctx context.Context, err error, what string) error {
	var he *hfgate.Error
	switch {
	case errors.As(err, &he):
		return err
	case ctx.Err() == context.Canceled || errors.Is(err, context.Canceled):
		return hfgate.WrapError(hfgate.ECANCELED, err, "canceled while the database was %s", what)
	case errors.Is(err, context.DeadlineExceeded):
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "the database took too long %s", what)
	case s.d.Duplicate != nil && s.d.Duplicate(err):
		return hfgate.WrapError(hfgate.EINVALID, err, "already stored (%s)", what)
	case errors.Is(err, sql.ErrConnDone), errors.Is(err, driver.ErrBadConn), s.d.Unavailable != nil && s.d.Unavailable(err):
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "the database cannot be reached (%s)", what)
	}
	return hfgate.WrapError(hfgate.EINTERNAL, err, "database error %s", what)
}

// notFound is the ENOTFOUND error of a missing thing.
func notFound(format string, args ...any) error {
	return hfgate.Errorf(hfgate.ENOTFOUND, format, args...)
}
