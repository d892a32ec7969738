package proxy

import (
	"log/slog"
	"strings"
)

const slogWarn = slog.LevelWarn

func attrRequest(x *exchange) slog.Attr {
	return slog.Group("request", slog.String("id", x.id), slog.String("action", string(x.rt.Action)),
		slog.String("repo", string(x.rt.Repo)), slog.String("subject", x.who.Subject))
}

func attrStatus(status int) slog.Attr { return slog.Int("status", status) }

func attrError(err error) slog.Attr { return slog.String("error", logSafe(err)) }

// logSafe describes err for a log line without the query of any URL in it:
// a CDN URL's query is a signature that grants the file to whoever holds
// it.
func logSafe(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	for _, scheme := range []string{"https://", "http://"} {
		rest, out := msg, ""
		for {
			i := strings.Index(rest, scheme)
			if i < 0 {
				out += rest
				break
			}
			j := strings.IndexAny(rest[i:], " \t\"'")
			if j < 0 {
				j = len(rest) - i
			}
			u := rest[i : i+j]
			if q := strings.IndexByte(u, '?'); q >= 0 {
				u = u[:q] + "?…"
			}
			out += rest[:i] + u
			rest = rest[i+j:]
		}
		msg = out
	}
	return msg
}
