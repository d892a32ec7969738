// Package postgres opens the gateway's state in PostgreSQL, with pgx
// through database/sql, and returns it as a sqlstore.Store, so that several
// hfgate serve replicas share one state and act as one.
//
// Replicas learn of revocations at once: the transaction that revokes a
// token or ends a session sends NOTIFY on the channel hfgate_revocations,
// delivered when it commits, and every Store LISTENs on a connection of
// its own (github.com/jackc/pgxlisten). When that connection drops, the
// Store tells its subscribers to drop everything they cached (a
// hfgate.Revocation with All), and again once it listens anew, so a
// notification missed meanwhile never keeps a revoked token alive.
//
// Migrations run under an advisory lock, so replicas starting together
// migrate once. Credential renewal locks (LockCredential) are advisory
// transaction locks, held across every replica: one replica renews a
// user's Hub token while the others wait and then read the renewed one.
//
// A URL may choose a schema with search_path
// (postgres://host/db?search_path=team1): tables, the notification channel
// (hfgate_revocations_team1) and the locks are then that schema's, so two
// gateways can share a database without seeing each other.
package postgres
